"""Load a link-graph export (Botify's, or our crawler's) into a DuckDB file.

Input files (plain or gzip, told apart by magic bytes, never by name):

- **edges**: a header line, then one row per link, source URL then target URL. Columns are
  taken by position, so Botify's verbose headers work; columns after the second are ignored.
  A first line ``sep=,`` (Botify's ``print_delimiter``) is skipped.
- **metadata** (optional): ``url,http_code,depth,title,description,pagetype,compliant``, also
  by position; a file with fewer columns leaves the rest NULL.

All aggregation runs in DuckDB (no Python loop over rows), with ``threads`` and
``memory_limit`` set so a 1,000,000-edge export ingests in under 10 s with a peak RSS under
500 MB (the budgets ``bench/linkgraph_ingest.py`` checks). The rows are first loaded
as they are into a scratch database file (streamed to disk), every URL gets an integer, and the
grouping and joins run on integers; so the work spills to disk instead of failing when a file is
bigger than the memory limit (3,000,000 edges ingest within the same 256 MB limit, in about 10 s).

The database holds:

- ``nodes(url, inlinks, outlinks, depth, pagetype, http_code, title, description, compliant,
  crawled, id)``: every URL that is an edge end or in the metadata. ``inlinks``/``outlinks``
  count distinct other pages. ``pagetype`` is the metadata's, else the URL's first path segment
  (``home`` for the root), the rule the crawler uses. ``crawled`` = present in the metadata.
  ``id`` is the page's rank by (inlinks descending, URL), from 0; rows are stored in that order.
- ``edges(source, target, src, dst)``: the distinct links, without self-links and empty cells,
  as URLs and as node ids (the ids make the view's joins integer joins). Repeated rows add
  nothing to a graph (and sigma.js refuses parallel edges); both are counted in the summary
  (``edge_rows``, ``self_links``). Stored sorted by (src, dst).
- ``summary(key, value)``: the :class:`GraphSummary` fields, JSON-encoded, so a view can show
  them without recomputing.

Definitions used in the summary:

- **orphan**: a page in the metadata that no page links to, except depth 0 (the start page).
- **dead end**: a page with no outlinks that we know was fetched fine: with metadata, a crawled
  page with http_code 200 (or none given) no deeper than the deepest page that has outlinks
  (deeper pages were cut off by the export's depth filter, not by the site); without metadata,
  any URL with no outlinks (so the crawl frontier counts too).

The file is built under a temporary name and renamed into place, so a reader never sees a
half-built database.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardflow.linkgraph.crawl import EDGES_HEADER, METADATA_HEADER

if TYPE_CHECKING:  # imported where used: DuckDB is slow to import and only ingest needs it
    import duckdb

__all__ = ["EDGES_HEADER", "METADATA_HEADER", "GraphSummary", "default_db_path", "ingest"]

MEMORY_LIMIT = "256MB"  # DuckDB's buffer pool; the process peak is this plus the runtime
THREADS = 2

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"

# The rule the crawler's pagetype_of() applies, in SQL, for URLs without metadata.
PAGETYPE_FROM_URL = (
    "coalesce(nullif(regexp_extract({col}, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/([^/?#]*)', 1), ''), 'home')"
)


@dataclass
class GraphSummary:
    db_path: str
    node_count: int
    edge_count: int  # distinct links between two different pages (rows of `edges`)
    edge_rows: int  # data rows read from the edges file
    self_links: int  # rows whose source and target are the same page (not in `edges`)
    metadata_rows: int  # distinct URLs read from the metadata file (0 without one)
    top: list[dict[str, Any]] = field(default_factory=list)  # [{url, inlinks, title}], most linked first
    orphan_count: int = 0
    orphans: list[str] = field(default_factory=list)  # the first `sample_limit`, by URL
    dead_end_count: int = 0
    dead_ends: list[str] = field(default_factory=list)  # the first `sample_limit`, by URL
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_db_path(edges_path: str | os.PathLike[str]) -> Path:
    """``/x/edges.csv.gz`` -> ``/x/edges.duckdb``."""
    p = Path(edges_path)
    name = p.name
    for suffix in (".gz", ".csv", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return p.with_name((name or "graph") + ".duckdb")


def _sniff(path: Path) -> tuple[str, int, bool]:
    """(compression, lines to skip, has a header line) for a CSV file."""
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic.startswith(ZIP_MAGIC):
        raise ValueError(f"{path} is a zip archive; unpack it first (gzip and plain CSV are read directly)")
    compression = "gzip" if magic.startswith(GZIP_MAGIC) else "none"
    opener = gzip.open if compression == "gzip" else open
    with opener(path, "rb") as f:
        first = f.readline(65536)
        second = f.readline(65536) if first else b""
    first_text = first.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    if first_text.lower().startswith("sep="):
        if first_text[4:5] not in ("", ","):
            raise ValueError(f"{path}: only comma-separated files are supported (found {first_text!r})")
        return compression, 1, bool(second.strip())
    return compression, 0, bool(first_text)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The one row an aggregate query answers (an aggregate always answers one)."""
    row = con.execute(sql).fetchone()
    assert row is not None, sql
    return row


def _read_csv_sql(
    con: duckdb.DuckDBPyConnection, path: Path, names: tuple[str, ...], min_columns: int
) -> str | None:
    """A SELECT over the CSV renaming its columns by position to ``names`` (missing ones
    NULL, extra ones dropped), or None when the file has no header line."""
    compression, skip, has_header = _sniff(path)
    if not has_header:
        return None
    src = (
        f"read_csv({_lit(str(path))}, header = true, all_varchar = true, delim = ',', quote = '\"', "
        f"escape = '\"', compression = {_lit(compression)}, skip = {skip})"
    )
    cols = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
    if len(cols) < min_columns:
        raise ValueError(f"{path}: expected at least {min_columns} columns, found {len(cols)}: {cols}")
    select = ", ".join(
        f"{_q(cols[i])} AS {name}" if i < len(cols) else f"NULL::VARCHAR AS {name}"
        for i, name in enumerate(names)
    )
    return f"SELECT {select} FROM {src}"


def ingest(
    edges_path: str | os.PathLike[str],
    meta_path: str | os.PathLike[str] | None = None,
    db_path: str | os.PathLike[str] | None = None,
    *,
    top_n: int = 20,
    sample_limit: int = 100,
    memory_limit: str = MEMORY_LIMIT,
    threads: int = THREADS,
) -> GraphSummary:
    """Build (or rebuild) the DuckDB file for a link graph and return its summary."""
    import duckdb

    t0 = time.perf_counter()
    edges_path = Path(edges_path)
    meta = Path(meta_path) if meta_path else None
    db = Path(db_path) if db_path else default_db_path(edges_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(db.name + ".building")
    scratch = db.with_name(db.name + ".scratch")  # intermediate tables, deleted at the end
    leftovers = [p.with_name(p.name + sfx) for p in (tmp, scratch) for sfx in ("", ".wal")]
    for stale in leftovers:
        stale.unlink(missing_ok=True)

    con = duckdb.connect(
        str(tmp),
        config={
            "threads": threads,
            "memory_limit": memory_limit,
            "preserve_insertion_order": False,
            "temp_directory": str(db.with_name(db.name + ".spill")),
        },
    )
    try:
        con.execute("SET enable_progress_bar = false")  # ingest runs in jobs: no bar on stdout
        con.execute(f"ATTACH {_lit(str(scratch))} AS scratch")
        edges_sql = _read_csv_sql(con, edges_path, EDGES_HEADER, 2)
        if edges_sql is None:
            edges_sql = "SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS target WHERE false"
        meta_sql = _read_csv_sql(con, meta, METADATA_HEADER, 1) if meta else None
        if meta_sql is None:
            meta_sql = (
                "SELECT " + ", ".join(f"NULL::VARCHAR AS {c}" for c in METADATA_HEADER) + " WHERE false"
            )
        # Plan: load the rows as they are (streamed to disk, so any size fits the memory
        # limit), give every URL an integer, and do the grouping and joins on integers.
        con.execute(f"CREATE TABLE scratch.raw AS {edges_sql}")
        # One row per URL (the shallowest if the file repeats one).
        con.execute(
            f"""
            CREATE TABLE scratch.meta AS
            SELECT DISTINCT ON (url) url, TRY_CAST(http_code AS INTEGER) AS http_code,
                   TRY_CAST(depth AS INTEGER) AS depth, title, description, nullif(pagetype, '') AS pagetype,
                   CASE lower(compliant) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true
                        WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false END AS compliant
            FROM ({meta_sql}) WHERE url IS NOT NULL AND url <> ''
            ORDER BY url, TRY_CAST(depth AS INTEGER) NULLS LAST
            """
        )
        con.execute(
            """
            CREATE TABLE scratch.urls AS
            SELECT url, (row_number() OVER () - 1)::INTEGER AS uid
            FROM (SELECT source AS url FROM scratch.raw UNION SELECT target FROM scratch.raw
                  UNION SELECT url FROM scratch.meta)
            WHERE url <> ''
            """
        )
        # Identical rows grouped; rows with a blank cell drop out in the joins.
        con.execute(
            """
            CREATE TABLE scratch.pairs AS
            SELECT a.uid AS s, b.uid AS t, count(*) AS n
            FROM scratch.raw r JOIN scratch.urls a ON a.url = r.source JOIN scratch.urls b ON b.url = r.target
            GROUP BY ALL
            """
        )
        edge_rows = _one(con, "SELECT count(*) FROM scratch.raw")[0]
        self_links = _one(con, "SELECT coalesce(sum(n), 0)::BIGINT FROM scratch.pairs WHERE s = t")[0]
        # id = rank by (inlinks desc, url): the view's "top N pages" is then simply id < N.
        con.execute(
            f"""
            CREATE TABLE nodes AS
            WITH l AS (SELECT s, t FROM scratch.pairs WHERE s <> t),
                 outs AS (SELECT s AS uid, count(*) AS n FROM l GROUP BY s),
                 ins AS (SELECT t AS uid, count(*) AS n FROM l GROUP BY t),
                 j AS (
                    SELECT u.uid, u.url,
                           coalesce(ins.n, 0)::INTEGER AS inlinks,
                           coalesce(outs.n, 0)::INTEGER AS outlinks,
                           m.depth,
                           coalesce(m.pagetype, {PAGETYPE_FROM_URL.format(col="u.url")}) AS pagetype,
                           m.http_code, m.title, m.description, m.compliant,
                           (m.url IS NOT NULL) AS crawled
                    FROM scratch.urls u
                    LEFT JOIN ins USING (uid) LEFT JOIN outs USING (uid) LEFT JOIN scratch.meta m ON m.url = u.url
                 )
            SELECT url, inlinks, outlinks, depth, pagetype, http_code, title, description, compliant, crawled,
                   (row_number() OVER (ORDER BY inlinks DESC, url) - 1)::INTEGER AS id, uid
            FROM j ORDER BY id
            """
        )
        con.execute(
            """
            CREATE TABLE edges AS
            SELECT a.url AS source, b.url AS target, a.id AS src, b.id AS dst
            FROM scratch.pairs p JOIN nodes a ON a.uid = p.s JOIN nodes b ON b.uid = p.t
            WHERE p.s <> p.t
            ORDER BY src, dst
            """
        )
        con.execute("ALTER TABLE nodes DROP COLUMN uid")
        metadata_rows = _one(con, "SELECT count(*) FROM scratch.meta")[0]
        con.execute("DETACH scratch")
        has_meta = metadata_rows > 0

        node_count = _one(con, "SELECT count(*) FROM nodes")[0]
        edge_count = _one(con, "SELECT count(*) FROM edges")[0]
        top = [
            {"url": u, "inlinks": n, "title": t}
            for u, n, t in con.execute(
                "SELECT url, inlinks, title FROM nodes WHERE inlinks > 0 ORDER BY inlinks DESC, url LIMIT ?",
                [top_n],
            ).fetchall()
        ]
        orphan_where = "crawled AND inlinks = 0 AND depth IS DISTINCT FROM 0"
        if has_meta:
            dead_where = (
                "crawled AND outlinks = 0 AND coalesce(http_code, 200) = 200 AND (depth IS NULL OR depth <= "
                "coalesce((SELECT max(depth) FROM nodes WHERE outlinks > 0), depth))"
            )
        else:
            dead_where = "outlinks = 0"
        orphan_count, dead_end_count = _one(
            con, f"SELECT count(*) FILTER (WHERE {orphan_where}), count(*) FILTER (WHERE {dead_where}) FROM nodes"
        )
        orphans = [
            r[0]
            for r in con.execute(
                f"SELECT url FROM nodes WHERE {orphan_where} ORDER BY url LIMIT ?", [sample_limit]
            ).fetchall()
        ]
        dead_ends = [
            r[0]
            for r in con.execute(
                f"SELECT url FROM nodes WHERE {dead_where} ORDER BY url LIMIT ?", [sample_limit]
            ).fetchall()
        ]

        summary = GraphSummary(
            db_path=str(db),
            node_count=node_count,
            edge_count=edge_count,
            edge_rows=int(edge_rows),
            self_links=int(self_links),
            metadata_rows=metadata_rows,
            top=top,
            orphan_count=orphan_count,
            orphans=orphans,
            dead_end_count=dead_end_count,
            dead_ends=dead_ends,
        )
        summary.seconds = round(time.perf_counter() - t0, 3)
        info = summary.to_dict() | {
            "edges_file": str(edges_path),
            "metadata_file": str(meta) if meta else None,
            "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "duckdb_version": duckdb.__version__,
        }
        con.execute("CREATE TABLE summary (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.executemany("INSERT INTO summary VALUES (?, ?)", [(k, json.dumps(v)) for k, v in info.items()])
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        for p in leftovers:
            p.unlink(missing_ok=True)
        raise
    con.close()
    for p in leftovers[1:]:  # all but the finished file
        p.unlink(missing_ok=True)
    os.replace(tmp, db)
    return summary
