"""Internal PageRank and HITS (hubs and authorities) over a whole link graph, iterated in SQL.

Each iteration is one pass over the ``links`` table: a hash join of the links with the current
scores (one row a page, a few MB even at a million pages) and a group-by on the target, so the
work grows with the number of links and spills like any DuckDB join. Scores live in TEMP tables
of a read-only connection (``analysis.connect``); nothing is written to the graph file.

- **PageRank**: damping 0.85; a page with no outlinks spreads its score evenly over all pages
  (dangling mass), so the scores always sum to 1. Iterates until the scores move by less than
  ``tol`` in total (L1), or ``max_iter`` times.
- **HITS**: a page's authority is the sum of the hub scores of the pages linking to it; its
  hub score the sum of the authorities it links to; both scaled to sum 1 after each step.
  A fixed, small number of iterations: the ranking settles well before the scores do.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from cardflow.linkgraph.analysis import Analysis, CsvPath, _count, _page, _rows, connect, copy_csv

if TYPE_CHECKING:
    import duckdb

__all__ = ["hits", "hubs_and_authorities", "pagerank"]

DAMPING = 0.85
MAX_ITER = 100
# Stop when the scores moved by less than this in total (L1). Not networkx's N * 1e-6, which
# at a million pages stops after 3 iterations with ranks still 1-2% off; at 1e-4 the largest
# scores are within about 0.1% of their limit.
TOL = 1e-4
HITS_ITER = 10


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    row = con.execute(sql).fetchone()
    return float(row[0] or 0.0) if row else 0.0


def compute_pagerank(
    con: duckdb.DuckDBPyConnection, links: str, damping: float = DAMPING, max_iter: int = MAX_ITER, tol: float = TOL
) -> tuple[int, int]:
    """Fill TEMP table ``pr(id, r)``; return (iterations run, page count)."""
    n = _count(con, "SELECT count(*) FROM nodes")
    con.execute("CREATE OR REPLACE TEMP TABLE pr_out AS SELECT id, outlinks FROM nodes")
    con.execute(f"CREATE OR REPLACE TEMP TABLE pr AS SELECT id, 1.0 / {max(n, 1)} AS r FROM pr_out")
    done = 0
    while n and done < max_iter:
        done += 1
        dangling = _scalar(con, "SELECT sum(r) FROM pr JOIN pr_out USING (id) WHERE outlinks = 0")
        base = (1.0 - damping) / n + damping * dangling / n
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE pr_next AS
            WITH c AS (SELECT id, r / outlinks AS c FROM pr JOIN pr_out USING (id) WHERE outlinks > 0),
                 s AS (SELECT l.dst AS id, sum(c.c) AS s FROM {links} l JOIN c ON c.id = l.src GROUP BY l.dst)
            SELECT o.id, {base!r} + {damping!r} * coalesce(s.s, 0) AS r FROM pr_out o LEFT JOIN s USING (id)
            """
        )
        change = _scalar(con, "SELECT sum(abs(a.r - b.r)) FROM pr a JOIN pr_next b USING (id)")
        con.execute("DROP TABLE pr")
        con.execute("ALTER TABLE pr_next RENAME TO pr")
        if change < tol:
            break
    return done, n


def pagerank(
    db_path: str | os.PathLike[str],
    limit: int = 100,
    offset: int = 0,
    *,
    damping: float = DAMPING,
    max_iter: int = MAX_ITER,
    tol: float = TOL,
    csv: CsvPath = None,
) -> Analysis:
    """Pages by internal PageRank, highest first (ties by the ingest's id: inlinks, then URL).
    Rows: ``{url, pagerank, inlinks, outlinks, pagetype, depth}``; ``pagerank`` sums to 1 over
    all pages. ``extra``: ``iterations``, ``damping``, ``share_top_1pc`` (the rank held by the top 1%),
    ``by_segment`` (``[{segment, value}]``: the rank each segment holds in all)."""
    limit, offset = _page(limit, offset)
    with connect(db_path) as (con, links):
        iterations, n = compute_pagerank(con, links, damping, max_iter, tol)
        rows = _rows(
            con,
            """
            WITH p AS (SELECT id, r FROM pr ORDER BY r DESC, id LIMIT ? OFFSET ?)
            SELECT n.url, p.r AS pagerank, n.inlinks, n.outlinks, n.pagetype, n.depth
            FROM p JOIN nodes n USING (id) ORDER BY p.r DESC, p.id
            """,
            [limit, offset],
        )
        copy_csv(con, """SELECT n.url, p.r AS pagerank, n.inlinks, n.outlinks, n.pagetype, n.depth
                         FROM pr p JOIN nodes n USING (id) ORDER BY p.r DESC, p.id""", csv)
        top = max(1, n // 100)
        share = _scalar(con, f"SELECT sum(r) FROM (SELECT r FROM pr ORDER BY r DESC LIMIT {top})")
        segments = _rows(con, """SELECT coalesce(n.pagetype, '') AS segment, sum(p.r) AS value FROM pr p
                                 JOIN nodes n USING (id) GROUP BY ALL ORDER BY value DESC, segment""")
    return Analysis(
        "pagerank",
        "Internal PageRank: the share of the site's link equity each page gets when a visitor follows "
        f"random links (85% of the time) or jumps anywhere; the top 1% of pages hold {share:.0%} of it here.",
        rows,
        n,
        {"iterations": iterations, "damping": damping, "share_top_1pc": share, "by_segment": segments},
    )


def compute_hits(con: duckdb.DuckDBPyConnection, links: str, iterations: int = HITS_ITER) -> None:
    """Fill TEMP table ``hits(id, hub, authority)``, each score summing to 1 (0 without links)."""
    # Score tables hold only the pages with a non-zero score (an inner join drops the rest
    # anyway), and each step divides by the previous step's total instead of rewriting the
    # table to scale it: one pass over the links per half-step, plus a sum over the pages.
    con.execute("CREATE OR REPLACE TEMP TABLE hub AS SELECT id, 1.0 AS v FROM nodes")
    for _ in range(max(1, iterations)):
        for out, src_col, dst_col, inp in (("auth", "src", "dst", "hub"), ("hub", "dst", "src", "auth")):
            # auth(p) = sum of hub(q) over links q -> p; hub(p) = sum of auth(q) over links p -> q.
            total = _scalar(con, f"SELECT sum(v) FROM {inp}") or 1.0
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE {out} AS
                SELECT l.{dst_col} AS id, sum(x.v) / {total!r} AS v FROM {links} l JOIN {inp} x ON x.id = l.{src_col}
                GROUP BY l.{dst_col}
                """
            )
    hub_total = _scalar(con, "SELECT sum(v) FROM hub") or 1.0
    auth_total = _scalar(con, "SELECT sum(v) FROM auth") or 1.0
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE hits AS
        SELECT n.id, coalesce(h.v, 0) / {hub_total!r} AS hub, coalesce(a.v, 0) / {auth_total!r} AS authority
        FROM nodes n LEFT JOIN hub h USING (id) LEFT JOIN auth a USING (id)
        """
    )


EXPLAIN_HITS = {
    "authority": "Authorities: pages that many good hubs link to, the pages the site's own linking votes for most.",
    "hub": "Hubs: pages that link to many good authorities, such as category pages and menus that spread "
    "link equity.",
}


def _hits_page(
    con: duckdb.DuckDBPyConnection, by: str, limit: int, offset: int, iterations: int, csv: CsvPath
) -> Analysis:
    """One ranking out of the ``hits`` TEMP table that :func:`compute_hits` filled."""
    total = _count(con, "SELECT count(*) FROM hits")
    rows: list[dict[str, Any]] = _rows(
        con,
        f"""
        WITH p AS (SELECT id, hub, authority FROM hits ORDER BY {by} DESC, id LIMIT ? OFFSET ?)
        SELECT n.url, p.hub, p.authority, n.inlinks, n.outlinks, n.pagetype
        FROM p JOIN nodes n USING (id) ORDER BY p.{by} DESC, p.id
        """,
        [limit, offset],
    )
    copy_csv(con, f"""SELECT n.url, p.hub, p.authority, n.inlinks, n.outlinks, n.pagetype
                      FROM hits p JOIN nodes n USING (id) ORDER BY p.{by} DESC, p.id""", csv)
    return Analysis(f"hits_{by}", EXPLAIN_HITS[by], rows, total, {"iterations": iterations})


def hits(
    db_path: str | os.PathLike[str],
    by: str = "authority",
    limit: int = 100,
    offset: int = 0,
    *,
    iterations: int = HITS_ITER,
    csv: CsvPath = None,
) -> Analysis:
    """Pages by authority (``by="authority"``) or hub score, highest first. Rows: ``{url, hub,
    authority, inlinks, outlinks, pagetype}``."""
    if by not in ("authority", "hub"):
        raise ValueError("by must be 'authority' or 'hub'")
    limit, offset = _page(limit, offset)
    with connect(db_path) as (con, links):
        compute_hits(con, links, iterations)
        return _hits_page(con, by, limit, offset, iterations, csv)


def hubs_and_authorities(
    db_path: str | os.PathLike[str],
    limit: int = 100,
    *,
    iterations: int = HITS_ITER,
    csv_hubs: CsvPath = None,
    csv_authorities: CsvPath = None,
) -> tuple[Analysis, Analysis]:
    """Both HITS rankings from one computation (the iterations are the costly part)."""
    limit, _ = _page(limit, 0)
    with connect(db_path) as (con, links):
        compute_hits(con, links, iterations)
        return (_hits_page(con, "hub", limit, 0, iterations, csv_hubs),
                _hits_page(con, "authority", limit, 0, iterations, csv_authorities))
