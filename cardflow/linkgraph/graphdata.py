"""Read-only queries on an ingested link graph, shaped for the browser (sigma.js).

Every call opens the DuckDB file read-only and closes it again (about 25 ms of each call), so
the file can be re-ingested (renamed into place) at any time and several readers can run at
once. Within one process, DuckDB refuses to open a file that is already open with another
configuration, so do not hold a read-write connection to the same file while calling these.

``graph_for_view`` returns ready-to-draw nodes (key = URL, label, size, colour and an initial
position) and edges, so the WebGL renderer needs no layout step. Above the limits it samples
by a fixed, deterministic rule, stated in ``rule``:

1. **Pages**: the ``max_nodes`` pages with the most inlinks (ties: URL order).
2. **Links**: only links between kept pages, ranked by their *less*-linked end (then the more
   linked end, then the source), and the first ``max_edges`` kept. So the links shown are all
   the links among the top *k* pages for the largest *k* that fits, then as many of page
   *k+1*'s as fit: the core of the site's linking, complete, rather than a thin random spread.

Both steps use ``nodes.id`` (the rank by inlinks, then URL, given at ingest), so they are
integer filters and a sort, fast on a million links.

Layout: concentric rings by depth (depth 0 in the centre; unknown depth outermost; without any
depth, rings by inlink count, most-linked innermost). Within a ring, pages are sorted by
pagetype and then inlinks, so each pagetype is an angular sector; the radius within the ring
is spread by the golden ratio so that large rings do not collapse into a line.
Size: 2 to 15, by log(1 + inlinks) relative to the most-linked page kept.
Colour, "by section": the Botify segments when the graph has any (the metadata's ``pagetype``
holds the main segment), else the first folder of the URL path (``/blog/``; pages at the top
level share ``/``), because a crawl's pagetype is the first path segment, one per file name on a
flat site. At most :data:`MAX_GROUPS` groups get a colour (the largest; the rest are "other"), so
the legend stays readable. Broken pages (HTTP 4xx, 5xx, or 0 = unreachable) are red and left out
of the groups: they are targets of links, not pages of a section. "By depth": a sequential
palette, unknown depth grey. ``legend`` lists what was used.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cardflow.linkgraph.urls import pagetype_of

if TYPE_CHECKING:  # imported where used: DuckDB is slow to import
    import duckdb

__all__ = [
    "BROKEN_COLOR",
    "DEPTH_PALETTE",
    "MAX_GROUPS",
    "PAGETYPE_PALETTE",
    "broken_pages",
    "first_folder",
    "graph_for_view",
    "is_broken",
    "links_for",
    "links_table",
    "search_urls",
]

# No red or pink here: red means broken, and must not be mistaken for a section.
PAGETYPE_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#9c755f",
    "#a0cbe8",
    "#8cd17d",
    "#499894",
)
MAX_GROUPS = len(PAGETYPE_PALETTE)  # more colours than this cannot be told apart in a legend
BROKEN_COLOR = "#d62728"
BROKEN_SQL = "(http_code = 0 OR http_code >= 400)"  # over nodes; NULL (not fetched) is not broken
DEPTH_PALETTE = (  # depth 0, 1, ... 9; deeper pages take the last colour
    "#440154",
    "#472c7a",
    "#3b518b",
    "#2c718e",
    "#21908d",
    "#27ad81",
    "#5cc863",
    "#aadc32",
    "#d8e219",
    "#fde725",
)
OTHER_COLOR = "#bab0ac"
GOLDEN = (math.sqrt(5) - 1) / 2
MIN_SIZE, MAX_SIZE = 2.0, 15.0


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


def is_broken(http_code: int | None) -> bool:
    """A link target that does not work: 4xx, 5xx, or 0 (no answer). None = never fetched."""
    return http_code is not None and (http_code == 0 or http_code >= 400)


def first_folder(url: str) -> str:
    """``/blog/`` for ``/blog/post-1`` and ``/blog/``; ``/`` for the top level (``/``, ``/about.html``)."""
    parts = urlsplit(url).path.lstrip("/").split("/")
    return f"/{parts[0]}/" if len(parts) > 1 and parts[0] else "/"


def _layout(nodes: list[dict[str, Any]], have_depth: bool) -> None:
    """Give each node x, y: rings by depth (or by inlinks bucket), sectors by pagetype."""

    def ring_of(n: dict[str, Any]) -> int:
        if have_depth:
            return n["depth"] if n["depth"] is not None else 1_000_000
        return -int(math.log2(n["inlinks"] + 1))  # most linked innermost

    rings: dict[int, list[dict[str, Any]]] = {}
    for n in nodes:
        rings.setdefault(ring_of(n), []).append(n)
    inner = 0.0
    for ring_no, key in enumerate(sorted(rings)):
        members = sorted(rings[key], key=lambda n: (n["pagetype"] or "", -n["inlinks"], n["key"]))
        count = len(members)
        if inner == 0.0 and count == 1:  # a lone centre (the start page)
            members[0]["x"] = members[0]["y"] = 0.0
            inner = 1.0
            continue
        width = 1.0 + math.sqrt(count) / 4  # roomier rings for crowded depths
        r0 = inner + 1.0
        turn = 2 * math.pi * GOLDEN * ring_no  # so that rings do not all start on the x axis
        for i, n in enumerate(members):
            angle = turn + 2 * math.pi * i / count
            r = r0 + width * ((i * GOLDEN) % 1.0)
            n["x"] = round(r * math.cos(angle), 3)
            n["y"] = round(r * math.sin(angle), 3)
        inner = r0 + width


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

    urls = [r[1] for r in rows]
    nodes = [
        {
            "key": url,
            # An error page's title ("Error response", "Not Found") says nothing about the link.
            "label": f"{_short(url)} ({http_code or 'unreachable'})" if is_broken(http_code) else title or _short(url),
            "size": 0.0,
            "color": OTHER_COLOR,
            "x": 0.0,
            "y": 0.0,
            "depth": depth,
            "pagetype": pagetype,
            "inlinks": inlinks,
            "http_code": http_code,
            "crawled": crawled,
            "broken": is_broken(http_code),
        }
        for _id, url, inlinks, depth, pagetype, title, http_code, crawled in rows
    ]
    top = max((n["inlinks"] for n in nodes), default=0)
    for n in nodes:
        n["size"] = (
            round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.log1p(n["inlinks"]) / math.log1p(top), 2)
            if top
            else 3.0
        )
    legend = _colour(nodes, color_by)
    _layout(nodes, have_depth=any(n["depth"] is not None for n in nodes))
    edges = [{"source": urls[s], "target": urls[t]} for s, t in edge_rows]

    capped = len(edges) < links_between_kept
    links = (
        f"{len(edges):,} of the {links_between_kept:,} links between them: those among the most-linked pages "
        f"first (a link ranks by its less-linked end), capped at {max_edges:,}"
        if capped
        else f"all {len(edges):,} links between them"
    )
    if kept == total_nodes and not capped:
        rule = f"All {total_nodes:,} pages and all {total_edges:,} links."
    elif kept == total_nodes:
        rule = f"All {total_nodes:,} pages; {links}."
    else:
        rule = (
            f"The {kept:,} most-linked of {total_nodes:,} pages (by inlinks, ties by URL); "
            f"{links} (of {total_edges:,} links in all)."
        )
    return {
        "nodes": nodes,
        "edges": edges,
        "rule": rule,
        "total_nodes": total_nodes,
        "total_edges": total_edges,
        "color_by": color_by,
        "legend": legend,
        # Over the whole graph, not only the pages drawn. inlinks count distinct linking pages,
        # which is the number of (distinct) links into a page.
        "broken": {"pages": broken[0], "links": int(broken[1])},
    }


def _group_of(nodes: list[dict[str, Any]]) -> dict[str, str]:
    """Each node's colour group: its segment when the graph has Botify segments, else its first
    folder. A crawl (or ingest, without metadata) sets pagetype to the first path segment, so a
    graph where every pagetype is just that has no segments."""
    segments = any(n["pagetype"] and n["pagetype"] != pagetype_of(n["key"]) for n in nodes)
    return {n["key"]: (n["pagetype"] or "(none)") if segments else first_folder(n["key"]) for n in nodes}


def _colour(nodes: list[dict[str, Any]], color_by: str) -> list[dict[str, Any]]:
    counts: dict[Any, int] = {}  # by page type, or by depth
    if color_by == "pagetype":
        group = _group_of(nodes)
        whole = [n for n in nodes if not n["broken"]]
        for n in whole:
            counts[group[n["key"]]] = counts.get(group[n["key"]], 0) + 1
        ranked = sorted(counts, key=lambda p: (-counts[p], p))
        # All groups when they fit; else the largest MAX_GROUPS - 1 and "other", 10 entries in all.
        shown = ranked if len(ranked) <= MAX_GROUPS else ranked[: MAX_GROUPS - 1]
        colours = {p: PAGETYPE_PALETTE[i] for i, p in enumerate(shown)}
        for n in nodes:
            n["group"] = "broken" if n["broken"] else group[n["key"]]
            n["color"] = BROKEN_COLOR if n["broken"] else colours.get(group[n["key"]], OTHER_COLOR)
        legend = [{"label": p, "color": colours[p], "count": counts[p]} for p in shown]
        rest = sum(counts[p] for p in ranked if p not in colours)
        if rest:
            legend.append({"label": "other", "color": OTHER_COLOR, "count": rest})
        if len(whole) < len(nodes):
            legend.append({"label": "broken (4xx, 5xx, unreachable)", "color": BROKEN_COLOR,
                           "count": len(nodes) - len(whole)})
        return legend
    for n in nodes:
        d = n["depth"]
        n["color"] = OTHER_COLOR if d is None else DEPTH_PALETTE[min(max(d, 0), len(DEPTH_PALETTE) - 1)]
        counts[d] = counts.get(d, 0) + 1
    legend = []
    for d in sorted(counts, key=lambda d: (d is None, d or 0)):
        if d is None:
            legend.append({"label": "unknown depth", "color": OTHER_COLOR, "count": counts[d]})
        else:
            legend.append(
                {
                    "label": f"depth {d}",
                    "color": DEPTH_PALETTE[min(max(d, 0), len(DEPTH_PALETTE) - 1)],
                    "count": counts[d],
                }
            )
    return legend


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
