"""The request log: one line per request, to the console and ``<data dir>/logs/cardflow.log``.

Requests are the one log written at the request rate. A loguru record per request (frame lookup,
timestamps, thread and process data, then formatting once per sink) was about a quarter of the
server's CPU on a 0.3 ms partial. Here a line is formatted once and appended to a buffer; a
tenth of a second later the buffer goes to loguru as one raw record, so its sinks (the console,
the rotating file) get every line of that moment in one write, in order with the other messages.
A server error (status 500 and up) is logged at once, as a warning.

The log also counts the requests not yet answered (`AccessLog.unanswered`): the one place every
request passes, it tells the group commit whether anyone else is waiting for the event loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from loguru import logger
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardflow.config import Settings

# Values under these keys never reach a log line (tokens, API keys).
SECRET_WORDS = ("token", "api_key", "apikey", "password", "secret")
FLUSH_AFTER = 0.1  # seconds a line may wait before it is written


def redact_query(query: str) -> str:
    if not query:
        return ""
    parts = []
    for pair in query.split("&"):
        name, sep, _ = pair.partition("=")
        parts.append(f"{name}=***" if sep and any(w in name.lower() for w in SECRET_WORDS) else pair)
    return "?" + "&".join(parts)


class AccessLog:
    """Request lines, buffered and handed to loguru together."""

    def __init__(self) -> None:
        self.unanswered = 0  # requests received whose response has not started (streams count until it starts)
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._scheduled = False
        self._second = -1
        self._stamp = ""

    def line(self, method: str, path: str, status: int, ms: float) -> None:
        now = time.time()
        second = int(now)
        if second != self._second:  # strftime once a second, not once a request
            self._second, self._stamp = second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        # The file's own format (loguru's default), so a line of cardflow.log reads the same either way.
        stamp = f"{self._stamp}.{int((now - second) * 1000):03d} | INFO     |"
        with self._lock:
            self._lines.append(f"{stamp} {method} {path} {status} {ms:.1f}ms\n")
            if self._scheduled:
                return
            self._scheduled = True
        try:
            asyncio.get_running_loop().call_later(FLUSH_AFTER, self.flush)
        except RuntimeError:  # no loop (a script, a test): write it now
            self.flush()

    def flush(self) -> None:
        with self._lock:
            lines, self._lines, self._scheduled = self._lines, [], False
        if lines:
            logger.opt(raw=True).info("".join(lines))


class RequestLogMiddleware:
    """Logs method, path, status and milliseconds; with --debug, the state tables after each write."""

    def __init__(self, app: ASGIApp, settings: Settings, dump_state: Callable[[], None] | None = None,
                 log: AccessLog | None = None) -> None:
        self.app = app
        self.settings = settings
        self.dump_state = dump_state
        self.log = log or AccessLog()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        log = self.log
        log.unanswered += 1
        answered = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                if not answered:
                    answered, log.unanswered = True, log.unanswered - 1
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if not answered:
                log.unanswered -= 1
            ms = (time.perf_counter() - start) * 1000
            if not scope["path"].startswith("/static/"):
                path = scope["path"] + redact_query(scope.get("query_string", b"").decode("latin-1"))
                if status >= 500:  # at once and as a warning, next to the error's own traceback
                    logger.warning(f"{scope['method']} {path} {status} {ms:.1f}ms")
                else:
                    self.log.line(scope["method"], path, status, ms)
            if self.settings.debug and self.dump_state and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                self.dump_state()
