"""The link-graph viewer, shared by the Botify and the crawl workflows.

Every graph lives in ``<data dir>/linkgraph/<graph id>/``: ``edges.csv``, ``metadata.csv``,
``graph.duckdb`` and ``meta.json``. Routes (all GET, read-only):

- ``/graph_view?graph=ID``: the page (a sigma.js WebGL canvas, colour toggle, search, links, tables);
  without ``graph``, the list of graphs; ``&full=1`` opens the panel full-screen.
- ``/graph_view/data?graph=ID&format=bin``: what the canvas draws, as typed arrays
  (:mod:`cardflow.linkgraph.viewpack`): the whole graph up to 50,000 pages and 200,000 links,
  sampled above that (its ``rule`` sentence is shown under the canvas; ``broken``, ``orphans`` and
  ``dead_ends`` fill the summary line). Without ``format=bin``: the same as JSON for scripts
  (``&color=pagetype|depth``; 5,000 pages and 20,000 links unless ``max_nodes``/``max_edges`` say
  more), edges as pairs of node indexes. Both are gzip-compressed when the browser accepts it.
- ``/graph_view/search``, ``/graph_view/links``, ``/graph_view/tables``: HTML fragments.
- ``/graph_view/file?path=linkgraph/ID/edges.csv``: a CSV from the data dir, after a traversal check,
  its cells guarded against running as spreadsheet formulas (:mod:`cardflow.csv_safe`).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from typing import Any
from urllib.parse import quote

from fasthtml.common import H2, H4, A, Div, Li, P, Small, Span, Strong, Ul
from loguru import logger
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from cardflow import csv_safe
from cardflow.actions import Action
from cardflow.actions.graph_actions import graph_actions
from cardflow.actions.graph_view_actions import view_actions
from cardflow.apps import graph_analyses
from cardflow.errors import problem_fragment
from cardflow.linkgraph.analyses_view import section as analyses_section
from cardflow.linkgraph.graphdata import broken_pages, graph_for_view, is_broken, links_for, search_urls
from cardflow.linkgraph.view import (
    GRAPH_ID,
    Refused,
    assets,
    db_file,
    graph_panel,
    graphs_root,
    links_id,
    read_meta,
    read_summary,
    safe_data_file,
    summary_line,
    tables,
    url_button,
)
from cardflow.linkgraph.viewpack import pack
from cardflow.plugins import AppPlugin

DEFAULT_NODES, DEFAULT_EDGES = 5000, 20000  # the JSON form's default: an object per page is heavy
# The page's binary form (format=bin): whole graphs up to this size; sampled above it. sigma draws
# this many on a laptop's GPU (bench/graph_firstframe.py). Also the most one request may ask for.
NODE_CAP, EDGE_CAP = 50_000, 200_000
NODE_KEYS = ("key", "label", "x", "y", "size", "color", "depth", "pagetype", "inlinks", "http_code", "broken")
GZIP_ABOVE = 1024
UNREADABLE = "The graph file could not be read; it may be being rebuilt. Try again, or rebuild the graph."


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw) if raw not in (None, "") else default
    except ValueError:
        value = default
    return max(low, min(high, value))


def compact(view: dict[str, Any]) -> dict[str, Any]:
    """graph_for_view's answer with edges as [source index, target index] pairs."""
    nodes = view["nodes"]
    index = {n["key"]: i for i, n in enumerate(nodes)}
    return {
        "nodes": [{k: n.get(k) for k in NODE_KEYS} for n in nodes],
        "edges": [[index[e["source"]], index[e["target"]]] for e in view["edges"]],
        **{k: view[k] for k in ("rule", "total_nodes", "total_edges", "color_by", "legend", "broken")},
    }


def _view_and_counts(path: Any, max_nodes: int, max_edges: int, color: str) -> dict[str, Any]:
    """The canvas data plus the ingest's orphan and dead-end counts, for the summary line under
    the graph (the full view page has no step card to show them)."""
    view = compact(graph_for_view(path, max_nodes=max_nodes, max_edges=max_edges, color_by=color))
    summary = read_summary(path)
    view["orphans"], view["dead_ends"] = summary.get("orphan_count", 0), summary.get("dead_end_count", 0)
    return view


def _packed(path: Any, max_nodes: int, max_edges: int) -> bytes:
    """The canvas data as typed arrays (:mod:`cardflow.linkgraph.viewpack`), with the summary counts."""
    summary = read_summary(path)
    return pack(path, max_nodes=max_nodes, max_edges=max_edges,
                extra={"orphans": summary.get("orphan_count", 0), "dead_ends": summary.get("dead_end_count", 0)})


async def _read(fn: Any, *args: Any) -> Any:
    """Run a DuckDB read in a thread; None when the file cannot be read (being rebuilt, damaged)."""
    try:
        return await asyncio.to_thread(fn, *args)
    except Exception as exc:
        logger.warning(f"link graph read failed: {type(exc).__name__}: {exc}")
        return None


def _problem(message: str, status: int = 404) -> HTMLResponse:
    # These read-only fragments keep their 404/409 status for callers that check it; the HTML is the shared one.
    return HTMLResponse(problem_fragment(message), status_code=status)


class GraphView(AppPlugin):
    name = "graph_view"
    title = "Link graph viewer"
    order = 74
    description = ("Open a link graph built by the Botify link graph or the crawl workflow: the WebGL graph, "
                   "search, in/out links, most-linked pages, orphans and dead ends.")
    prompt = "The user is looking at a site's internal link graph: pages as dots, links as lines."

    def actions(self) -> list[Action]:
        return [*graph_actions(self.name, self.ctx.settings),
                *view_actions(self.name, self.ctx.settings, NODE_CAP, EDGE_CAP)]

    def register(self) -> None:
        for path, handler in (("/data", self.data), ("/search", self.search), ("/links", self.links),
                              ("/tables", self.tables), ("/file", self.file)):
            self.route(path)(handler)
        graph_analyses.register(self)  # the Analyses section's routes

    def _db(self, req: Request) -> tuple[str, Any]:
        gid = req.query_params.get("graph", "")
        path = db_file(self.ctx.settings, gid)
        return gid, (path if path is not None and path.is_file() else None)

    # -- the page ----------------------------------------------------------------------------
    def render(self, req: Request) -> Any:
        gid, path = self._db(req)
        if path is None:
            return Div(H2(self.title), P(self.description),
                       P(f"There is no graph “{gid}”.", cls="error-fragment") if gid else None,
                       self.graph_list(), cls="graph-page")
        meta = read_meta(path.parent)
        back = None
        if meta.get("app") and meta.get("key"):
            back = P("From ", A(f"{meta.get('title') or meta['app']} · {meta['key']}",
                                href=f"/{meta['app']}?{_qs(key=meta['key'])}"), cls="muted")
        # ?full=1 (the "full graph view" link) opens the panel full-screen at once.
        full = req.query_params.get("full") == "1"
        return Div(H2("Link graph"), back, P(summary_line(meta)) if meta.get("nodes") is not None else None,
                   graph_panel(gid, full=full), assets(), analyses_section(gid), cls="graph-page")

    def graph_list(self) -> Any:
        root = graphs_root(self.ctx.settings)
        found = sorted((p for p in root.glob("*/graph.duckdb") if GRAPH_ID.fullmatch(p.parent.name)),
                       key=lambda p: p.stat().st_mtime, reverse=True) if root.is_dir() else []
        if not found:
            return P("No link graph yet. Build one with ", A("Botify link graph", href="/link_graph"), " or ",
                     A("Link graph from a crawl", href="/crawl_graph"), ".")
        items = []
        for path in found:
            meta = read_meta(path.parent)
            label = f"{meta.get('title') or meta.get('app') or 'graph'} · {meta.get('key') or path.parent.name}"
            counts = f"{meta.get('nodes', 0):,} pages, {meta.get('edges', 0):,} links" if meta else ""
            items.append(Li(A(label, href=f"{self.path}?{_qs(graph=path.parent.name)}"), " ",
                            Small(counts, cls="muted")))
        return Ul(*items, cls="graph-list")

    # -- data and fragments ------------------------------------------------------------------
    async def data(self, req: Request) -> Response:
        _, path = self._db(req)
        if path is None:
            return JSONResponse({"error": "There is no such graph. Build it first."}, status_code=404)
        q = req.query_params
        color = q.get("color") or "pagetype"
        color = color if color in ("pagetype", "depth") else "pagetype"
        binary = q.get("format") == "bin"
        max_nodes = _int(q.get("max_nodes"), NODE_CAP if binary else DEFAULT_NODES, 1, NODE_CAP)
        max_edges = _int(q.get("max_edges"), EDGE_CAP if binary else DEFAULT_EDGES, 0, EDGE_CAP)
        started = time.perf_counter()
        try:
            if binary:
                body = await asyncio.to_thread(_packed, path, max_nodes, max_edges)
            else:
                view = await asyncio.to_thread(_view_and_counts, path, max_nodes, max_edges, color)
                body = json.dumps(view, separators=(",", ":")).encode()
        except Exception as exc:  # the file is being rebuilt, or is not a graph
            return JSONResponse({"error": f"The graph could not be read: {type(exc).__name__}."}, status_code=409)
        headers = {"Cache-Control": "no-store", "Vary": "Accept-Encoding",
                   "X-Graph-Raw-Bytes": str(len(body))}
        if len(body) > GZIP_ABOVE and "gzip" in req.headers.get("accept-encoding", ""):
            body = await asyncio.to_thread(gzip.compress, body, 5)
            headers["Content-Encoding"] = "gzip"
        headers["X-Graph-Ms"] = f"{(time.perf_counter() - started) * 1000:.0f}"
        return Response(body, media_type="application/octet-stream" if binary else "application/json",
                        headers=headers)

    async def search(self, req: Request) -> Any:
        gid, path = self._db(req)
        if path is None:
            return _problem("There is no such graph.")
        hits = await _read(search_urls, path, req.query_params.get("q", "")[:300], 30)
        if hits is None:
            return _problem(UNREADABLE, 409)
        if not hits:
            return P("No page address contains that text.", cls="muted")
        return Ul(*[Li(url_button(gid, h["url"], h["title"] or h["url"]), " ",
                       Small(f"{h['inlinks']:,} inlinks", cls="muted")) for h in hits], cls="graph-hits")

    async def links(self, req: Request) -> Any:
        gid, path = self._db(req)
        if path is None:
            return _problem("There is no such graph.")
        url = req.query_params.get("url", "")[:4000]
        found = await _read(links_for, path, url, 200)
        if found is None:
            return _problem(UNREADABLE, 409)
        node = found["node"]
        if node is None:
            return P("That page is not in this graph.", cls="muted")
        shown = A(url, href=url, target="_blank", rel="noopener noreferrer") if url.startswith(
            ("http://", "https://")) else Span(url)

        def column(title: str, items: list[dict[str, Any]], total: int) -> Any:
            more = f" (the first {len(items):,})" if total > len(items) else ""
            return Div(Strong(f"{title}: {total:,}{more}"),
                       Ul(*[Li(url_button(gid, i["url"], i["title"] or i["url"])) for i in items]) if items
                       else P("none", cls="muted"))

        facts = " · ".join(str(x) for x in (
            f"depth {node['depth']}" if node["depth"] is not None else "depth unknown",
            node["pagetype"] or "no page type",
            (f"HTTP {node['http_code']}" + (" · a broken link target" if is_broken(node["http_code"]) else ""))
            if node["http_code"] is not None else "not fetched",
        ))
        return Div(H4(node["title"] or url), P(shown, Small(" " + facts, cls="muted")),
                   Div(column("Linked from", found["inlinks"], found["inlink_count"]),
                       column("Links to", found["outlinks"], found["outlink_count"]), cls="graph-cols"),
                   data_focus_url=url, cls="graph-page-links")

    async def tables(self, req: Request) -> Any:
        gid, path = self._db(req)
        if path is None:
            return _problem("There is no such graph.")
        summary = await _read(read_summary, path)
        broken = await _read(broken_pages, path, 200)
        if summary is None or broken is None:
            return _problem(UNREADABLE, 409)
        return tables(gid, summary, broken, crawled=read_meta(path.parent).get("app") == "crawl_graph")

    async def file(self, req: Request) -> Response:
        path = safe_data_file(self.ctx.settings, req.query_params.get("path", ""))
        if isinstance(path, Refused):
            return Response(path.message, status_code=path.status, media_type="text/plain")
        # Opened in a spreadsheet: a site's titles or page types must not run there as formulas.
        return StreamingResponse(csv_safe.stream_file(path), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f"attachment; filename*=utf-8''{quote(path.name)}",
                                          "X-Content-Type-Options": "nosniff"})


def _qs(**params: Any) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


__all__ = ["GraphView", "compact", "links_id"]
