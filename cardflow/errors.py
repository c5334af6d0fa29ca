"""The one error a user sees, and the one place it is rendered.

Code anywhere raises `Problem(message, status)`: a sentence for a person, never a traceback. The
handlers below turn it into a page, or into a fragment for an htmx request; the action layer turns
the same exception into an MCP error result, a CLI exit code 2, or a chat message. Everything
else that escapes is logged with its traceback and shown as a generic sentence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import TYPE_CHECKING

from loguru import logger
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from cardflow.security import _small_page

if TYPE_CHECKING:
    from cardflow.plugins import Context

MESSAGES = {
    400: "The request was missing something it needs.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    413: "That upload is too large.",
}


class Problem(Exception):
    """Something the user can act on: the request is refused and nothing was changed.

    `status` is the HTTP status of a full page. `field` names the input the message belongs to,
    when there is one (forms show it there; MCP and the CLI print it with the message).
    """

    status: int = 400

    def __init__(self, message: str, status: int | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotFoundProblem(Problem):
    status = 404


def problem_fragment(message: str) -> str:
    """The error fragment swapped into a page; the message is escaped here, once."""
    return f"<div class='error-fragment' role='alert'><p>{escape(message)}</p></div>"


BACK_LINK = "<p><a href='/'>Back to Cardflow</a></p>"


def error_page(req: Request, title: str, message: str, status: int) -> HTMLResponse:
    """A full error page: inside the app's own shell (nav, theme, chat) when the app is there to draw
    it, else a small standalone page. The shell may be what failed (a broken database, say), so any
    error while drawing it falls back to the small page rather than hiding the first error."""
    ctx: Context | None = getattr(req.app.state, "ctx", None) if "app" in req.scope else None
    if ctx is not None and ctx.error_shell is not None:  # set by the shell once its routes exist
        try:
            return HTMLResponse(ctx.error_shell(title, message), status_code=status)
        except Exception as exc:  # the small page below is the answer either way
            logger.opt(exception=exc).warning(f"error page drawn without the shell: {exc}")
    return HTMLResponse(_small_page(title, message, BACK_LINK), status_code=status)


def problem_response(req: Request, message: str, status: int) -> HTMLResponse:
    if "hx-request" in req.headers:
        # htmx swaps only 2xx answers by default: a fragment the user must see is sent as 200.
        return HTMLResponse(problem_fragment(message), status_code=200 if status < 500 else status)
    return error_page(req, f"Error {status}", message, status)


async def problem_error(req: Request, exc: Exception) -> HTMLResponse:
    status = exc.status if isinstance(exc, Problem) else 400
    return problem_response(req, str(exc), status)


async def http_error(req: Request, exc: Exception) -> HTMLResponse:
    status = getattr(exc, "status_code", 500)
    message = MESSAGES.get(status, "The request could not be handled.")
    if "hx-request" in req.headers:
        return HTMLResponse(problem_fragment(message), status_code=status)
    return error_page(req, f"Error {status}", message, status)


async def server_error(req: Request, exc: Exception) -> HTMLResponse:
    if isinstance(exc, Problem):  # Starlette routes plain Exception subclasses here first in some paths
        return await problem_error(req, exc)
    logger.opt(exception=exc).error(f"Unhandled error on {req.method} {req.url.path}")
    message = "Something went wrong on the server. The details are in the log; nothing was half-saved."
    if "hx-request" in req.headers:
        return HTMLResponse(problem_fragment(message), status_code=500)
    return error_page(req, "Something went wrong", message, 500)


Handler = Callable[[Request, Exception], Awaitable[HTMLResponse]]


def exception_handlers() -> dict[int | type[Exception], Handler]:
    return {Problem: problem_error, HTTPException: http_error, 404: http_error, 405: http_error,
            500: server_error, Exception: server_error}
