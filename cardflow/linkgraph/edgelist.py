"""Bring your own edges: an edge list exported by another crawler (Screaming Frog's "All Inlinks",
or any CSV, gzip CSV or Parquet with a source and a destination column), turned into the same
``edges.csv`` and ``metadata.csv`` a Botify export or our crawl gives, so ingest, the view and the
analyses cannot tell the sources apart.

- **Columns** are recognised by their normalised header (lower case, letters and digits only)
  from the spellings crawlers use; each role takes the first spelling found, in priority order, so
  Screaming Frog's ``Destination``/``To`` wins over its ``Target`` (the link's target attribute).
  The user may map them by hand in the step.
- **Rows**: with a type column only hyperlinks are kept (Screaming Frog also lists images,
  canonicals, hreflang...). A link is nofollow when its follow column says false or its rel
  column holds ``nofollow``; nofollow links are counted, and kept unless the user drops them.
- **Status codes** are the destinations' (one per URL, the highest when an export repeats a URL
  with different codes), written as the metadata's ``http_code``: 4xx, 5xx and 0 (no response)
  are the broken links of the view. Sources get no metadata row, so a start page nothing links to
  is not reported as an orphan.

Everything runs in DuckDB with COPY, streamed: no Python loop over rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardflow.linkgraph.crawl import EDGES_HEADER
from cardflow.linkgraph.csvsource import lit

MAX_DEPTH = 100  # levels of breadth-first search; a site deeper than this has other problems

ROLES = ("source", "destination", "status", "follow", "anchor", "type", "rel")
REQUIRED = ("source", "destination")
LABELS = {"source": "Source (the linking page)", "destination": "Destination (the linked page)",
          "status": "Status code of the destination", "follow": "Follow (true/false)", "anchor": "Anchor text",
          "type": "Link type (only “Hyperlink” rows are kept)", "rel": "Rel attribute (nofollow)"}
# Normalised header spellings, best first.
KNOWN: dict[str, tuple[str, ...]] = {
    "source": ("source", "from", "sourceurl", "fromurl", "sourceaddress", "src", "sourcepage", "linkingpage",
               "linkingurl", "referringurl", "referrer", "url"),
    "destination": ("destination", "to", "destinationurl", "tourl", "destinationaddress", "targeturl", "dst",
                    "dest", "linkurl", "linkedurl", "href", "target"),
    "status": ("statuscode", "destinationstatuscode", "httpstatuscode", "httpcode", "httpstatus", "responsecode",
               "code", "status"),
    "follow": ("follow", "isfollow", "followed", "dofollow"),
    "anchor": ("anchor", "anchortext", "linktext", "text", "alttext"),
    "type": ("type", "linktype"),
    "rel": ("rel", "linkrel"),
}
FALSE_WORDS = ("false", "0", "no", "nofollow", "n")


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", header.lower())


def recognise(columns: list[str]) -> dict[str, str]:
    """role -> column, for each role a header spelling was found for (a column serves one role)."""
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(normalise(col), col)
    found: dict[str, str] = {}
    for role in ROLES:
        for spelling in KNOWN[role]:
            match = by_norm.get(spelling)
            if match is not None and match not in found.values():
                found[role] = match
                break
    return found


def check_mapping(mapping: dict[str, str], columns: list[str]) -> dict[str, str]:
    """The mapping with empty roles dropped; unknown columns, a missing source or destination, or one
    column in two roles are refused with a sentence."""
    clean = {r: c for r, c in mapping.items() if r in ROLES and c}
    for role, col in clean.items():
        if col not in columns:
            raise ValueError(f"There is no column “{col[:80]}” in the file (for {role}).")
    missing = [r for r in REQUIRED if r not in clean]
    if missing:
        raise ValueError("Choose the column of the " + " and the ".join(missing) + " of each link.")
    if clean["source"] == clean["destination"]:
        raise ValueError("The source and the destination must be two different columns.")
    return clean


@dataclass
class EdgeCounts:
    rows: int  # data rows in the file
    links: int  # rows kept as links (hyperlinks, both ends filled)
    nofollow: int  # of the links read, those marked nofollow
    dropped_nofollow: int  # nofollow links left out (the user's choice)
    skipped_type: int  # rows of another type (images, canonicals...)
    blank: int  # hyperlink rows with an empty source or destination
    statuses: int  # destinations with a status code (metadata rows)
    start: str = ""  # the page click depths are counted from; "" when none was found

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(col: str | None) -> str:
    return f"trim(CAST({_q(col)} AS VARCHAR))" if col else "NULL::VARCHAR"


def convert(source_sql: str, mapping: dict[str, str], folder: Path, *, keep_nofollow: bool = True,
            memory_limit: str = "512MB", threads: int = 2) -> EdgeCounts:
    """Write ``folder/edges.csv`` (and ``metadata.csv`` when there is a status column) from a SELECT over
    the uploaded file; each through a temp name and a rename. Returns the counts."""
    import os

    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    spill = folder / ".edgelist.spill"
    con = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": memory_limit,
                                             "temp_directory": str(spill), "preserve_insertion_order": False})
    m = mapping
    is_type_ok = f"lower({_text(m['type'])}) = 'hyperlink'" if m.get("type") else "true"
    nofollow_parts = []
    if m.get("follow"):
        nofollow_parts.append(f"lower({_text(m['follow'])}) IN ({', '.join(lit(w) for w in FALSE_WORDS)})")
    if m.get("rel"):
        nofollow_parts.append(f"contains(lower(coalesce({_text(m['rel'])}, '')), 'nofollow')")
    nofollow = " OR ".join(nofollow_parts) or "false"
    rows_sql = (f"SELECT {_text(m['source'])} AS s, {_text(m['destination'])} AS d, {_text(m.get('status'))} AS st, "
                f"coalesce({is_type_ok}, false) AS hyperlink, coalesce({nofollow}, false) AS nofollow "
                f"FROM ({source_sql})")
    keep = "hyperlink AND coalesce(s, '') <> '' AND coalesce(d, '') <> ''" + ("" if keep_nofollow else " AND NOT nofollow")
    edges, meta = folder / "edges.csv", folder / "metadata.csv"
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE TEMP VIEW r AS {rows_sql}")
        counts = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE hyperlink AND coalesce(s, '') <> '' AND coalesce(d, '') <> ''), "
            "count(*) FILTER (WHERE hyperlink AND nofollow AND coalesce(s, '') <> '' AND coalesce(d, '') <> ''), "
            "count(*) FILTER (WHERE NOT hyperlink), "
            "count(*) FILTER (WHERE hyperlink AND (coalesce(s, '') = '' OR coalesce(d, '') = '')) FROM r").fetchone()
        assert counts is not None
        tmp = edges.with_name("edges.csv.tmp")
        con.execute(f"COPY (SELECT s AS {EDGES_HEADER[0]}, d AS {EDGES_HEADER[1]} FROM r WHERE {keep}) "
                    f"TO {lit(str(tmp))} (FORMAT csv, HEADER true)")
        os.replace(tmp, edges)
        meta.unlink(missing_ok=True)
        status_sql = (f"SELECT d AS url, max(TRY_CAST(st AS INTEGER)) AS http_code FROM r WHERE {keep} "
                      "AND TRY_CAST(st AS INTEGER) IS NOT NULL GROUP BY d") if m.get("status") else \
            "SELECT NULL::VARCHAR AS url, NULL::INTEGER AS http_code WHERE false"
        con.execute(f"CREATE TEMP TABLE status AS {status_sql}")
        statuses_row = con.execute("SELECT count(*) FROM status").fetchone()
        statuses = int(statuses_row[0]) if statuses_row else 0
        start = click_depths(con, edges)
        if statuses or start:
            tmp = meta.with_name("metadata.csv.tmp")
            con.execute("COPY (SELECT coalesce(s.url, p.url) AS url, s.http_code, p.depth FROM status s "
                        "FULL OUTER JOIN depths p ON p.url = s.url) "
                        f"TO {lit(str(tmp))} (FORMAT csv, HEADER true)")
            os.replace(tmp, meta)
    finally:
        con.close()
        import shutil

        shutil.rmtree(spill, ignore_errors=True)
    rows, links, nf, skipped, blank = (int(v) for v in counts)
    return EdgeCounts(rows=rows, links=links, nofollow=nf, dropped_nofollow=0 if keep_nofollow else nf,
                      skipped_type=skipped, blank=blank, statuses=statuses, start=start)


def click_depths(con: Any, edges: Path, max_depth: int = MAX_DEPTH) -> str:
    """Fill the temp table ``depths(url, depth)`` with each page's click depth from the start page,
    breadth first over the kept links, and return the start page ("" when there is none).

    An export from another crawler has no depth column, yet depth is the first thing an audit of
    internal linking asks. The start page is the home page (``scheme://host/``) of the host most
    links come from, when it links to anything; otherwise depths stay unknown, as before. One
    level per query: a recursive CTE would carry every path, not every page."""
    con.execute(f"CREATE TEMP TABLE e AS SELECT DISTINCT source AS s, target AS d FROM read_csv({lit(str(edges))}, "
                "header = true, all_varchar = true)")
    con.execute("CREATE TEMP TABLE depths (url VARCHAR, depth INTEGER)")
    found = con.execute(
        "WITH h AS (SELECT regexp_extract(s, '^(https?://[^/?#]+)', 1) AS origin, count(*) AS n FROM e GROUP BY 1) "
        "SELECT origin || '/' FROM h WHERE origin <> '' AND EXISTS (SELECT 1 FROM e WHERE e.s = origin || '/') "
        "ORDER BY n DESC, origin LIMIT 1").fetchone()
    if not found:
        return ""
    start = str(found[0])
    con.execute("INSERT INTO depths VALUES (?, 0)", [start])
    for level in range(max_depth):
        added = con.execute(
            "INSERT INTO depths SELECT DISTINCT e.d, ? FROM e JOIN depths f ON f.url = e.s AND f.depth = ? "
            "ANTI JOIN depths x ON x.url = e.d", [level + 1, level]).fetchone()
        if not added or not added[0]:
            break
    return start
