"""The local-app threat model in one middleware: Host allow-list, Origin checks, optional token.

Any web page the user visits can make their browser send requests to 127.0.0.1. The Host check
stops DNS rebinding (a foreign name resolving to loopback); the Origin/Referer check stops CSRF
and cross-site WebSocket hijacking; the token keeps other machines out when bound to a LAN.
"""

from __future__ import annotations

import hmac
from html import escape
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from cardflow.config import Settings

TOKEN_COOKIE = "cardflow_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _hostname(netloc: str) -> str:
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[: netloc.find("]") + 1] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def _port(netloc: str, scheme: str) -> int | None:
    try:
        return urlsplit(f"{scheme}://{netloc}").port or (443 if scheme == "https" else 80)
    except ValueError:
        return None


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.hosts = settings.host_allowlist() | {f"[{h}]" for h in settings.host_allowlist() if ":" in h}

    def host_ok(self, headers: Headers) -> bool:
        return _hostname(headers.get("host", "")) in self.hosts

    def origin_ok(self, headers: Headers) -> bool:
        """True when the request comes from our own pages, or from no browser page at all."""
        if headers.get("sec-fetch-site") == "cross-site":
            return False
        origin = headers.get("origin")
        if origin is None:
            referer = headers.get("referer")
            return referer is None or self._same_origin(referer)
        return self._same_origin(origin)

    def _same_origin(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # includes the literal "null" origin of sandboxed frames
        return _hostname(parts.netloc) in self.hosts and _port(parts.netloc, parts.scheme) == self.settings.port

    def token_ok(self, scope: Scope, headers: Headers) -> bool:
        token = self.settings.token
        if not token:
            return True
        offered = []
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == TOKEN_COOKIE:
                offered.append(value)
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            offered.append(auth[7:].strip())
        offered += parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        return any(hmac.compare_digest(o.encode(), token.encode()) for o in offered)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_ws = scope["type"] == "websocket"
        method = "WS" if is_ws else scope["method"]
        if not self.host_ok(headers):
            await self._refuse(scope, send, 400, "This Host header is not allowed. Open Cardflow at "
                               f"{self.settings.base_url} instead.")
            return
        if (is_ws or method not in SAFE_METHODS) and not self.origin_ok(headers):
            await self._refuse(scope, send, 403, "Cross-site request refused: this action must come "
                               "from a Cardflow page.")
            return
        if scope["path"] == "/login" and method == "POST":
            await self._login(scope, receive, send)
            return
        if not self.token_ok(scope, headers):
            if is_ws:
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _html(send, 401, _login_page())
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str) -> None:
        if scope["type"] == "websocket":
            # Closing before accept makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        await _html(send, status, _small_page("Request refused", message))

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
            if len(body) > 10_000:
                break
        offered = parse_qs(body.decode("utf-8", "replace")).get("token", [""])[0]
        token = self.settings.token or ""
        if token and hmac.compare_digest(offered.encode(), token.encode()):
            await send({"type": "http.response.start", "status": 303, "headers": [
                (b"location", b"/"),
                (b"set-cookie", f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode()),
            ]})
            await send({"type": "http.response.body", "body": b""})
        else:
            await _html(send, 401, _login_page("That token is not right."))


def _small_page(title: str, message: str, extra: str = "") -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
            f"<body style='font-family:sans-serif;max-width:32rem;margin:4rem auto'>"
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p>{extra}</body></html>")


def _login_page(error: str = "") -> str:
    form = ("<form method='post' action='/login'><label>Token <input name='token' type='password' "
            "autofocus required></label> <button>Open</button></form>")
    note = f"<p style='color:#b00'>{escape(error)}</p>" if error else ""
    return _small_page("Cardflow needs its token", "This server was started with CARDFLOW_TOKEN. "
                       "Paste the token to continue.", note + form)


async def _html(send: Send, status: int, html: str) -> None:
    body = html.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
