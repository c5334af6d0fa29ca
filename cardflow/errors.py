"""Error pages that never show a traceback: the details go to the log, the user gets a sentence."""

from __future__ import annotations

from typing import Any

from loguru import logger
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from cardflow.security import _small_page

MESSAGES = {
    400: "The request was missing something it needs.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    413: "That upload is too large.",
}


async def http_error(req: Request, exc: Any) -> HTMLResponse:
    status = getattr(exc, "status_code", 500)
    message = MESSAGES.get(status, "The request could not be handled.")
    if "hx-request" in req.headers:
        return HTMLResponse(f"<div class='error-fragment' role='alert'>{message}</div>", status_code=status)
    return HTMLResponse(_small_page(f"Error {status}", message, "<p><a href='/'>Back to Cardflow</a></p>"),
                        status_code=status)


async def server_error(req: Request, exc: Exception) -> HTMLResponse:
    logger.opt(exception=exc).error(f"Unhandled error on {req.method} {req.url.path}")
    message = "Something went wrong on the server. The details are in the log; nothing was half-saved."
    if "hx-request" in req.headers:
        return HTMLResponse(f"<div class='error-fragment' role='alert'>{message}</div>", status_code=500)
    return HTMLResponse(_small_page("Something went wrong", message, "<p><a href='/'>Back to Cardflow</a></p>"),
                        status_code=500)


def exception_handlers() -> dict[Any, Any]:
    return {HTTPException: http_error, 404: http_error, 405: http_error, 500: server_error, Exception: server_error}
