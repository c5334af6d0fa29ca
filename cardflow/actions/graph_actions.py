"""Read-only actions over the link graphs in the data dir (declared by the graph viewer app).

A graph is named by its id (the folder under `<data dir>/linkgraph/`), which `list` returns with
the workflow run that built it. DuckDB reads run in a worker thread so a large graph never holds
up the server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action, Call
from cardflow.actions.schema import integer, obj, string
from cardflow.apps.graph_analyses import graph_dir, read_report
from cardflow.errors import Problem
from cardflow.linkgraph.graphdata import links_for, search_urls
from cardflow.linkgraph.reports import NAMES
from cardflow.linkgraph.view import GRAPH_ID, db_file, graphs_root, read_meta, read_summary

if TYPE_CHECKING:
    from cardflow.config import Settings

GRAPH = string("The graph's id, as `graph_view.list` gives it.", max_length=200, min_length=1)
LIMIT = integer("At most this many rows.", minimum=1, maximum=1000)


def _db(settings: Settings, gid: str) -> Path:
    path = db_file(settings, gid)
    if path is None or not path.is_file():
        raise Problem(f"There is no link graph “{gid}”. `graph_view.list` lists them.", 404, field="graph")
    return path


async def _read(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return await asyncio.to_thread(fn, *args, **kw)
    except Problem:
        raise
    except Exception as exc:  # being rebuilt, or damaged: say so rather than fail obscurely
        raise Problem(f"The graph could not be read ({type(exc).__name__}); it may be being rebuilt.", 409) from None


def graph_actions(app: str, settings: Settings) -> list[Action]:
    def list_(call: Call) -> dict[str, Any]:
        root = graphs_root(settings)
        found = sorted((p for p in root.glob("*/graph.duckdb") if GRAPH_ID.fullmatch(p.parent.name)),
                       key=lambda p: p.stat().st_mtime, reverse=True) if root.is_dir() else []
        graphs = []
        for path in found:
            meta = read_meta(path.parent)
            graphs.append({"graph": path.parent.name, "app": meta.get("app"), "key": meta.get("key"),
                           "title": meta.get("title"), "pages": meta.get("nodes"), "links": meta.get("edges")})
        return {"graphs": graphs}

    async def summary(call: Call) -> dict[str, Any]:
        s = await _read(read_summary, _db(settings, call.params["graph"]))
        keys = ("node_count", "edge_count", "edge_rows", "self_links", "metadata_rows", "orphan_count",
                "dead_end_count")
        return {"graph": call.params["graph"], **{k: s.get(k) for k in keys}}

    async def top(call: Call) -> dict[str, Any]:
        rows = await _read(search_urls, _db(settings, call.params["graph"]), "", call.params.get("limit", 20))
        return {"pages": rows}

    async def orphans(call: Call) -> dict[str, Any]:
        s = await _read(read_summary, _db(settings, call.params["graph"]))
        limit = call.params.get("limit", 100)
        return {"orphan_count": s.get("orphan_count", 0), "orphans": s.get("orphans", [])[:limit],
                "dead_end_count": s.get("dead_end_count", 0), "dead_ends": s.get("dead_ends", [])[:limit],
                "note": "Orphans need the page list (metadata or sitemap): a crawl alone cannot find them."}

    async def search(call: Call) -> dict[str, Any]:
        rows = await _read(search_urls, _db(settings, call.params["graph"]), call.params["query"],
                           call.params.get("limit", 20))
        return {"pages": rows}

    async def links(call: Call) -> dict[str, Any]:
        out: dict[str, Any] = await _read(links_for, _db(settings, call.params["graph"]), call.params["url"],
                                          call.params.get("limit", 200))
        if out.get("node") is None:
            raise Problem(f"The graph has no page “{call.params['url']}”. Try `graph_view.search`.", 404,
                          field="url")
        return out

    async def analysis(call: Call) -> dict[str, Any]:
        report = await read_report(graph_dir(settings, call.params["graph"]), call.params["name"])
        limit = call.params.get("limit", 50)
        return {"graph": call.params["graph"], "name": report.name, "explanation": report.explanation,
                "columns": report.columns, "total": report.total, "rows": report.rows[:limit],
                "extra": report.extra}

    g = {"graph": GRAPH}
    return [
        Action(f"{app}.list", "List the link graphs built so far, newest first.", list_, obj(), read_only=True,
               app=app),
        Action(f"{app}.summary", "Show a link graph's counts: pages, links, orphans, dead ends.", summary,
               obj(g, ["graph"]), read_only=True, app=app),
        Action(f"{app}.top_pages", "List the most-linked pages of a graph (by inlinks).", top,
               obj({**g, "limit": LIMIT}, ["graph"]), read_only=True, app=app),
        Action(f"{app}.orphans", "List a graph's orphan pages and dead ends.", orphans,
               obj({**g, "limit": LIMIT}, ["graph"]), read_only=True, app=app),
        Action(f"{app}.search", "Find the pages of a graph whose URL contains some text, most-linked first.", search,
               obj({**g, "query": string("Text in the URL.", max_length=500), "limit": LIMIT}, ["graph", "query"]),
               read_only=True, app=app),
        Action(f"{app}.links", "Show the pages linking to a URL and the pages it links to.", links,
               obj({**g, "url": string("The page's URL.", max_length=2000, min_length=1), "limit": LIMIT},
                   ["graph", "url"]), read_only=True, app=app),
        Action(f"{app}.analysis",
               "Show one whole-graph analysis (pagerank, hubs, authorities, depth, inlinks, orphans, dead_ends, broken, "
               "segments): its one-sentence explanation, columns, total and first rows, as the viewer shows them.",
               analysis, obj({**g, "name": string("Which analysis.", max_length=20, min_length=1, enum=list(NAMES)),
                              "limit": LIMIT}, ["graph", "name"]), read_only=True, app=app),
    ]
