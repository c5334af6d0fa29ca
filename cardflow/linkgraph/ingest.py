"""Load a link-graph export (Botify's, or our crawler's) into a DuckDB file.

Input files (plain or gzip, told apart by magic bytes, never by name):

- **edges**: a header line, then one row per link, source URL then target URL. Columns are
  taken by position, so Botify's verbose headers work; columns after the second are ignored.
  A first line ``sep=,`` (Botify's ``print_delimiter``) is skipped.
- **metadata** (optional): ``url,http_code,depth,title,description,pagetype,compliant``, also
  by position; a file with fewer columns leaves the rest NULL.

All aggregation runs in DuckDB (no Python loop over rows), with ``threads`` and
``memory_limit`` set, and a spill directory next to the database, so size never makes an ingest
fail: 1,000,000 edges ingest in about 3 s; 10,000,000 in 20-35 s on 2 busy shared cores (27 s of
CPU) with a peak RSS near 800 MB (``bench/linkgraph_ingest.py``; docs/benchmarks.md). How:

1. The edges file is read twice, streamed, never stored as text: once for the distinct URLs,
   once for the distinct (source, target) pairs as 64-bit hashes of the URLs. Storing the rows
   first (the old plan) wrote and re-read every URL twice, and joining 10M rows to a URL table
   on strings pinned two large hash tables at once (the "failed to pin block" error).
2. The hash is checked to be one-to-one on this file's URLs (a count of distinct hashes); on a
   collision, which is very unlikely, the URLs are re-hashed with a salt, so the ids stay exact.
3. Everything after that joins and groups integers: a few bytes a row, and every operator used
   (hash aggregate, hash join, sort) spills to the spill directory when it outgrows the limit.
   ``preserve_insertion_order`` is off, as only the final tables' order matters (set by ORDER BY).
4. A full disk, or one too small to start with, raises :class:`DiskFullError` (an ``OSError``)
   with a sentence the job can show, and leaves no partial files behind.

The database holds:
- ``nodes(url, inlinks, outlinks, depth, pagetype, http_code, title, description, compliant,
  crawled, id)``: every URL that is an edge end or in the metadata. ``inlinks``/``outlinks``
  count distinct other pages. ``pagetype`` is the metadata's, else the URL's first path segment
  (``home`` for the root), the rule the crawler uses. ``crawled`` = present in the metadata.
  ``id`` is the page's rank by (inlinks descending, URL), from 0; rows are stored in that order.
- ``links(src, dst)``: the distinct links, without self-links and empty cells, as node ids,
  sorted by (src, dst). Repeated rows add nothing to a graph (and sigma.js refuses parallel
  edges); both are counted in the summary (``edge_rows``, ``self_links``). Readers use this table.
- ``edges(source, target, src, dst)``: a view adding the URLs to ``links``, for ad-hoc SQL. The
  URLs are not stored per link: writing them was a third of the old ingest's time at 10M links.
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

import errno
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardflow.linkgraph.crawl import EDGES_HEADER, METADATA_HEADER
from cardflow.linkgraph.csvsource import lit, read_csv_sql

if TYPE_CHECKING:  # imported where used: DuckDB is slow to import and only ingest needs it
    import duckdb

__all__ = ["EDGES_HEADER", "METADATA_HEADER", "DiskFullError", "GraphSummary", "default_db_path", "ingest"]

# DuckDB's buffer pool. Above it operators spill; the process peak stays below this plus about
# 200 MB of DuckDB's own allocations. 256 MB failed at 10M edges (two joins' hash tables pinned
# at once); at 512 MB a hash aggregate right after a big table build still failed now and then
# to get a 64 MB block. 1 GB leaves room on any machine meant for 10M-link sites.
MEMORY_LIMIT = "1GB"
THREADS = 2
# Disk needed while building, per byte of the input files (gzip): the scratch database, spill
# files and result peaked at about 2.6x at 10M edges; 4x refuses only a surely hopeless start.
DISK_FACTOR = 4
SALTS = 4  # re-hash attempts after a hash collision (each is about a 1-in-10^6 event at 10M URLs)

# The rule the crawler's pagetype_of() applies, in SQL, for URLs without metadata.
PAGETYPE_FROM_URL = (
    "coalesce(nullif(regexp_extract({col}, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/([^/?#]*)', 1), ''), 'home')"
)


class DiskFullError(OSError):
    """The disk filled up (or was too small to start): the message says where and how much."""


@dataclass
class GraphSummary:
    db_path: str
    node_count: int
    edge_count: int  # distinct links between two different pages (rows of `links`)
    edge_rows: int  # data rows read from the edges file
    self_links: int  # rows whose source and target are the same page (not in `links`)
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


def _one(con: duckdb.DuckDBPyConnection | _Retrying, sql: str) -> tuple[Any, ...]:
    """The one row an aggregate query answers (an aggregate always answers one)."""
    row = con.execute(sql).fetchone()
    assert row is not None, sql
    return row


def _key(col: str, salt: int) -> str:
    """SQL for a URL's 64-bit key (NULL for a blank cell). A salt changes every key, for the
    rare file where two URLs share a hash (``hash(x, salt)`` would not: it combines hash(x))."""
    salted = col if salt == 0 else f"{col} || '#{salt}'"
    return f"CASE WHEN {col} <> '' THEN hash({salted}) END"


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    text = str(exc)
    # DuckDB reports a full disk as an IO error from the OS, or, for the spill files, as an
    # out-of-memory error naming the temp-directory cap (by default 90% of the free space).
    return "No space left on device" in text or "max_temp_directory_size" in text


def _disk_full(where: Path, cause: str) -> DiskFullError:
    free = shutil.disk_usage(where).free
    err = DiskFullError(
        f"Not enough disk space to build the link graph in {where} ({free / 1e6:,.0f} MB free): {cause}. "
        "Free some space, or move the data directory to a larger disk, and run this step again."
    )
    err.errno = errno.ENOSPC  # set after: OSError(errno, text) would prefix "[Errno 28]" to the text
    return err


class _Retrying:
    """A connection whose ``execute`` retries once on one thread after DuckDB runs out of memory:
    a failed CREATE TABLE AS leaves nothing behind, and one thread needs half the buffers (a
    hash aggregate or a CSV scan reserves them per thread), so the retry fits where the first
    try did not. A full disk is not retried."""

    def __init__(self, con: duckdb.DuckDBPyConnection, threads: int) -> None:
        self.con, self.threads = con, threads

    def execute(self, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        import duckdb

        try:
            return self.con.execute(sql, params)
        except duckdb.OutOfMemoryException as exc:
            if _is_disk_full(exc):
                raise
            self.con.execute("SET threads = 1")
            try:
                return self.con.execute(sql, params)
            finally:
                self.con.execute(f"SET threads = {self.threads}")


def _build(con: _Retrying, edges_sql: str, meta_sql: str) -> tuple[int, int, int]:
    """Create ``nodes`` and ``links`` (and scratch tables); return (edge_rows, self_links,
    metadata_rows)."""
    # One row per URL, the shallowest if the file repeats one. Exports rarely repeat a URL, so
    # the rows are loaded as they come and only sorted when a duplicate shows up.
    con.execute(
        f"""
        CREATE TABLE scratch.meta AS
        SELECT url, TRY_CAST(http_code AS INTEGER) AS http_code, TRY_CAST(depth AS INTEGER) AS depth, title,
               description, nullif(pagetype, '') AS pagetype,
               CASE lower(compliant) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true
                    WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false END AS compliant
        FROM ({meta_sql}) WHERE url <> ''
        """
    )
    metadata_rows, distinct = _one(con, "SELECT count(*), count(DISTINCT url) FROM scratch.meta")
    if distinct < metadata_rows:
        con.execute(
            "CREATE TABLE scratch.meta1 AS SELECT DISTINCT ON (url) * FROM scratch.meta ORDER BY url, depth NULLS LAST"
        )
        con.execute("DROP TABLE scratch.meta")
        con.execute("ALTER TABLE scratch.meta1 RENAME TO meta")
    # First pass over the edges: the distinct URLs (unnest reads each row once for both ends).
    con.execute(
        f"""
        CREATE TABLE scratch.urls AS
        SELECT DISTINCT url FROM (SELECT unnest([source, target]) AS url FROM ({edges_sql})
                                  UNION ALL SELECT url FROM scratch.meta)
        WHERE url <> ''
        """
    )
    for salt in range(SALTS):
        if _one(con, f"SELECT count(*) = count(DISTINCT {_key('url', salt)}) FROM scratch.urls")[0]:
            break
    else:  # four independent 64-bit collisions in one file: not a real-world case
        raise RuntimeError("could not give every URL a distinct key; please report this file")
    # Second pass: the distinct links as key pairs; blank cells give NULL keys, kept here so
    # that the row count is exact, and dropped by the joins below.
    con.execute(
        f"""
        CREATE TABLE scratch.pairs AS
        SELECT {_key('source', salt)} AS s, {_key('target', salt)} AS t, count(*) AS n
        FROM ({edges_sql}) GROUP BY ALL
        """
    )
    edge_rows, self_links = _one(
        con, "SELECT coalesce(sum(n), 0)::BIGINT, coalesce(sum(n) FILTER (WHERE s = t), 0)::BIGINT FROM scratch.pairs"
    )
    # id = rank by (inlinks desc, url): the view's "top N pages" is then simply id < N. The
    # ranking runs on a narrow table; the metadata's wide columns join in afterwards.
    con.execute(
        f"""
        CREATE TABLE scratch.ranked AS
        WITH l AS (SELECT s, t FROM scratch.pairs WHERE s <> t),
             outs AS (SELECT s AS h, count(*) AS n FROM l GROUP BY s),
             ins AS (SELECT t AS h, count(*) AS n FROM l GROUP BY t),
             u AS (SELECT url, {_key('url', salt)} AS h FROM scratch.urls)
        SELECT u.h, u.url, coalesce(ins.n, 0)::INTEGER AS inlinks, coalesce(outs.n, 0)::INTEGER AS outlinks,
               (row_number() OVER (ORDER BY coalesce(ins.n, 0) DESC, u.url) - 1)::INTEGER AS id
        FROM u LEFT JOIN ins USING (h) LEFT JOIN outs USING (h)
        """
    )
    con.execute(
        f"""
        CREATE TABLE nodes AS
        SELECT r.url, r.inlinks, r.outlinks, m.depth,
               coalesce(m.pagetype, {PAGETYPE_FROM_URL.format(col="r.url")}) AS pagetype,
               m.http_code, m.title, m.description, m.compliant, (m.url IS NOT NULL) AS crawled, r.id
        FROM scratch.ranked r LEFT JOIN scratch.meta m ON {_key('m.url', salt)} = r.h
        ORDER BY r.id
        """
    )
    con.execute(
        """
        CREATE TABLE links AS
        SELECT a.id AS src, b.id AS dst
        FROM scratch.pairs p JOIN scratch.ranked a ON a.h = p.s JOIN scratch.ranked b ON b.h = p.t
        WHERE p.s <> p.t
        ORDER BY src, dst
        """
    )
    con.execute(
        """
        CREATE VIEW edges AS
        SELECT a.url AS source, b.url AS target, l.src, l.dst
        FROM links l JOIN nodes a ON a.id = l.src JOIN nodes b ON b.id = l.dst
        """
    )
    return int(edge_rows), int(self_links), int(distinct)


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
    """Build (or rebuild) the DuckDB file for a link graph and return its summary.

    Raises :class:`DiskFullError` when the disk is too small for the job or fills up on the way."""
    import duckdb

    t0 = time.perf_counter()
    edges_path = Path(edges_path)
    meta = Path(meta_path) if meta_path else None
    db = Path(db_path) if db_path else default_db_path(edges_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(db.name + ".building")
    scratch = db.with_name(db.name + ".scratch")  # intermediate tables, deleted at the end
    spill = db.with_name(db.name + ".spill")  # DuckDB's temp files: on the data disk, not /tmp
    leftovers = [p.with_name(p.name + sfx) for p in (tmp, scratch) for sfx in ("", ".wal")]
    for stale in leftovers:
        stale.unlink(missing_ok=True)
    shutil.rmtree(spill, ignore_errors=True)
    inputs = edges_path.stat().st_size + (meta.stat().st_size if meta else 0)
    if shutil.disk_usage(db.parent).free < DISK_FACTOR * inputs:
        raise _disk_full(db.parent, f"it needs about {DISK_FACTOR * inputs / 1e6:,.0f} MB while it runs")

    con = duckdb.connect(
        str(tmp),
        config={
            "threads": threads,
            "memory_limit": memory_limit,
            "preserve_insertion_order": False,
            "temp_directory": str(spill),
        },
    )
    try:
        con.execute("SET enable_progress_bar = false")  # ingest runs in jobs: no bar on stdout
        con.execute(f"ATTACH {lit(str(scratch))} AS scratch")
        edges_sql = read_csv_sql(con, edges_path, EDGES_HEADER, 2)
        if edges_sql is None:
            edges_sql = "SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS target WHERE false"
        meta_sql = read_csv_sql(con, meta, METADATA_HEADER, 1) if meta else None
        if meta_sql is None:
            meta_sql = (
                "SELECT " + ", ".join(f"NULL::VARCHAR AS {c}" for c in METADATA_HEADER) + " WHERE false"
            )
        edge_rows, self_links, metadata_rows = _build(_Retrying(con, threads), edges_sql, meta_sql)
        con.execute("DETACH scratch")
        scratch.unlink(missing_ok=True)  # frees its disk space before the summary and checkpoint
        summary = _summarize(con, db, top_n, sample_limit, edge_rows, self_links, metadata_rows)
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
    except BaseException as exc:
        con.close()
        for p in leftovers:
            p.unlink(missing_ok=True)
        shutil.rmtree(spill, ignore_errors=True)
        if isinstance(exc, Exception) and _is_disk_full(exc):
            raise _disk_full(db.parent, "the disk filled up while it ran") from exc
        raise
    con.close()
    for p in leftovers[1:]:  # all but the finished file
        p.unlink(missing_ok=True)
    shutil.rmtree(spill, ignore_errors=True)
    os.replace(tmp, db)
    return summary


def _summarize(
    con: duckdb.DuckDBPyConnection, db: Path, top_n: int, sample_limit: int, rows: int, selfs: int, meta: int
) -> GraphSummary:
    """Counts, the most-linked pages, and the orphan and dead-end samples (definitions in the
    module docstring; ``analysis.orphans``/``dead_ends`` page through the full lists)."""
    node_count = _one(con, "SELECT count(*) FROM nodes")[0]
    edge_count = _one(con, "SELECT count(*) FROM links")[0]
    top = [
        {"url": u, "inlinks": n, "title": t}
        for u, n, t in con.execute(
            "SELECT url, inlinks, title FROM nodes WHERE inlinks > 0 ORDER BY inlinks DESC, url LIMIT ?", [top_n]
        ).fetchall()
    ]
    orphan_where, dead_where = orphan_sql(), dead_end_sql(meta > 0)
    orphan_count, dead_end_count = _one(
        con, f"SELECT count(*) FILTER (WHERE {orphan_where}), count(*) FILTER (WHERE {dead_where}) FROM nodes"
    )
    samples = [
        [r[0] for r in con.execute(f"SELECT url FROM nodes WHERE {w} ORDER BY url LIMIT ?", [sample_limit]).fetchall()]
        for w in (orphan_where, dead_where)
    ]
    return GraphSummary(
        db_path=str(db), node_count=node_count, edge_count=edge_count, edge_rows=rows, self_links=selfs,
        metadata_rows=meta, top=top, orphan_count=orphan_count, orphans=samples[0],
        dead_end_count=dead_end_count, dead_ends=samples[1],
    )


def orphan_sql() -> str:
    """WHERE clause over ``nodes`` for orphans (shared with ``analysis`` so the lists agree)."""
    return "crawled AND inlinks = 0 AND depth IS DISTINCT FROM 0"


def dead_end_sql(has_metadata: bool) -> str:
    """WHERE clause over ``nodes`` for dead ends (see the module docstring)."""
    if not has_metadata:
        return "outlinks = 0"
    return (
        "crawled AND outlinks = 0 AND coalesce(http_code, 200) = 200 AND (depth IS NULL OR depth <= "
        "coalesce((SELECT max(depth) FROM nodes WHERE outlinks > 0), depth))"
    )
