"""How ingest reads an export's CSV files: compression by magic bytes, Botify's ``sep=,`` line,
columns by position (see ``ingest``'s docstring for the file formats)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: DuckDB is slow to import
    import duckdb

__all__ = ["lit", "read_csv_sql"]

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"


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


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def read_csv_sql(
    con: duckdb.DuckDBPyConnection, path: Path, names: tuple[str, ...], min_columns: int
) -> str | None:
    """A SELECT over the CSV renaming its columns by position to ``names`` (missing ones
    NULL, extra ones dropped), or None when the file has no header line."""
    compression, skip, has_header = _sniff(path)
    if not has_header:
        return None
    src = (
        f"read_csv({lit(str(path))}, header = true, all_varchar = true, delim = ',', quote = '\"', "
        f"escape = '\"', compression = {lit(compression)}, skip = {skip})"
    )
    cols = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
    if len(cols) < min_columns:
        raise ValueError(f"{path}: expected at least {min_columns} columns, found {len(cols)}: {cols}")
    select = ", ".join(
        f"{_q(cols[i])} AS {name}" if i < len(cols) else f"NULL::VARCHAR AS {name}"
        for i, name in enumerate(names)
    )
    return f"SELECT {select} FROM {src}"
