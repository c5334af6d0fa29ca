"""SEO analyses over a whole ingested link graph, computed in DuckDB (no Python loop over rows).

Each function takes the ``graph.duckdb`` path and returns an :class:`Analysis`: rows as dicts,
the total they were paged from, and a one-sentence ``explanation`` a page can show as it is.
PageRank and HITS (hubs and authorities) are iterative and live in ``ranking``.

- :func:`depth_distribution`, :func:`inlink_distribution`: histograms of the pages.
- :func:`orphans`, :func:`dead_ends`: the full lists, paged with ``limit``/``offset``, under the
  definitions of ``ingest`` (its counts and samples come from the same SQL, so they agree).
- :func:`broken_links`: every link whose target answered 4xx, 5xx or nothing (code 0).
- :func:`segment_flow`: links counted from one segment to another (segment = ``pagetype``).

The file is opened read-only, so analyses run while the viewer reads the same graph. Scratch
tables are TEMP tables, which spill to DuckDB's temp directory next to the file when they
outgrow the memory limit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from cardflow.linkgraph.graphdata import links_table
from cardflow.linkgraph.ingest import MEMORY_LIMIT, THREADS, dead_end_sql, orphan_sql

if TYPE_CHECKING:  # imported where used: DuckDB is slow to import
    import duckdb

__all__ = [
    "Analysis",
    "broken_links",
    "connect",
    "dead_ends",
    "depth_distribution",
    "inlink_distribution",
    "orphans",
    "segment_flow",
]

BROKEN_SQL = "(http_code = 0 OR http_code BETWEEN 400 AND 599)"


@dataclass
class Analysis:
    name: str
    explanation: str  # one sentence, for the page
    rows: list[dict[str, Any]]
    total: int  # rows in the whole result; ``rows`` is the page limit/offset asked for
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. PageRank's iterations, the matrix

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@contextmanager
def connect(db_path: str | os.PathLike[str]) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """A read-only connection and the name of the link table (``links``, or ``edges`` in a
    file ingested before the split). The limits are those of ingest: analyses on 10M links
    then stay within the same memory and spill like it does."""
    import duckdb

    if not os.path.exists(db_path):
        raise FileNotFoundError(f"no link-graph database at {db_path}; run ingest first")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        # SET, not connect(config=...): a second open of the file in this process with another
        # configuration would be refused (see graphdata). These are per-database settings.
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET threads = {THREADS}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        yield con, links_table(con)
    finally:
        con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> int:
    row = con.execute(sql, params).fetchone()
    assert row is not None, sql  # an aggregate always answers one row
    return int(row[0])


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(0, int(limit)), max(0, int(offset))


def depth_distribution(db_path: str | os.PathLike[str]) -> Analysis:
    """Pages per depth, shallowest first; ``depth`` None = not in the metadata."""
    with connect(db_path) as (con, _):
        rows = _rows(con, "SELECT depth, count(*) AS pages FROM nodes GROUP BY depth ORDER BY depth NULLS LAST")
    deep = sum(r["pages"] for r in rows if r["depth"] is not None and r["depth"] > 3)
    return Analysis(
        "depth_distribution",
        "How many clicks from the start page each page is: pages deeper than 3 clicks "
        f"({deep:,} here) are crawled less often and rank worse.",
        rows,
        len(rows),
    )


def inlink_distribution(db_path: str | os.PathLike[str]) -> Analysis:
    """Pages per inlink bucket: 0, 1, 2-3, 4-7, 8-15, ... (powers of two)."""
    with connect(db_path) as (con, _):
        rows = _rows(
            con,
            """
            WITH b AS (SELECT CASE WHEN inlinks = 0 THEN 0 ELSE floor(log2(inlinks))::INTEGER + 1 END AS k
                       FROM nodes)
            SELECT k AS bucket, CASE WHEN k = 0 THEN 0 ELSE 2 ** (k - 1) END::BIGINT AS low,
                   (2 ** k - 1)::BIGINT AS high, count(*) AS pages
            FROM b GROUP BY k ORDER BY k
            """,
        )
    for r in rows:
        r["label"] = str(r["low"]) if r["low"] == r["high"] else f"{r['low']}–{r['high']}"
    return Analysis(
        "inlink_distribution",
        "How many pages receive how many internal links (distinct linking pages, in buckets "
        "doubling in size): a site whose pages mostly sit in the low buckets spreads its links thinly.",
        rows,
        len(rows),
    )


def _page_list(
    db_path: str | os.PathLike[str],
    name: str,
    where_of: Callable[[bool], str],  # has_metadata -> WHERE clause over nodes
    explanation: str,
    limit: int,
    offset: int,
) -> Analysis:
    limit, offset = _page(limit, offset)
    with connect(db_path) as (con, _):
        has_metadata = _count(con, "SELECT count(*) FROM (SELECT 1 FROM nodes WHERE crawled LIMIT 1)") > 0
        where = where_of(has_metadata)
        total = _count(con, f"SELECT count(*) FROM nodes WHERE {where}")
        rows = _rows(
            con,
            f"""
            SELECT url, depth, http_code, pagetype, inlinks, outlinks, title FROM nodes WHERE {where}
            ORDER BY url LIMIT ? OFFSET ?
            """,
            [limit, offset],
        )
    return Analysis(name, explanation, rows, total)


def orphans(db_path: str | os.PathLike[str], limit: int = 100, offset: int = 0) -> Analysis:
    """Crawled pages no page links to (the start page excepted), by URL."""
    return _page_list(
        db_path,
        "orphans",
        lambda _has_metadata: orphan_sql(),
        "Pages in the crawl's metadata that no page links to (the start page excepted): "
        "visitors and search engines cannot reach them by following links.",
        limit,
        offset,
    )


def dead_ends(db_path: str | os.PathLike[str], limit: int = 100, offset: int = 0) -> Analysis:
    """Pages fetched fine that link nowhere (``ingest``'s definition), by URL."""
    return _page_list(
        db_path,
        "dead_ends",
        dead_end_sql,
        "Pages that were fetched fine but link to no other page: link equity and visitors flow "
        "in and stop there.",
        limit,
        offset,
    )


def broken_links(db_path: str | os.PathLike[str], limit: int = 100, offset: int = 0) -> Analysis:
    """Links to pages that answered 4xx, 5xx or nothing (code 0): most-linked broken page first,
    then its sources by their own rank. ``extra["broken_pages"]`` counts the distinct targets."""
    limit, offset = _page(limit, offset)
    with connect(db_path) as (con, links):
        total, pages = con.execute(
            f"""
            SELECT count(*), count(DISTINCT dst) FROM {links}
            WHERE dst IN (SELECT id FROM nodes WHERE {BROKEN_SQL})
            """
        ).fetchone() or (0, 0)
        # Page through the integer ids first; only that page's URLs are looked up.
        rows = _rows(
            con,
            f"""
            WITH p AS (SELECT src, dst FROM {links} WHERE dst IN (SELECT id FROM nodes WHERE {BROKEN_SQL})
                       ORDER BY dst, src LIMIT ? OFFSET ?)
            SELECT s.url AS source, t.url AS target, t.http_code, s.pagetype AS source_pagetype
            FROM p JOIN nodes s ON s.id = p.src JOIN nodes t ON t.id = p.dst
            ORDER BY p.dst, p.src
            """,
            [limit, offset],
        )
    return Analysis(
        "broken_links",
        f"Links that lead to an error page (HTTP 4xx or 5xx) or to no answer at all: {pages:,} "
        "broken pages are linked from the pages listed, which should be fixed or the links removed.",
        rows,
        int(total),
        {"broken_pages": int(pages)},
    )


def segment_flow(db_path: str | os.PathLike[str]) -> Analysis:
    """Links from each segment to each segment (segment = ``pagetype``). ``rows`` are the
    non-zero cells, largest first; ``extra`` holds ``segments`` (by links sent, then name) and
    ``matrix[i][j]``, the links from segment i to segment j."""
    with connect(db_path) as (con, links):
        rows = _rows(
            con,
            f"""
            WITH seg AS (SELECT id, coalesce(pagetype, '') AS s FROM nodes)
            SELECT a.s AS source_segment, b.s AS target_segment, count(*) AS links
            FROM {links} l JOIN seg a ON a.id = l.src JOIN seg b ON b.id = l.dst
            GROUP BY ALL ORDER BY links DESC, source_segment, target_segment
            """,
        )
    sent: dict[str, int] = {}
    for r in rows:
        sent[r["source_segment"]] = sent.get(r["source_segment"], 0) + r["links"]
        sent.setdefault(r["target_segment"], 0)
    segments = sorted(sent, key=lambda s: (-sent[s], s))
    index = {s: i for i, s in enumerate(segments)}
    matrix = [[0] * len(segments) for _ in segments]
    for r in rows:
        matrix[index[r["source_segment"]]][index[r["target_segment"]]] = r["links"]
    return Analysis(
        "segment_flow",
        "How internal links flow between the kinds of page (each row a linking segment, each "
        "column a linked one): it shows which sections feed which, and which get almost nothing.",
        rows,
        len(rows),
        {"segments": segments, "matrix": matrix},
    )
