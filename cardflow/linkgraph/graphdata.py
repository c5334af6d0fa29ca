"""Read-only queries on an ingested link graph, shaped for the browser (sigma.js).

Every call opens the DuckDB file read-only and closes it again (about 25 ms of each call), so
the file can be re-ingested (renamed into place) at any time and several readers can run at
once. Within one process, DuckDB refuses to open a file that is already open with another
configuration, so do not hold a read-write connection to the same file while calling these.

``graph_for_view`` returns ready-to-draw nodes (key = URL, label, size, colour and an initial
position) and edges, so the WebGL renderer needs no layout step (:mod:`.graphstyle` places and
colours them; :mod:`.viewpack` packs the same sample into typed arrays for the browser). Above
the limits it samples by a fixed, deterministic rule, stated in ``rule``:

1. **Pages**: the ``max_nodes`` pages with the most inlinks (ties: URL order).
2. **Links**: only links between kept pages, ranked by their *less*-linked end (then the more
   linked end, then the source), and the first ``max_edges`` kept. So the links shown are all
   the links among the top *k* pages for the largest *k* that fits, then as many of page
   *k+1*'s as fit: the core of the site's linking, complete, rather than a thin random spread.

Both steps use ``nodes.id`` (the rank by inlinks, then URL, given at ingest), so they are
integer filters and a sort, fast on a million links.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cardflow.linkgraph.graphstyle import (
    BROKEN_COLOR,
    DEPTH_PALETTE,
    MAX_GROUPS,
    OTHER_COLOR,
    PAGETYPE_PALETTE,
    colour,
    first_folder,
    is_broken,
    layout,
    size,
)

if TYPE_CHECKING:  # imported where used: DuckDB is slow to import
    import duckdb

__all__ = [
    "BROKEN_COLOR",
    "DEPTH_PALETTE",
    "MAX_GROUPS",
    "PAGETYPE_PALETTE",
    "Sample",
    "broken_pages",
    "first_folder",
    "graph_for_view",
    "is_broken",
    "links_for",
    "links_table",
    "sample",
    "search_urls",
]

BROKEN_SQL = "(http_code = 0 OR http_code >= 400)"  # over nodes; NULL (not fetched) is not broken


@contextmanager
def _open(db_path: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    import duckdb

    if not os.path.exists(db_path):
        raise FileNotFoundError(f"no link-graph database at {db_path}; run ingest first")
    # No extra config: within one process DuckDB shares an open database between connections
    # only when their configurations match, so a plain read-only open composes with others.
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> tuple[Any, ...]:
    """The one row an aggregate query answers (an aggregate always answers one)."""
    row = con.execute(sql, params).fetchone()
    assert row is not None, sql
    return row


def links_table(con: duckdb.DuckDBPyConnection) -> str:
    """The integer link table: ``links(src, dst)``. ``edges`` is now a view that joins in the
    URLs (too slow for these reads); files ingested before it was split have only ``edges``,
    a table with the same src and dst, so they are read as they are."""
    return "links" if _one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'links'")[0] else "edges"


def _short(url: str) -> str:
    p = urlsplit(url)
    return (p.path or "/") + (f"?{p.query}" if p.query else "")


@dataclass
class Sample:
    """What the view draws, before it is placed and coloured: ``nodes`` most-linked first (dicts:
    key, label, depth, pagetype, inlinks, http_code, crawled, broken), ``edges`` as pairs of
    indexes into ``nodes``, the whole graph's counts, and the sampling ``rule`` in one sentence."""

    nodes: list[dict[str, Any]]
    edges: list[tuple[int, int]]
    rule: str
    total_nodes: int
    total_edges: int
    broken: dict[str, int]


def sample(db_path: str | os.PathLike[str], *, max_nodes: int, max_edges: int) -> Sample:
    """The pages and links to draw, by the rule in the module docstring."""
    max_nodes, max_edges = max(0, int(max_nodes)), max(0, int(max_edges))
    with _open(db_path) as con:
        links = links_table(con)
        total_nodes, total_edges = _one(con, f"SELECT (SELECT count(*) FROM nodes), (SELECT count(*) FROM {links})")
        # nodes.id is the rank by (inlinks desc, url), so the top pages are id < max_nodes, and
        # a link's rank by its less-linked end is greatest(src, dst).
        rows = con.execute(
            """
            SELECT id, url, inlinks, depth, pagetype, title, http_code, crawled
            FROM nodes WHERE id < ? ORDER BY id
            """,
            [max_nodes],
        ).fetchall()
        kept = len(rows)
        edge_rows = con.execute(
            f"""
            SELECT src, dst FROM {links} WHERE src < $k AND dst < $k
            ORDER BY greatest(src, dst), least(src, dst), src
            LIMIT $m
            """,
            {"k": kept, "m": max_edges},
        ).fetchall()
        broken = _one(con, f"SELECT count(*), coalesce(sum(inlinks), 0) FROM nodes WHERE {BROKEN_SQL}")
        links_between_kept = (
            total_edges
            if kept == total_nodes
            else _one(con, f"SELECT count(*) FROM {links} WHERE src < $k AND dst < $k", {"k": kept})[0]
        )

    nodes = [
        {
            "key": url,
            # An error page's title ("Error response", "Not Found") says nothing about the link.
            "label": f"{_short(url)} ({http_code or 'unreachable'})" if is_broken(http_code) else title or _short(url),
            "depth": depth,
            "pagetype": pagetype,
            "inlinks": inlinks,
            "http_code": http_code,
            "crawled": crawled,
            "broken": is_broken(http_code),
        }
        for _id, url, inlinks, depth, pagetype, title, http_code, crawled in rows
    ]
    # ids are 0..n-1 (a row number given at ingest), so an id is its node's index; remap otherwise.
    if rows and rows[-1][0] != kept - 1:
        index = {r[0]: i for i, r in enumerate(rows)}
        edge_rows = [(index[s], index[t]) for s, t in edge_rows]
    return Sample(nodes, edge_rows, _rule(kept, total_nodes, total_edges, len(edge_rows), links_between_kept,
                                          max_edges), total_nodes, total_edges,
                  {"pages": broken[0], "links": int(broken[1])})


def _rule(kept: int, total_nodes: int, total_edges: int, shown: int, between: int, max_edges: int) -> str:
    capped = shown < between
    links = (
        f"{shown:,} of the {between:,} links between them: those among the most-linked pages "
        f"first (a link ranks by its less-linked end), capped at {max_edges:,}"
        if capped
        else f"all {shown:,} links between them"
    )
    if kept == total_nodes and not capped:
        return f"All {total_nodes:,} pages and all {total_edges:,} links."
    if kept == total_nodes:
        return f"All {total_nodes:,} pages; {links}."
    return (f"The {kept:,} most-linked of {total_nodes:,} pages (by inlinks, ties by URL); "
            f"{links} (of {total_edges:,} links in all).")


def graph_for_view(
    db_path: str | os.PathLike[str],
    *,
    max_nodes: int = 5000,
    max_edges: int = 20000,
    color_by: str = "pagetype",
) -> dict[str, Any]:
    """Nodes and edges to draw, sampled by the rule in the module docstring (and in ``rule``).

    Returns ``{"nodes": [{key, label, size, color, x, y, depth, pagetype, inlinks, http_code,
    crawled}], "edges": [{source, target}], "rule", "total_nodes", "total_edges", "color_by",
    "legend": [{label, color, count}]}``. ``key`` is the page URL; ``label`` its title, or its
    path when it has none. Nodes come most-linked first."""
    if color_by not in ("pagetype", "depth"):
        raise ValueError("color_by must be 'pagetype' or 'depth'")
    got = sample(db_path, max_nodes=max_nodes, max_edges=max_edges)
    nodes = got.nodes
    for n in nodes:
        n.update(size=0.0, color=OTHER_COLOR, x=0.0, y=0.0)
    size(nodes)
    legend = colour(nodes, color_by)
    layout(nodes, have_depth=any(n["depth"] is not None for n in nodes))
    return {
        "nodes": nodes,
        "edges": [{"source": nodes[s]["key"], "target": nodes[t]["key"]} for s, t in got.edges],
        "rule": got.rule,
        "total_nodes": got.total_nodes,
        "total_edges": got.total_edges,
        "color_by": color_by,
        "legend": legend,
        # Over the whole graph, not only the pages drawn. inlinks count distinct linking pages,
        # which is the number of (distinct) links into a page.
        "broken": got.broken,
    }


def links_for(db_path: str | os.PathLike[str], url: str, limit: int = 200) -> dict[str, Any]:
    """The pages linking to ``url`` and the pages it links to, most-linked first (then URL),
    at most ``limit`` of each. Returns ``{"url", "node": {...} | None, "inlinks": [{url, title,
    inlinks, http_code}], "outlinks": [...], "inlink_count", "outlink_count"}``."""
    limit = max(0, int(limit))
    with _open(db_path) as con:
        node = con.execute(
            "SELECT url, inlinks, outlinks, depth, pagetype, http_code, title, crawled, id FROM nodes WHERE url = ?",
            [url],
        ).fetchone()
        out: dict[str, Any] = {
            "url": url,
            "node": None,
            "inlinks": [],
            "outlinks": [],
            "inlink_count": 0,
            "outlink_count": 0,
        }
        if node is None:
            return out
        keys = ("url", "inlinks", "outlinks", "depth", "pagetype", "http_code", "title", "crawled")
        out["node"] = dict(zip(keys, node[:-1], strict=True))
        out["inlink_count"], out["outlink_count"] = node[1], node[2]
        node_id, links = node[-1], links_table(con)
        for direction, mine, other in (("inlinks", "dst", "src"), ("outlinks", "src", "dst")):
            # The neighbours' ids order them (id = rank by inlinks, then URL): take the first
            # `limit` from the edges (an integer scan), then look only those up in nodes.
            rows = con.execute(
                f"""
                WITH nb AS (SELECT {other} AS id FROM {links} WHERE {mine} = ? ORDER BY {other} LIMIT ?)
                SELECT n.url, n.title, n.inlinks, n.http_code FROM nb JOIN nodes n USING (id) ORDER BY id
                """,
                [node_id, limit],
            ).fetchall()
            out[direction] = [{"url": u, "title": t, "inlinks": n, "http_code": c} for u, t, n, c in rows]
    return out


def search_urls(db_path: str | os.PathLike[str], q: str, limit: int = 20) -> list[dict[str, Any]]:
    """URLs containing ``q`` (case-insensitive substring; no wildcards), most-linked first.
    An empty query returns the most-linked pages. Items: ``{url, title, inlinks, pagetype}``."""
    limit = max(0, int(limit))
    q = (q or "").strip().lower()
    with _open(db_path) as con:
        rows = con.execute(
            """
            SELECT url, title, inlinks, pagetype FROM nodes
            WHERE ? = '' OR contains(lower(url), ?)
            ORDER BY id LIMIT ?
            """,
            [q, q, limit],
        ).fetchall()
    return [{"url": u, "title": t, "inlinks": n, "pagetype": p} for u, t, n, p in rows]


def broken_pages(db_path: str | os.PathLike[str], limit: int = 200) -> dict[str, Any]:
    """The broken link targets (see :func:`is_broken`), most-linked first: ``{"pages": count,
    "links": links into them, "items": [{url, title, inlinks, http_code}] (the first limit)}``."""
    limit = max(0, int(limit))
    with _open(db_path) as con:
        pages, links = _one(con, f"SELECT count(*), coalesce(sum(inlinks), 0) FROM nodes WHERE {BROKEN_SQL}")
        rows = con.execute(
            f"SELECT url, title, inlinks, http_code FROM nodes WHERE {BROKEN_SQL} ORDER BY id LIMIT ?", [limit]
        ).fetchall()
    items = [{"url": u, "title": t, "inlinks": n, "http_code": c} for u, t, n, c in rows]
    return {"pages": pages, "links": int(links), "items": items}
