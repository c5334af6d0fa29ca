"""Reading a batch: CSV text with a `key` column and one column per step id, or a list of keys.

A problem with the whole file (no header, no `key` column, an unknown column) refuses it: nothing
is created and the message says what the columns may be. A problem with one row (a duplicate key,
a key that is not a key, more cells than columns) refuses that row only, with its line number;
the other rows still run. Cell values are not checked here: each step's own field checks them when
the row runs, so a batch gives exactly the message the form would.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from cardflow.errors import Problem

KEY_COLUMN = "key"
MAX_ROWS = 5000
MAX_CHARS = 5_000_000


@dataclass(frozen=True)
class ParsedRow:
    line: int  # where it is in the file, for messages
    key: str
    cells: dict[str, str] = field(default_factory=dict)  # step id -> its cell, for the columns given
    error: str = ""  # why this row is refused; "" when it can run


@dataclass(frozen=True)
class ParsedBatch:
    columns: list[str]  # the step ids the file has columns for
    rows: list[ParsedRow]

    @property
    def runnable(self) -> int:
        return sum(1 for r in self.rows if not r.error)


def parse_batch(text: str, step_ids: list[str], clean_key: Callable[[str], str]) -> ParsedBatch:
    """The rows of `text`. `clean_key` checks a key as the key box does (raises Problem)."""
    if len(text) > MAX_CHARS:
        raise Problem(f"The file is too large: at most {MAX_CHARS // 1_000_000} MB of text.", 413, field="file")
    text = text.removeprefix("\ufeff")  # a byte-order mark, as spreadsheet programs write
    if "\x00" in text:
        raise Problem("The file is not text (it contains NUL bytes): save it as CSV.", field="file")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise Problem("The batch is empty: give a CSV with a header row, or one key per line.", field="file")
    header = _cells(first)
    if not any(c.strip().lower() == KEY_COLUMN for c in header):
        if len(header) > 1:
            raise Problem(f"The header row has no “{KEY_COLUMN}” column: the first row must name the columns, "
                          f"“{KEY_COLUMN}” and any of the step ids ({', '.join(step_ids)}).", field="file")
        # One value per line and no header: a list of keys, each row stopping at the first step.
        rows = [(n, [line]) for n, line in enumerate(lines, 1) if line.strip()]
        return _rows([KEY_COLUMN], rows, [], clean_key)
    columns = _columns(header, step_ids)
    reader = csv.reader(io.StringIO(text))
    records: list[tuple[int, list[str]]] = []
    try:
        started = False
        for record in reader:
            if not any(c.strip() for c in record):
                continue
            if not started:  # the header itself
                started = True
                continue
            records.append((reader.line_num, record))
    except csv.Error as exc:
        raise Problem(f"The CSV cannot be read at line {reader.line_num}: {exc}.", field="file") from None
    return _rows(columns, records, [c for c in columns if c != KEY_COLUMN], clean_key)


def _cells(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return [line]


def _columns(header: list[str], step_ids: list[str]) -> list[str]:
    by_name = {s.lower(): s for s in step_ids}
    columns: list[str] = []
    unknown: list[str] = []
    for n, raw in enumerate(header, 1):
        name = raw.strip()
        if not name:
            raise Problem(f"Column {n} of the header row has no name: name it “{KEY_COLUMN}” or a step id "
                          f"({', '.join(step_ids)}).", field="file")
        if name.lower() == KEY_COLUMN:
            columns.append(KEY_COLUMN)
        elif name.lower() in by_name:
            columns.append(by_name[name.lower()])
        else:
            unknown.append(name)
            columns.append(name)
    if unknown:
        listed = ", ".join(f"“{u[:60]}”" for u in unknown)
        raise Problem(f"Unknown column{'s' if len(unknown) > 1 else ''} {listed}. The columns are "
                      f"“{KEY_COLUMN}” and the step ids: {', '.join(step_ids)}.", field="file")
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise Problem(f"The column{'s' if len(twice) > 1 else ''} {', '.join(twice)} appear more than once.",
                      field="file")
    return columns


def _rows(columns: list[str], records: list[tuple[int, list[str]]], steps: list[str],
          clean_key: Callable[[str], str]) -> ParsedBatch:
    if not records:
        raise Problem("The batch has a header but no rows.", field="file")
    if len(records) > MAX_ROWS:
        raise Problem(f"The batch has {len(records)} rows; at most {MAX_ROWS} run at once: split the file.",
                      413, field="file")
    seen: dict[str, int] = {}
    rows: list[ParsedRow] = []
    for line, record in records:
        cells = dict(zip(columns, record, strict=False))
        raw_key = cells.pop(KEY_COLUMN, "")
        error = ""
        try:
            key = clean_key(raw_key)
        except Problem as exc:
            key, error = raw_key.strip()[:200], str(exc)
        if not error and len(record) > len(columns) and any(c.strip() for c in record[len(columns):]):
            error = f"This line has {len(record)} cells but the header has {len(columns)} columns."
        if not error and key in seen:
            error = f"The key “{key}” is already on line {seen[key]}; each key runs once."
        seen.setdefault(key, line)
        rows.append(ParsedRow(line, key, {s: cells.get(s, "") for s in steps}, error))
    return ParsedBatch(steps, rows)
