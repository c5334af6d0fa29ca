"""SEO analyses over a whole ingested link graph, computed in DuckDB (no Python loop over rows).

Each function takes the ``graph.duckdb`` path and returns an :class:`Analysis`: rows as dicts,
the total they were paged from, and a one-sentence ``explanation`` a page can show as it is.
PageRank and HITS (hubs and authorities) are iterative and live in ``ranking``.

- :func:`depth_distribution`, :func:`inlink_distribution`: histograms of the pages.
- :func:`orphans`, :func:`dead_ends`: the full lists, paged with ``limit``/``offset``, under the
  definitions of ``ingest`` (its counts and samples come from the same SQL, so they agree).
- :func:`broken_links`: every link whose target answered 4xx, 5xx or nothing (code 0);
  :func:`broken_targets`: the same, one row a broken page with the pages linking to it.
- :func:`segment_flow`: links counted from one segment to another (segment = ``pagetype``).

The file is opened read-only, so analyses run while the viewer reads the same graph. Scratch
tables are TEMP tables, which spill to DuckDB's temp directory next to the file when they
outgrow the memory limit.

The paged analyses take ``csv=PATH``: the whole result, in the columns of ``rows``, is then also
written there by DuckDB's ``COPY`` (no row passes through Python), for a download.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from cardflow import csv_safe
from cardflow.linkgraph.graphdata import links_table
from cardflow.linkgraph.ingest import MEMORY_LIMIT, THREADS, dead_end_sql, orphan_sql

if TYPE_CHECKING:  # imported where used: DuckDB is slow to import
    import duckdb

__all__ = [
    "Analysis",
    "broken_links",
    "broken_targets",
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


CsvPath = str | os.PathLike[str] | None


def copy_csv(con: duckdb.DuckDBPyConnection, sql: str, path: CsvPath) -> None:
    """Write a query's whole answer to ``path`` as CSV with a header (nothing when ``path`` is None).
    COPY writes a file, not the database, so it works on the read-only connection. Text columns
    are guarded against running as spreadsheet formulas (csv_safe.py): a site's page types are
    its own words."""
    if path is None:
        return
    shape = con.execute(f"DESCRIBE ({sql})").fetchall()
    columns = []
    for name, kind, *_ in shape:
        quoted = '"' + str(name).replace('"', '""') + '"'
        columns.append(f"{csv_safe.sql_cell(quoted)} AS {quoted}" if kind == "VARCHAR" else quoted)
    target = os.fspath(path).replace("'", "''")
    con.execute(f"COPY (SELECT {', '.join(columns)} FROM ({sql})) TO '{target}' "
                "(FORMAT csv, HEADER, DELIMITER ',', QUOTE '\"')")


def by_segment(con: duckdb.DuckDBPyConnection, where: str, value: str = "count(*)") -> list[dict[str, Any]]:
    """``value`` per segment (``pagetype``) over the nodes matching ``where``, largest first."""
    return _rows(con, f"""SELECT coalesce(pagetype, '') AS segment, {value} AS value FROM nodes WHERE {where}
                          GROUP BY ALL ORDER BY value DESC, segment""")


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
    csv: CsvPath = None,
) -> Analysis:
    limit, offset = _page(limit, offset)
    with connect(db_path) as (con, _):
        has_metadata = _count(con, "SELECT count(*) FROM (SELECT 1 FROM nodes WHERE crawled LIMIT 1)") > 0
        where = where_of(has_metadata)
        total = _count(con, f"SELECT count(*) FROM nodes WHERE {where}")
        select = f"SELECT url, depth, http_code, pagetype, inlinks, outlinks, title FROM nodes WHERE {where} ORDER BY url"
        rows = _rows(con, f"{select} LIMIT ? OFFSET ?", [limit, offset])
        copy_csv(con, select, csv)
        segments = by_segment(con, where)
    return Analysis(name, explanation, rows, total, {"by_segment": segments})


def orphans(db_path: str | os.PathLike[str], limit: int = 100, offset: int = 0, csv: CsvPath = None) -> Analysis:
    """Crawled pages no page links to (the start page excepted), by URL. ``extra["by_segment"]``:
    ``[{segment, value}]``, the count per segment (here and in :func:`dead_ends`)."""
    return _page_list(
        db_path,
        "orphans",
        lambda _has_metadata: orphan_sql(),
        "Pages in the crawl's metadata that no page links to (the start page excepted): "
        "visitors and search engines cannot reach them by following links.",
        limit,
        offset,
        csv,
    )


def dead_ends(db_path: str | os.PathLike[str], limit: int = 100, offset: int = 0, csv: CsvPath = None) -> Analysis:
    """Pages fetched fine that link nowhere (``ingest``'s definition), by URL."""
    return _page_list(
        db_path,
        "dead_ends",
        dead_end_sql,
        "Pages that were fetched fine but link to no other page: link equity and visitors flow "
        "in and stop there.",
        limit,
        offset,
        csv,
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


def broken_targets(
    db_path: str | os.PathLike[str], limit: int = 100, offset: int = 0, csv: CsvPath = None, *, sources: int = 5
) -> Analysis:
    """One row a broken page that some page links to: ``{target, http_code, source_count, sources}``,
    most-linked first. ``sources`` lists the first few linking pages (by their own rank); the CSV has
    them all, one a line in the cell. ``extra["by_code"]``: ``[{http_code, pages, links}]``."""
    limit, offset = _page(limit, offset)
    with connect(db_path) as (con, links):

        def select(listed: str) -> str:
            return f"""
                WITH b AS (SELECT id, url, http_code FROM nodes WHERE {BROKEN_SQL}),
                     l AS (SELECT l.dst, s.id AS sid, s.url AS surl FROM {links} l JOIN b ON b.id = l.dst
                           JOIN nodes s ON s.id = l.src)
                SELECT b.url AS target, b.http_code, count(*) AS source_count, {listed} AS sources
                FROM l JOIN b ON b.id = l.dst GROUP BY b.id, b.url, b.http_code
                ORDER BY source_count DESC, target"""

        first = f"list(l.surl ORDER BY l.sid)[1:{max(1, int(sources))}]"
        rows = _rows(con, f"{select(first)} LIMIT ? OFFSET ?", [limit, offset])
        copy_csv(con, select("string_agg(l.surl, chr(10) ORDER BY l.sid)"), csv)
        codes = _rows(
            con,
            f"""SELECT t.http_code, count(DISTINCT l.dst) AS pages, count(*) AS links FROM {links} l
                JOIN nodes t ON t.id = l.dst WHERE {BROKEN_SQL.replace("http_code", "t.http_code")}
                GROUP BY t.http_code ORDER BY t.http_code""",
        )
    pages, total_links = sum(c["pages"] for c in codes), sum(c["links"] for c in codes)
    return Analysis(
        "broken_targets",
        f"Pages that answer with an error (HTTP 4xx or 5xx) or not at all, and the pages linking to them: "
        f"{total_links:,} links lead to these {pages:,} pages, so fix each link or the page it points to.",
        rows,
        pages,
        {"by_code": codes, "links": total_links},
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
