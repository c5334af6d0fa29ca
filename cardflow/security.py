"""The local-app threat model in one middleware: Host allow-list, Origin checks, optional token.

Any web page the user visits can make their browser send requests to 127.0.0.1. The Host check
stops DNS rebinding (a foreign name resolving to loopback); the Origin/Referer check stops CSRF
and cross-site WebSocket hijacking; the token keeps other machines out when bound to a LAN.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardflow.config import Settings

TOKEN_COOKIE = "cardflow_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
OWN_LIMIT_PATHS = "cardflow_own_limit_paths"  # app.state attribute: see streams_own_body


def streams_own_body(app: Any, path_pattern: str) -> None:
    """Exempt a POST route from CARDFLOW_MAX_BODY_MB because it streams its body to disk and
    enforces a limit of its own (an upload step's `max_mb`, which may well be above the global
    cap that protects every form handler from being fed gigabytes into memory).

    The middleware runs before routing, so it finds these through ``scope["app"]``, which
    Starlette sets before calling its middleware stack. Host, Origin and token checks still apply.
    """
    patterns: list[re.Pattern[str]] = getattr(app.state, OWN_LIMIT_PATHS, [])
    patterns.append(re.compile(path_pattern))
    setattr(app.state, OWN_LIMIT_PATHS, patterns)


def _own_limit(scope: Scope) -> bool:
    app = scope.get("app")
    patterns = getattr(getattr(app, "state", None), OWN_LIMIT_PATHS, ()) if app is not None else ()
    return scope.get("method") == "POST" and any(p.fullmatch(scope["path"]) for p in patterns)


# One DNS label: what a Host name may be made of. Anything else (userinfo, a second colon, a path,
# spaces) is not a host name, so it cannot be on the allow-list either.
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?\Z")


@lru_cache(maxsize=256)  # a browser sends the same Host and Origin on every request; a pure function
def parse_authority(value: str) -> tuple[str, int | None] | None:
    """(host, port) of a Host header or a URL's netloc, or None when it is not one.

    IPv6 literals come back bare and compressed (`[0::1]:5001` -> `::1`), so that each address has
    one spelling to compare. Cutting at the first colon would let `localhost:5001.evil.example`
    pass as `localhost`; here the port must be digits only.
    """
    if not value or len(value) > 300 or value != value.strip():
        return None
    value = value.lower()
    if value.startswith("["):
        end = value.find("]")
        try:
            host = ipaddress.IPv6Address(value[1:end]).compressed if end > 0 else ""
        except ValueError:
            return None
        rest = value[end + 1:]
    else:
        host, colon, port_text = value.partition(":")
        rest = colon + port_text
        if not all(_LABEL.match(label) for label in host.split(".")):
            return None
    if not host:
        return None
    if not rest:
        return host, None
    digits = rest[1:]
    if rest[0] != ":" or not (digits.isascii() and digits.isdigit()) or len(digits) > 5:
        return None
    port = int(digits)
    return (host, port) if 0 < port < 65536 else None


def _bare(name: str) -> str:
    name = name.strip().lower().removeprefix("[").removesuffix("]")
    try:
        return ipaddress.IPv6Address(name).compressed
    except ValueError:
        return name


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.hosts = {_bare(h) for h in settings.host_allowlist()}

    def host_ok(self, headers: Headers) -> bool:
        # Any port is fine here (a port forward may change it); the name is what rebinding forges.
        authority = parse_authority(headers.get("host", ""))
        return authority is not None and authority[0] in self.hosts

    def origin_ok(self, scope: Scope, headers: Headers) -> bool:
        """True when the request comes from our own pages, or from no browser page at all."""
        if headers.get("sec-fetch-site") == "cross-site":
            return False
        # Our pages are served over the scheme of this very request (plain http unless a TLS
        # server fronts uvicorn); an https page on the same host and port is another origin.
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        origin = headers.get("origin")
        if origin is None:
            referer = headers.get("referer")
            return referer is None or self._same_origin(referer, scheme, with_path=True)
        return self._same_origin(origin, scheme, with_path=False)

    def _same_origin(self, url: str, scheme: str, *, with_path: bool) -> bool:
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        if parts.scheme != scheme:
            return False  # includes the literal "null" origin of sandboxed frames
        if not with_path and (parts.path or parts.query or parts.fragment):
            return False  # an Origin header is scheme://host[:port] and nothing else
        authority = parse_authority(parts.netloc)
        if authority is None:
            return False
        host, port = authority
        return host in self.hosts and (port or (443 if scheme == "https" else 80)) == self.settings.port

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
        if (is_ws or method not in SAFE_METHODS) and not self.origin_ok(scope, headers):
            await self._refuse(scope, send, 403, "Cross-site request refused: this action must come "
                               "from a Cardflow page.")
            return
        own_limit = not is_ws and _own_limit(scope)
        if not is_ws and not own_limit and not _declared_length_ok(headers, self.settings.max_body_bytes):
            await self._too_large(send)
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
        if is_ws or own_limit or "transfer-encoding" not in headers:
            # A declared length was checked above, and the server reads no more than it declares:
            # only a chunked body needs its bytes counted (one wrapper less on most requests).
            await self.app(scope, receive, send)
        else:
            await self._call_limited(scope, receive, send)

    async def _call_limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with a receive that counts body bytes (chunked bodies declare no length).

        Once over the limit we answer 413 ourselves and tell the app the client went away, so it
        stops reading; whatever it raises or sends after that is dropped, the answer is given.
        """
        limit = self.settings.max_body_bytes
        received = 0
        refused = started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:  # a response already under way cannot turn into a 413
                        await self._too_large(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not refused:
                started = True
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise

    async def _too_large(self, send: Send) -> None:
        mb = f"{self.settings.max_body_mb:g}"
        await _html(send, 413, _small_page("Request too large", f"This request is larger than {mb} MB, "
                                           "the most Cardflow accepts (CARDFLOW_MAX_BODY_MB)."), close=True)

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


def _declared_length_ok(headers: Headers, limit: int) -> bool:
    """False when Content-Length says the body is over the limit: refused before any byte is read."""
    declared = headers.get("content-length")
    if declared is None:
        return True
    declared = declared.strip()
    # The server has already refused a malformed length; a huge one is over the limit anyway.
    return declared.isascii() and declared.isdigit() and (len(declared) <= 18 and int(declared) <= limit)


async def _html(send: Send, status: int, html: str, *, close: bool = False) -> None:
    body = html.encode()
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if close:
        # The unread rest of the body must not be parsed as the next request: end the connection.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
