"""CSV cells a spreadsheet opens as text, never as a formula (CSV injection, CWE-1236).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, ``=cmd|...``). Cardflow's
downloads carry text it did not write: a crawled site's page types, a user's batch keys and
values. Such a cell gets a leading apostrophe, which spreadsheets show as text (OWASP's advice).
A number (``-3``, ``+1.5e3``) is left alone: it is data, not a formula. Files kept as they came
(a Botify export, a crawl's edges) are guarded on the way out instead (`stream_file`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cell(value: Any) -> Any:
    """``value`` as it may go into a CSV: text that would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _is_number(value):
        return "'" + value
    return value


def row(values: Sequence[Any]) -> list[Any]:
    return [cell(v) for v in values]


def rows(values: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    return (row(r) for r in values)


def sql_cell(column: str) -> str:
    """The same guard as a DuckDB expression over the text column ``column`` (a quoted identifier)."""
    return (f"CASE WHEN regexp_matches({column}, '^[=+\\-@\\t\\r]') AND TRY_CAST({column} AS DOUBLE) IS NULL "
            f"THEN '''' || {column} ELSE {column} END")


def stream_file(path: Path, chunk_rows: int = 2000) -> Iterator[str]:
    """A CSV file's text with every cell guarded, a chunk of rows at a time (exports reach millions
    of rows). The file on disk keeps the site's own text; only the download is guarded."""
    with path.open(newline="", encoding="utf-8", errors="replace") as source:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for n, values in enumerate(csv.reader(source), start=1):
            writer.writerow(row(values))
            if n % chunk_rows == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        if out.tell():
            yield out.getvalue()
