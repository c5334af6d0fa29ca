"""`/mcp`: the MCP server over streamable HTTP inside the running app.

The app's SecurityMiddleware has already checked the Host header (400) and, for state-changing
methods, the Origin (403). Here every method also needs the bearer token, and any request that a
browser page sent (an Origin that is not ours, even on GET) is refused: a web page the user visits
must never reach the tools. The SDK's own DNS-rebinding check is off because ours is stricter
and honours CARDFLOW_ALLOWED_HOSTS.
"""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.routing import Route

from cardflow.mcp_server import build_server, mcp_token
from cardflow.security import SecurityMiddleware

if TYPE_CHECKING:
    from cardflow.plugins import Context

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
PATH = "/mcp"


async def _json(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class McpEndpoint:
    """Token and Origin gate in front of the SDK's ASGI app; owns the session manager's lifetime."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.token = mcp_token(ctx.settings)
        self.origins = SecurityMiddleware(self._never, ctx.settings)
        self.manager = StreamableHTTPSessionManager(
            app=build_server(ctx), json_response=True, stateless=True,
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False))
        self.inner = StreamableHTTPASGIApp(self.manager)
        self._stack = contextlib.AsyncExitStack()

    @staticmethod
    async def _never(scope: Scope, receive: Receive, send: Send) -> None:  # pragma: no cover - never called
        raise AssertionError

    async def start(self) -> None:
        await self._stack.enter_async_context(self.manager.run())

    async def stop(self) -> None:
        await self._stack.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if headers.get("origin") is not None and not self.origins.origin_ok(headers):
            await _json(send, 403, "Cross-site requests to /mcp are refused.")
            return
        auth = headers.get("authorization", "")
        offered = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not offered or not hmac.compare_digest(offered.encode(), self.token.encode()):
            await _json(send, 401, "A bearer token is required: see `cardflow mcp --print-config`.",
                        [(b"www-authenticate", b'Bearer realm="cardflow"')])
            return
        await self.inner(scope, receive, send)


def add_mcp_route(ctx: Context) -> McpEndpoint:
    endpoint = McpEndpoint(ctx)
    ctx.app.router.routes.append(Route(PATH, endpoint=endpoint, name="mcp"))
    ctx.app.on_event("startup")(endpoint.start)
    ctx.app.on_event("shutdown")(endpoint.stop)
    return endpoint
