"""Developer comfort: logs to console and a rotating file, a route table, a banner. The request log is access_log.py."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from loguru import logger
from rich.console import Console
from rich.table import Table

from cardflow.access_log import SECRET_WORDS
from cardflow.config import Settings

if TYPE_CHECKING:
    from cardflow.db import Database

console = Console(stderr=True)


def setup_logging(settings: Settings) -> None:
    logger.remove()
    level = "DEBUG" if settings.debug else "INFO"
    logger.add(sys.stderr, level=level, format="<green>{time:HH:mm:ss}</green> <level>{level: <7}</level> {message}",
               backtrace=False, diagnose=False)  # diagnose would print local variables, tokens included
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    logger.add(settings.log_dir / "cardflow.log", level="DEBUG", rotation="5 MB", retention=5,
               enqueue=False, encoding="utf-8", backtrace=False, diagnose=False)


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
