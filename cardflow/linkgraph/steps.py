"""The graph step both link-graph workflows end with, and the files one run keeps.

A workflow that builds a graph holds a :class:`GraphFiles` (``self.graph = GraphFiles(self)``):
where the run's files live, how its job steps start themselves, and the ingest job. The step
itself, :func:`graph_step`, reaches it through ``wf.graph``. Like :mod:`cardflow.linkgraph.view`,
this module belongs to the web side; the data layer never imports it.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from fasthtml.common import Div, P

from cardflow.errors import Problem
from cardflow.linkgraph.view import Shown, assets, graph_id, graphs_root, show_graph
from cardflow.workflow import Step, StepCall, Workflow

if TYPE_CHECKING:
    from starlette.requests import Request

    from cardflow.jobs import JobContext
    from cardflow.plugins import Context


class GraphHost(Protocol):
    """What :class:`GraphFiles` needs of the workflow that holds it."""

    @property
    def ctx(self) -> Context: ...
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    def url(self, action: str, **params: Any) -> str: ...


class GraphWorkflow(Protocol):
    """A workflow whose last step is :func:`graph_step`."""

    @property
    def graph(self) -> GraphFiles: ...


class GraphFiles:
    """One workflow's graphs: ``<data dir>/linkgraph/<graph id>/`` for each of its keys."""

    def __init__(self, host: GraphHost) -> None:
        self.host = host

    def key_id(self, key: str) -> str:
        return graph_id(self.host.name, key)

    def folder(self, key: str) -> Path:
        return graphs_root(self.host.ctx.settings) / self.key_id(key)

    def remove(self, key: str) -> None:
        """Delete a run's downloaded and ingested files (never anything outside the graphs root)."""
        folder = self.folder(key)
        if folder.is_dir() and folder.resolve().is_relative_to(graphs_root(self.host.ctx.settings).resolve()):
            shutil.rmtree(folder, ignore_errors=True)

    def auto_start(self, key: str, step_id: str, text: str) -> Any:
        """The step's explanation, plus a trigger that starts its job at once the first time."""
        note = P(text, cls="muted")
        if self.host.ctx.jobs.latest(key, step_id) is not None:
            return note
        url = self.host.url("submit", step_id=step_id, key=key)
        return note, Div(hx_post=url, hx_trigger="load", hx_target=f"#{self.host.name}-{step_id}",
                         hx_swap="outerHTML")

    async def ingest(self, job: JobContext) -> dict[str, Any]:
        """Load the run's CSVs into ``graph.duckdb`` and write ``meta.json`` for the viewer's list."""
        from cardflow.linkgraph.graphdata import broken_pages
        from cardflow.linkgraph.ingest import ingest

        gid, d = self.key_id(job.key), self.folder(job.key)
        edges, meta = d / "edges.csv", d / "metadata.csv"
        if not edges.is_file():
            raise Problem("The links file is missing: revert the previous step and run it again.")
        await job.progress(5, "Loading the links into DuckDB…")
        started = time.monotonic()
        work = asyncio.ensure_future(asyncio.to_thread(ingest, edges, meta if meta.is_file() else None,
                                                       d / "graph.duckdb"))
        while not work.done():
            await asyncio.wait({work}, timeout=1.0)
            waited = time.monotonic() - started
            if not work.done():
                await job.progress(min(90.0, 5 + 6 * waited), f"Loading the links into DuckDB… {waited:.0f} s",
                                   persist=False)
        s = work.result()
        # The ingest's summary has no broken-link count (4xx/5xx/unreachable targets); count them here.
        broken = await asyncio.to_thread(broken_pages, d / "graph.duckdb", 0)
        info = {"graph": gid, "nodes": s.node_count, "edges": s.edge_count, "orphans": s.orphan_count,
                "dead_ends": s.dead_end_count, "broken_links": broken["links"], "broken_pages": broken["pages"],
                "seconds": s.seconds}
        meta_json = {**info, "app": self.host.name, "title": self.host.title, "key": job.key,
                     "built": time.strftime("%Y-%m-%dT%H:%M:%S")}
        (d / "meta.json").write_text(json.dumps(meta_json), encoding="utf-8")
        await job.progress(100, f"{s.node_count:,} pages and {s.edge_count:,} links, in {s.seconds:.1f} s.")
        return {"graph": info}


def render_graph(wf: GraphWorkflow, call: StepCall) -> Any:
    return wf.graph.auto_start(call.key, "graph", "Loads the links into a local DuckDB file, then draws the graph.")


async def run_graph(wf: GraphWorkflow, job: JobContext) -> dict[str, Any]:
    return await wf.graph.ingest(job)


def graph_step() -> Step:
    return Step("graph", "Link graph", Shown(show=show_graph), render=render_graph, job=run_graph, resumable=True,
                message=lambda v: f"Link graph built: {v.get('nodes', 0):,} pages, {v.get('edges', 0):,} links.")


class GraphBuilder(Workflow):
    """The base of the workflows that end with a graph (Botify, crawl, edge-list import): each key
    keeps its files in ``self.graph``, its page loads the graph viewer's assets, and deleting the
    key deletes its graph."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.graph = GraphFiles(self)

    def render(self, req: Request) -> Any:
        return super().render(req), assets()

    def on_delete(self, key: str) -> None:
        self.graph.remove(key)
