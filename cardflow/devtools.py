"""Developer comfort: logs to console and a rotating file, a request log, a route table, a banner."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from loguru import logger
from rich.console import Console
from rich.table import Table
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardflow.config import Settings

if TYPE_CHECKING:
    from cardflow.db import Database

console = Console(stderr=True)

# Values under these keys never reach a log line (tokens, API keys).
SECRET_WORDS = ("token", "api_key", "apikey", "password", "secret")


def setup_logging(settings: Settings) -> None:
    logger.remove()
    level = "DEBUG" if settings.debug else "INFO"
    logger.add(sys.stderr, level=level, format="<green>{time:HH:mm:ss}</green> <level>{level: <7}</level> {message}",
               backtrace=False, diagnose=False)  # diagnose would print local variables, tokens included
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    logger.add(settings.log_dir / "cardflow.log", level="DEBUG", rotation="5 MB", retention=5,
               enqueue=False, encoding="utf-8", backtrace=False, diagnose=False)


def redact_query(query: str) -> str:
    if not query:
        return ""
    parts = []
    for pair in query.split("&"):
        name, sep, _ = pair.partition("=")
        parts.append(f"{name}=***" if sep and any(w in name.lower() for w in SECRET_WORDS) else pair)
    return "?" + "&".join(parts)


class RequestLogMiddleware:
    """Logs method, path, status and milliseconds; with --debug, the state tables after each write."""

    def __init__(self, app: ASGIApp, settings: Settings, dump_state: Callable[[], None] | None = None) -> None:
        self.app = app
        self.settings = settings
        self.dump_state = dump_state

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
            path = scope["path"] + redact_query(scope.get("query_string", b"").decode("latin-1"))
            if not scope["path"].startswith("/static/"):
                logger.info(f"{scope['method']} {path} {status} {ms:.1f}ms")
            if self.settings.debug and self.dump_state and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                self.dump_state()


def print_state_tables(db: Database) -> None:
    store = Table(title="store", show_lines=False)
    store.add_column("key")
    store.add_column("value")
    for key, value in db.store.items():
        shown = "***" if any(w in key.lower() for w in SECRET_WORDS) else str(value)
        store.add_row(key, shown[:120])
    pipeline = Table(title="pipeline")
    for col in ("key", "app_name", "updated", "data"):
        pipeline.add_column(col)
    for row in db.query("SELECT key, app_name, updated, data FROM pipeline ORDER BY updated DESC LIMIT 10"):
        pipeline.add_row(row["key"], row["app_name"], row["updated"], row["data"][:100])
    console.print(store)
    console.print(pipeline)


def route_table(app: Any) -> Table:
    table = Table(title="Routes", show_lines=False)
    table.add_column("methods")
    table.add_column("path")
    table.add_column("name")
    for route in app.routes:
        methods = ",".join(sorted(getattr(route, "methods", None) or ["WS" if "WebSocket" in type(route).__name__ else ""]))
        table.add_row(methods, getattr(route, "path", ""), getattr(route, "name", "") or "")
    return table


def banner(text: str = "Cardflow") -> str:
    try:
        import pyfiglet

        art: str = pyfiglet.figlet_format(text, font="slant")
        return art
    except Exception:  # a missing font must never stop start-up
        return f"== {text} =="


def print_startup(app: Any, settings: Settings) -> None:
    console.print(f"[bold cyan]{banner()}[/]", highlight=False)
    console.print(route_table(app))
    console.print(f"Serving on [bold]{settings.base_url}[/]  data: {settings.data_dir}")
