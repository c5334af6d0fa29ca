"""The page's profile is the profile: every request acts in the profile its page shows.

The current profile used to be one global (`last_profile_id` in the store), so after tab A
switched to Globex, a task typed in tab B (still showing Acme) was saved under Globex. Now each
page carries the profile it was rendered for: htmx sends it as the `X-Cardflow-Profile` header,
the chat socket and the SSE stream as a `profile` query parameter. This middleware puts it in a
context variable for the request, and `Context.current_profile_id()` prefers it. A fresh page
load (no header) still uses the last choice, as the seed did.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers

from cardflow.db import parse_id

HEADER = "x-cardflow-profile"
QUERY = "profile"

# The profile id the requesting page shows, for the duration of one request or socket.
page_profile: ContextVar[int | None] = ContextVar("page_profile", default=None)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def requested_profile(scope: Scope) -> int | None:
    raw = Headers(scope=scope).get(HEADER)
    if raw is None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        raw = (query.get(QUERY) or [None])[0]
    return parse_id(raw) if raw is not None else None


class PageProfileMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        token = page_profile.set(requested_profile(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            page_profile.reset(token)
