"""Routes of the graph viewer's "Analyses" section (registered by ``GraphView.register``).

- ``/graph_view/analysis?graph=ID&name=NAME``: one analysis as an article: the report when it is
  stored, else a "computing" article that asks again (the computation is started, off the event
  loop, one at a time: :func:`cardflow.linkgraph.reports.ensure`). ``&retry=1`` starts a failed
  one again.
- ``/graph_view/analysis/csv?graph=ID&name=NAME``: the whole result as CSV (computed first when
  needed).

Bad input (no such graph, no such analysis) raises :class:`~cardflow.errors.Problem`, drawn in
the one place errors are drawn.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from cardflow.errors import Problem
from cardflow.linkgraph import analyses_view as ui
from cardflow.linkgraph import reports
from cardflow.linkgraph.view import db_file, read_meta

if TYPE_CHECKING:
    from cardflow.config import Settings
    from cardflow.plugins import AppPlugin

__all__ = ["graph_dir", "read_report", "register"]


def graph_dir(settings: Settings, gid: str) -> Path:
    db = db_file(settings, gid)
    if db is None or not db.is_file():
        raise Problem(f"There is no link graph “{gid[:120]}”. Open one from the list at /graph_view.", 404,
                      field="graph")
    return db.parent


def analysis_name(raw: str) -> str:
    if raw not in reports.NAMES:
        raise Problem(f"There is no analysis “{raw[:60]}”. The analyses are: {', '.join(reports.NAMES)}.", 404,
                      field="name")
    return raw


def failure(exc: BaseException) -> str:
    logger.warning(f"link-graph analysis failed: {type(exc).__name__}: {exc}")
    return (f"This analysis could not be computed ({type(exc).__name__}); the graph may be being rebuilt. "
            "Try again, or rebuild the graph.")


async def read_report(directory: Path, name: str) -> reports.Report:
    """The report, computed first if needed (waits for it): for the CSV and the actions."""
    for _ in range(3):
        found = await asyncio.to_thread(reports.cached, directory, name)
        if found is not None:
            return found
        try:  # a failed computation is tried again: the caller asked for this one now
            await reports.ensure(directory, name, retry=True)
        except Exception as exc:
            raise Problem(failure(exc), 409) from None
        found = reports.cached(directory, name)
        if found is not None:
            return found
        # Rebuilt while it was computed: the stored report is for the old file; go round again.
    raise Problem("The graph keeps changing while this analysis is computed; try again once it is rebuilt.", 409)


def register(plugin: AppPlugin) -> None:
    settings = plugin.ctx.settings

    async def analysis(req: Request) -> Any:
        q = req.query_params
        gid, name = q.get("graph", ""), analysis_name(q.get("name", ""))
        directory = graph_dir(settings, gid)
        # A stored report is read in a thread too: a long list's JSON is not nothing to parse.
        state: reports.Report | BaseException | None = await asyncio.to_thread(reports.cached, directory, name)
        if state is None:
            state = reports.status(directory, name, retry=q.get("retry") == "1")
        if state is None:
            return ui.computing(gid, name)
        if isinstance(state, BaseException):
            return ui.failed(gid, name, failure(state))
        return ui.article(gid, state, crawled=read_meta(directory).get("app") == "crawl_graph")

    async def download(req: Request) -> Response:
        q = req.query_params
        gid, name = q.get("graph", ""), analysis_name(q.get("name", ""))
        directory = graph_dir(settings, gid)
        await read_report(directory, name)
        return FileResponse(reports.csv_path(directory, name), media_type="text/csv; charset=utf-8",
                            filename=f"{gid}-{name}.csv",
                            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

    plugin.route("/analysis", name="graph_view:analysis")(analysis)
    plugin.route("/analysis/csv", name="graph_view:analysis_csv")(download)
