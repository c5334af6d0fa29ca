"""The request log: one line per request, to the console and ``<data dir>/logs/access.log``.

Requests are the one log that runs at the request rate, so they skip loguru. A loguru record
(frame lookup, timestamps, thread and process data, then formatting once per sink) was about a
quarter of the server's CPU on a 0.3 ms partial. Here a line is formatted once and appended to a
buffer. The buffer is written out a quarter-second later, in one write per destination, from the
event loop (or at once when no loop is running). A server error (status 500 and up) also goes to
loguru, so it sits in ``cardflow.log`` beside its traceback.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from loguru import logger
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardflow.config import Settings

# Values under these keys never reach a log line (tokens, API keys).
SECRET_WORDS = ("token", "api_key", "apikey", "password", "secret")
FLUSH_AFTER = 0.25  # seconds a line may wait before it is written
ROTATE_AT = 5 * 1024 * 1024  # bytes, as cardflow.log
KEEP = 5  # rotated files kept: access.log.1 … access.log.5


def redact_query(query: str) -> str:
    if not query:
        return ""
    parts = []
    for pair in query.split("&"):
        name, sep, _ = pair.partition("=")
        parts.append(f"{name}=***" if sep and any(w in name.lower() for w in SECRET_WORDS) else pair)
    return "?" + "&".join(parts)


class AccessLog:
    """Buffered request lines, written to a console stream and a size-rotated file."""

    def __init__(self, path: Path, console: Callable[[], TextIO] | None = lambda: sys.stderr) -> None:
        self.path = path
        self.console = console  # looked up at each write: sys.stderr may be replaced (pytest, a daemon)
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._scheduled = False
        self._second = -1
        self._stamp = ""

    def line(self, method: str, path: str, status: int, ms: float) -> None:
        now = int(time.time())
        if now != self._second:  # strftime once a second, not once a request
            self._second, self._stamp = now, time.strftime("%H:%M:%S", time.localtime(now))
        with self._lock:
            self._lines.append(f"{self._stamp} INFO    {method} {path} {status} {ms:.1f}ms\n")
            if self._scheduled:
                return
            self._scheduled = True
        self._schedule()

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        loop.call_later(FLUSH_AFTER, self.flush)

    def flush(self) -> None:
        with self._lock:
            lines, self._lines, self._scheduled = self._lines, [], False
        if not lines:
            return
        text = "".join(lines)
        if self.console is not None:
            try:
                stream = self.console()
                stream.write(text)
                stream.flush()
            except (OSError, ValueError):  # a closed or broken console must not break serving
                pass
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size + len(text) > ROTATE_AT:
                self._rotate()
            with self.path.open("a", encoding="utf-8") as out:
                out.write(text)
        except OSError as exc:  # a full disk loses request lines, never a response
            logger.warning(f"request log not written: {exc}")

    def _rotate(self) -> None:
        oldest = self.path.with_name(f"{self.path.name}.{KEEP}")
        oldest.unlink(missing_ok=True)
        for n in range(KEEP - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                older.rename(self.path.with_name(f"{self.path.name}.{n + 1}"))
        self.path.rename(self.path.with_name(f"{self.path.name}.1"))


class RequestLogMiddleware:
    """Logs method, path, status and milliseconds; with --debug, the state tables after each write."""

    def __init__(self, app: ASGIApp, settings: Settings, dump_state: Callable[[], None] | None = None,
                 log: AccessLog | None = None) -> None:
        self.app = app
        self.settings = settings
        self.dump_state = dump_state
        self.log = log or AccessLog(settings.log_dir / "access.log")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            ms = (time.perf_counter() - start) * 1000
            if not scope["path"].startswith("/static/"):
                path = scope["path"] + redact_query(scope.get("query_string", b"").decode("latin-1"))
                self.log.line(scope["method"], path, status, ms)
                if status >= 500:
                    logger.warning(f"{scope['method']} {path} {status} {ms:.1f}ms")
            if self.settings.debug and self.dump_state and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                self.dump_state()
