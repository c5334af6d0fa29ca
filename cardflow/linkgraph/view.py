"""The web side of the link graph, shared by both workflows and the viewer app.

Unlike the rest of this package, this module builds HTML (FastHTML components) and a workflow
mixin; nothing else in ``cardflow.linkgraph`` imports it, so the data layer stays free of the web.

- Where a graph lives: ``<data dir>/linkgraph/<graph id>/`` (:func:`graph_dir_for`), and the one
  check every served file goes through (:func:`safe_data_file`).
- The panel (:func:`graph_panel`): a ``<div>`` that ``/static/graph.js`` turns into a sigma.js
  WebGL canvas, with the colour toggle, search, the links of a page and the summary tables.
- :class:`GraphSteps`: a mixin for a :class:`~cardflow.workflow.Workflow` whose steps build a
  graph: ``job="method"`` names a method, the ingest job step, and the viewer's assets on the page.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlencode

from fasthtml.common import (
    A,
    Button,
    Details,
    Div,
    Fieldset,
    Input,
    Label,
    Legend,
    Li,
    Link,
    P,
    Script,
    Small,
    Span,
    Summary,
    Table,
    Tbody,
    Td,
    Th,
    Thead,
    Tr,
    Ul,
)

from cardflow.config import Settings
from cardflow.fields import Field
from cardflow.workflow import Step

GRAPHS = "linkgraph"
GRAPH_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,119}")
SERVED_SUFFIXES = (".csv",)
VIEW = "/graph_view"
ASSET_VERSION = "1"


# -- where graphs live -------------------------------------------------------------------------
def graphs_root(settings: Settings) -> Path:
    return Path(settings.data_dir) / GRAPHS


def graph_id(app: str, key: str) -> str:
    """A stable folder name for one workflow run: readable, and unique by a hash of the key."""
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:40] or "run"
    return f"{app.replace('_', '-')}-{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def graph_dir_for(settings: Settings, gid: str) -> Path | None:
    return graphs_root(settings) / gid if isinstance(gid, str) and GRAPH_ID.fullmatch(gid) else None


def db_file(settings: Settings, gid: str) -> Path | None:
    d = graph_dir_for(settings, gid)
    return d / "graph.duckdb" if d is not None else None


def file_url(gid: str, name: str) -> str:
    return f"{VIEW}/file?{urlencode({'path': f'{GRAPHS}/{gid}/{name}'})}"


def safe_data_file(settings: Settings, rel: str) -> tuple[Path | None, tuple[int, str] | None]:
    """A link-graph file under the data dir, or (None, (status, why)). Refuses absolute paths,
    ``..``, backslashes and anything that resolves (symlinks included) outside ``<data>/linkgraph``."""
    rel = (rel or "").strip()
    if not rel:
        return None, (400, "Say which file, e.g. ?path=linkgraph/<graph>/edges.csv")
    if "\x00" in rel or "\\" in rel or rel.startswith(("/", "~")) or re.match(r"[A-Za-z]:", rel):
        return None, (400, "Absolute paths are refused.")
    if ".." in PurePosixPath(rel).parts:
        return None, (400, "Paths containing .. are refused.")
    root = graphs_root(settings).resolve()
    full = (Path(settings.data_dir) / rel).resolve()
    if not full.is_relative_to(root):
        return None, (400, "Only link-graph files are served.")
    if full.suffix.lower() not in SERVED_SUFFIXES or not full.is_file():
        return None, (404, "There is no such file.")
    return full, None


def read_meta(directory: Path) -> dict[str, Any]:
    try:
        value = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def read_summary(db: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM summary").fetchall()}
    finally:
        con.close()


# -- components --------------------------------------------------------------------------------
def assets() -> Any:
    """The viewer's CSS and JS; graph.js loads sigma and graphology itself, when a graph is shown."""
    return (Link(rel="stylesheet", href=f"/static/graph.css?v={ASSET_VERSION}"),
            Script(src=f"/static/graph.js?v={ASSET_VERSION}"))


def links_id(gid: str) -> str:
    return f"gv-{gid}-links"


def url_button(gid: str, url: str, label: str) -> Any:
    return Button(label, type="button", cls="linklike", title=url, hx_get=f"{VIEW}/links?{urlencode({'graph': gid, 'url': url})}",
                  hx_target=f"#{links_id(gid)}", hx_swap="innerHTML")


def graph_panel(gid: str) -> Any:
    if not GRAPH_ID.fullmatch(gid or ""):
        return P("This graph has an invalid name.", cls="error-fragment")
    q = urlencode({"graph": gid})
    radio = f"color-{gid}"
    return Div(
        Div(Fieldset(Legend("Colour by", cls="graph-legend-title"),
                     Label(Input(type="radio", name=radio, value="pagetype", checked=True, data_graph_color="1"),
                           "page type"),
                     Label(Input(type="radio", name=radio, value="depth", data_graph_color="1"), "depth")),
            Small(Span("…", data_graph_count="nodes"), " pages and ", Span("…", data_graph_count="edges"),
                  " links drawn", cls="muted"), cls="graph-toolbar"),
        Div(cls="graph-canvas", role="img", aria_label="The link graph: each dot is a page, each line a link"),
        P("Loading the graph…", cls="graph-status muted", aria_live="polite"),
        Ul(cls="graph-legend"),
        Input(type="search", name="q", placeholder="Search page addresses…", aria_label="Search page addresses",
              hx_get=f"{VIEW}/search?{q}", hx_trigger="input changed delay:300ms, search",
              hx_target=f"#gv-{gid}-hits", autocomplete="off"),
        Div(id=f"gv-{gid}-hits", cls="graph-search-results", aria_live="polite"),
        Div(P("Click a page in the graph, a search result or a table row to list its links.", cls="muted"),
            id=links_id(gid), cls="graph-links", aria_live="polite"),
        Div(P("Loading the tables…", cls="muted"), hx_get=f"{VIEW}/tables?{q}", hx_trigger="load",
            hx_target="this", hx_swap="innerHTML", cls="graph-tables"),
        cls="graph-view", id=f"gv-{gid}", data_graph_src=f"{VIEW}/data?{q}",
        data_graph_links=f"{VIEW}/links?{q}", data_links_target=links_id(gid),
    )


def tables(gid: str, summary: dict[str, Any]) -> Any:
    top = summary.get("top") or []
    orphans, dead = summary.get("orphans") or [], summary.get("dead_ends") or []

    def url_list(urls: list[str], total: int) -> Any:
        more = Small(f"The first {len(urls):,} of {total:,}, by address.", cls="muted") if total > len(urls) else None
        return (Ul(*[Li(url_button(gid, u, u)) for u in urls]), more) if urls else P("None.", cls="muted")

    return Div(
        Details(Summary(f"Most-linked pages ({len(top):,})"),
                Table(Thead(Tr(Th("Page"), Th("Inlinks"))),
                      Tbody(*[Tr(Td(url_button(gid, t["url"], t.get("title") or t["url"])), Td(f"{t['inlinks']:,}"))
                              for t in top])), open=True, cls="graph-top"),
        Details(Summary(f"Orphans: {summary.get('orphan_count', 0):,}"),
                P("Pages in the crawl that no other page links to (the start page excepted).", cls="muted"),
                url_list(orphans, summary.get("orphan_count", 0)), cls="graph-orphans"),
        Details(Summary(f"Dead ends: {summary.get('dead_end_count', 0):,}"),
                P("Pages fetched fine that link to no other page.", cls="muted"),
                url_list(dead, summary.get("dead_end_count", 0)), cls="graph-dead-ends"),
    )


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def files_table(gid: str, files: list[dict[str, Any]]) -> Any:
    rows = [Tr(Td(A(f["name"], href=file_url(gid, f["name"]), download=f["name"])), Td(f.get("label", "")),
               Td(f"{f.get('rows', 0):,}"), Td(human_bytes(int(f.get("bytes", 0))))) for f in files]
    return Table(Thead(Tr(Th("File"), Th("Content"), Th("Rows"), Th("Size"))), Tbody(*rows), cls="graph-files")


@dataclass
class Shown(Field):
    """A display-only field: the locked card shows ``show(value)`` (any FT); it asks nothing."""

    show: Any = None

    def parse(self, raw: Any) -> Any:
        return ""

    def display(self, value: Any) -> Any:
        if value in (None, ""):
            return ""
        return Div(self.show(value), cls="shown") if self.show else str(value)

    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        return None


def show_graph(value: dict[str, Any]) -> Any:
    gid = value.get("graph", "")
    return Div(
        P(f"{value.get('nodes', 0):,} pages and {value.get('edges', 0):,} links · "
          f"{value.get('orphans', 0):,} orphans · {value.get('dead_ends', 0):,} dead ends "
          f"(built in {value.get('seconds', 0):.1f} s). ",
          A("Open the full graph view", href=f"{VIEW}?{urlencode({'graph': gid})}")),
        graph_panel(gid),
    )


class GraphSteps:
    """Mixin for a Workflow (put it first: ``class X(GraphSteps, Workflow)``)."""

    def on_delete(self, key: str) -> None:
        """Deleting a run also removes its downloaded and ingested files."""
        import shutil

        folder = self.graph_dir(key)
        if folder.is_dir() and folder.resolve().is_relative_to(graphs_root(self.ctx.settings).resolve()):  # type: ignore[attr-defined]
            shutil.rmtree(folder, ignore_errors=True)

    def render(self, req: Any) -> Any:
        return super().render(req), assets()  # type: ignore[misc]

    def graph_key_id(self, key: str) -> str:
        return graph_id(self.name, key)  # type: ignore[attr-defined]

    def graph_dir(self, key: str) -> Path:
        return graphs_root(self.ctx.settings) / self.graph_key_id(key)  # type: ignore[attr-defined]

    def auto_start(self, key: str, step_id: str, text: str) -> Any:
        """The step's explanation, plus a trigger that starts its job at once the first time."""
        note = P(text, cls="muted")
        if self.ctx.jobs.latest(key, step_id) is not None:  # type: ignore[attr-defined]
            return note
        url = self.url("submit", step_id=step_id, key=key)  # type: ignore[attr-defined]
        return note, Div(hx_post=url, hx_trigger="load", hx_target=f"#{self.name}-{step_id}", hx_swap="outerHTML")  # type: ignore[attr-defined]

    def render_graph(self, key: str, values: dict[str, Any]) -> Any:
        return self.auto_start(key, "graph", "Loads the links into a local DuckDB file, then draws the graph.")

    async def run_graph(self, ctx: Any) -> dict[str, Any]:
        from cardflow.linkgraph.ingest import ingest

        gid, d = self.graph_key_id(ctx.key), self.graph_dir(ctx.key)
        edges, meta = d / "edges.csv", d / "metadata.csv"
        if not edges.is_file():
            raise RuntimeError("The links file is missing: revert the previous step and run it again.")
        await ctx.progress(5, "Loading the links into DuckDB…")
        started = time.monotonic()
        work = asyncio.ensure_future(asyncio.to_thread(ingest, edges, meta if meta.is_file() else None,
                                                       d / "graph.duckdb"))
        while not work.done():
            await asyncio.wait({work}, timeout=1.0)
            waited = time.monotonic() - started
            if not work.done():
                await ctx.progress(min(90.0, 5 + 6 * waited), f"Loading the links into DuckDB… {waited:.0f} s",
                                   persist=False)
        s = work.result()
        info = {"graph": gid, "nodes": s.node_count, "edges": s.edge_count, "orphans": s.orphan_count,
                "dead_ends": s.dead_end_count, "seconds": s.seconds}
        meta_json = {**info, "app": self.name, "title": self.title, "key": ctx.key,  # type: ignore[attr-defined]
                     "built": time.strftime("%Y-%m-%dT%H:%M:%S")}
        (d / "meta.json").write_text(json.dumps(meta_json), encoding="utf-8")
        await ctx.progress(100, f"{s.node_count:,} pages and {s.edge_count:,} links, in {s.seconds:.1f} s.")
        return {"graph": info}


def graph_step() -> Step:
    return Step("graph", "Link graph", Shown(show=show_graph), job="run_graph", resumable=True,  # type: ignore[arg-type]
                message=lambda v: f"Link graph built: {v.get('nodes', 0):,} pages, {v.get('edges', 0):,} links.")
