"""How the fake API answers: Botify's error bodies and its paginated listings."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from tests.fakes.botify.state import FakeState


def error(status: int, code: str | int | None, message: str, detail: dict | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"message": message}}
    if code is not None:
        body["error"]["error_code"] = str(code)
    if detail:
        body["error"]["error_detail"] = detail
    return JSONResponse(body, status_code=status)


class BadRequest(Exception):
    def __init__(self, message: str, code: str = "1020", status: int = 400):
        super().__init__(message)
        self.response = error(status, code, message)



def _int_param(request: Request, name: str, default: int, minimum: int = 1) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if value < minimum:
        raise BadRequest(f"{name} must be >= {minimum}")
    return value


def paginate(request: Request, state: FakeState, items: list[Any]) -> JSONResponse:
    page = _int_param(request, "page", 1)
    size = min(_int_param(request, "size", state.default_page_size), state.max_page_size)
    start = (page - 1) * size
    chunk = items[start : start + size]
    nxt = (
        str(request.url.include_query_params(page=page + 1, size=size)) if start + size < len(items) else None
    )
    prev = str(request.url.include_query_params(page=page - 1, size=size)) if page > 1 else None
    return JSONResponse(
        {"count": len(items), "next": nxt, "previous": prev, "page": page, "size": size, "results": chunk}
    )
