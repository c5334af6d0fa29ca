"""`/mcp`: the MCP server over streamable HTTP inside the running app.

The app's SecurityMiddleware has already checked the Host header (400) and, for state-changing
methods, the Origin (403). Here every method also needs the bearer token, and any request that a
browser page sent (an Origin that is not ours, even on GET) is refused: a web page the user visits
must never reach the tools. The SDK's own DNS-rebinding check is off because ours is stricter
and honours CARDFLOW_ALLOWED_HOSTS.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers
from starlette.routing import Route

from cardflow.security import SecurityMiddleware

if TYPE_CHECKING:
    from cardflow.config import Settings
    from cardflow.plugins import Context

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
PATH = "/mcp"
TOKEN_FILE = "mcp-token"


def mcp_token(settings: Settings) -> str:
    """CARDFLOW_TOKEN when set; otherwise a random token kept in the data dir with mode 0600."""
    if settings.token:
        return settings.token
    path = Path(settings.data_dir) / TOKEN_FILE
    try:
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = tmp.open("w", encoding="utf-8")
    tmp.chmod(0o600)  # before the secret is written
    with fd:
        fd.write(token)
    tmp.replace(path)
    return token


async def _json(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class McpEndpoint:
    """Token and Origin gate in front of the SDK's ASGI app; owns the session manager's lifetime.

    The SDK takes most of a second to import, so it is loaded in the background after start-up
    (never on the path to the first page, nor in `cardflow call`); a request that comes first waits.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.token = mcp_token(ctx.settings)
        self.origins = SecurityMiddleware(self._never, ctx.settings)
        self.inner: Any = None
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    async def _never(scope: Scope, receive: Receive, send: Send) -> None:  # pragma: no cover - never called
        raise AssertionError

    async def _serve(self) -> None:
        # The session manager's task group must be entered and left by the same task: this one.
        from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
        from mcp.server.transport_security import TransportSecuritySettings

        from cardflow.mcp_server import build_server

        manager = StreamableHTTPSessionManager(
            app=build_server(self.ctx), json_response=True, stateless=True,
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False))
        async with manager.run():
            self.inner = StreamableHTTPASGIApp(manager)
            self._ready.set()
            await self._stop.wait()

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._serve(), name="mcp")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.wait({self._task}, timeout=2.0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if headers.get("origin") is not None and not self.origins.origin_ok(scope, headers):
            await _json(send, 403, "Cross-site requests to /mcp are refused.")
            return
        auth = headers.get("authorization", "")
        offered = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not offered or not hmac.compare_digest(offered.encode(), self.token.encode()):
            await _json(send, 401, "A bearer token is required: see `cardflow mcp --print-config`.",
                        [(b"www-authenticate", b'Bearer realm="cardflow"')])
            return
        await self._ready.wait()
        await self.inner(scope, receive, send)


def add_mcp_route(ctx: Context) -> McpEndpoint:
    endpoint = McpEndpoint(ctx)
    ctx.app.router.routes.append(Route(PATH, endpoint=endpoint, name="mcp"))
    ctx.app.on_event("startup")(endpoint.start)
    ctx.app.on_event("shutdown")(endpoint.stop)
    return endpoint
