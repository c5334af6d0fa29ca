"""DuckDB over uploaded files: describe a file once, then page, sort and aggregate it, never loading it.

Every read is a streaming scan: a page is ``LIMIT/OFFSET`` (DuckDB stops reading once it has the
rows), a sort is a top-N (it keeps only offset + page-size rows while it scans), a chart is a GROUP
BY over at most a few hundred groups. The connection has a memory limit and spills to
``<data dir>/uploads/.spill``, so a 1 GB CSV previews in a few tens of MB (bench/preview_rss.py).

A CSV's dialect and column types are sniffed once, at upload, from a sample, and stored with the
file; later reads pass them explicitly, so no page re-sniffs the file. When a later row does not
fit the sampled types, the upload falls back to text columns rather than failing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardflow.fields import ValidationError

if TYPE_CHECKING:
    import duckdb

MEMORY_LIMIT = "256MB"
THREADS = 2
SAMPLE_ROWS = 20_480
MAX_COLUMNS = 500
_counts: dict[str, int] = {}  # row counts of query results, by their SQL (files are immutable)


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def connect(data_dir: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    import duckdb

    spill = Path(data_dir) / "uploads" / ".spill"
    con = duckdb.connect(":memory:", config={"threads": THREADS, "memory_limit": MEMORY_LIMIT,
                                             "temp_directory": str(spill)})
    con.execute("SET enable_progress_bar = false")
    return con


def read_sql(path: Path, fmt: str, read: dict[str, Any] | None = None) -> str:
    """A table function reading the file; `read` is the dialect stored at upload (CSV only)."""
    p = lit(str(path))
    if fmt == "parquet":
        return f"read_parquet({p})"
    if fmt == "json":
        return f"read_json_auto({p})"
    if read:
        cols = "{" + ", ".join(f"{lit(c['name'])}: {lit(c['type'])}" for c in read["columns"]) + "}"
        return (f"read_csv({p}, auto_detect = false, header = {str(bool(read['header'])).lower()}, "
                f"delim = {lit(read['delim'])}, quote = {lit(read['quote'])}, escape = {lit(read['escape'])}, "
                f"skip = {int(read['skip'])}, strict_mode = true, null_padding = false, columns = {cols})")
    return f"read_csv({p}, sample_size = {SAMPLE_ROWS})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def _sniff_csv(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, Any]:
    first = _first_text_line(path)
    hint = 1 if first.lower().startswith("sep=") else 0  # a spreadsheet's "sep=," line is not data
    row = con.execute("SELECT Delimiter, Quote, Escape, SkipRows, HasHeader, Columns FROM "
                      f"sniff_csv({lit(str(path))}, sample_size = {SAMPLE_ROWS}, strict_mode = true, "
                      f"null_padding = false, skip = {hint})").fetchone()
    assert row is not None
    delim, quote, escape, skip, header, columns = row
    # The sniffer copes with a ragged file by skipping its first lines, or by reading each line as
    # one column: either way the file is not the table it claims to be.
    ragged = skip > hint or \
        (len(columns) == 1 and any(c in first for c in ",;\t"))
    if ragged:
        raise ValidationError("This is not a readable CSV file: its lines do not all have the same columns.")

    def char(v: str) -> str:
        return "" if v == "(empty)" else v

    return {"delim": char(delim), "quote": char(quote), "escape": char(escape), "skip": int(skip),
            "header": bool(header), "columns": [{"name": c["name"], "type": c["type"]} for c in columns]}


def _first_text_line(path: Path) -> str:
    import gzip

    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as f:
        return f.readline(65536).decode("utf-8", "replace").lstrip("\ufeff")


def describe(data_dir: str | os.PathLike[str], path: Path, fmt: str) -> dict[str, Any]:
    """{"rows", "columns": [names], "types": [...], "read": CSV dialect or None}; a file DuckDB
    cannot read is a ValidationError with DuckDB's first line, never a traceback."""
    import duckdb

    con = connect(data_dir)
    kind = "CSV" if fmt.startswith("csv") else fmt.upper()
    try:
        read = _sniff_csv(con, path) if fmt.startswith("csv") else None
        if read is not None and len(read["columns"]) < 2 and not read["header"]:
            raise ValidationError("This does not look like a CSV file: no header line and no columns were found.")
        src = read_sql(path, fmt, read)
        # count(COLUMNS(*)) makes DuckDB parse every value (count(*) alone reads no column at all),
        # so a value that does not fit its sniffed type is found now, not on some later page.
        try:
            rows = con.execute(f"SELECT count(*), count(COLUMNS(*)) FROM {src}").fetchone()
        except duckdb.ConversionException:
            if read is None:
                raise
            # A value past the sample does not fit its column's sniffed type: read every column as text.
            read["columns"] = [{"name": c["name"], "type": "VARCHAR"} for c in read["columns"]]
            src = read_sql(path, fmt, read)
            rows = con.execute(f"SELECT count(*) FROM {src}").fetchone()
        described = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
    except ValidationError:
        raise
    except duckdb.Error as exc:
        raise ValidationError(f"This file is not readable as {kind}: {_first_line(exc)}") from None
    finally:
        con.close()
    if not described:
        raise ValidationError(f"This {kind} file has no columns.")
    if len(described) > MAX_COLUMNS:
        raise ValidationError(f"This file has {len(described):,} columns; at most {MAX_COLUMNS} are shown.")
    return {"rows": int(rows[0]) if rows else 0, "columns": [str(r[0]) for r in described],
            "types": [str(r[1]) for r in described], "read": read}


@dataclass(frozen=True)
class Source:
    """Rows to show: a SELECT (over a file, or a query over files) and what is known of it."""

    sql: str
    columns: list[str]
    types: list[str]
    rows: int | None  # known at upload; None for a query result (counted once, then cached)
    label: str


@dataclass(frozen=True)
class Page:
    columns: list[str]
    types: list[str]
    rows: list[list[Any]]
    total: int
    page: int  # from 1
    pages: int
    size: int
    sort: str | None
    desc: bool

    def to_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "total": self.total, "page": self.page,
                "pages": self.pages, "page_size": self.size, "sort": self.sort, "desc": self.desc}


def plain(value: Any) -> Any:
    """A cell as a JSON value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)


def check_column(source: Source, name: str | None, what: str = "sort") -> str | None:
    if name in (None, ""):
        return None
    if name not in source.columns:
        raise ValidationError(f"There is no column “{str(name)[:80]}” to {what} by. "
                              f"The columns are: {', '.join(source.columns[:30])}.", field=what)
    return name


def count(data_dir: str | os.PathLike[str], source: Source) -> int:
    if source.rows is not None:
        return source.rows
    if source.sql not in _counts:
        con = connect(data_dir)
        try:
            row = con.execute(f"SELECT count(*) FROM ({source.sql})").fetchone()
        finally:
            con.close()
        if len(_counts) > 256:
            _counts.clear()
        _counts[source.sql] = int(row[0]) if row else 0
    return _counts[source.sql]


def page(data_dir: str | os.PathLike[str], source: Source, number: int = 1, size: int = 50,
         sort: str | None = None, desc: bool = False) -> Page:
    """One page of rows, sorted by a column the source has (checked, then quoted)."""
    import duckdb

    sort = check_column(source, sort)
    total = count(data_dir, source)
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    order = f" ORDER BY {q(sort)} {'DESC' if desc else 'ASC'} NULLS LAST" if sort else ""
    con = connect(data_dir)
    try:
        rows = con.execute(f"SELECT * FROM ({source.sql}){order} LIMIT {size} OFFSET {(number - 1) * size}").fetchall()
    except duckdb.Error as exc:
        raise ValidationError(f"The rows could not be read: {_first_line(exc)}") from None
    finally:
        con.close()
    return Page(source.columns, source.types, [[plain(v) for v in r] for r in rows], total, number, pages, size,
                sort, desc)


def points(data_dir: str | os.PathLike[str], source: Source, x: str, y: str | None, limit: int = 500
           ) -> tuple[list[Any], list[float]]:
    """Chart data: y summed (or rows counted when y is None) for each x, in x order, at most `limit` points."""
    import duckdb

    check_column(source, x, "x")
    if y is not None:
        check_column(source, y, "y")
    value = f"sum(TRY_CAST({q(y)} AS DOUBLE))" if y else "count(*)"
    con = connect(data_dir)
    try:
        rows = con.execute(f"SELECT {q(x)} AS x, {value} AS y FROM ({source.sql}) GROUP BY 1 "
                           f"ORDER BY 1 NULLS LAST LIMIT {int(limit)}").fetchall()
    except duckdb.Error as exc:
        raise ValidationError(f"The chart could not be computed: {_first_line(exc)}") from None
    finally:
        con.close()
    return [plain(r[0]) for r in rows], [float(r[1]) if r[1] is not None else 0.0 for r in rows]
