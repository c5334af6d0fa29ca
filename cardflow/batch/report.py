"""What a batch says about itself: each row's status and step values, as data and as CSV.

A row's values are read from its key's workflow state, not from the file: what the export and the
grid show is what is saved. A row stopped for a person that the person has since finished (the key
is finalized) reports as done.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from cardflow import csv_safe
from cardflow.batch.schema import Batch, BatchRow
from cardflow.batch.store import Counts
from cardflow.steps import Step

FINISHED_BY_HAND = "Finished by hand."


@dataclass(frozen=True)
class RowReport:
    id: int
    line: int
    key: str
    status: str
    step: str  # the step it reached: where it stopped, failed or runs
    message: str
    values: dict[str, str]  # step id -> the saved value ("" when the step is not done)
    done_steps: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "key": self.key, "status": self.status, "step": self.step,
                "message": self.message, "values": self.values}


def row_report(steps: list[Step], row: BatchRow, state: dict[str, Any]) -> RowReport:
    values: dict[str, str] = {}
    done: list[str] = []
    for step in steps:
        data = state.get(step.id) if row.status != "refused" else None  # its key may be another row's
        if isinstance(data, dict):
            done.append(step.id)
            values[step.id] = text_of(step.value_of(data))
        else:
            values[step.id] = ""
    status, message = row.status, row.message
    if status == "stopped" and state.get("finalize", {}).get("finalized"):
        status, message = "done", FINISHED_BY_HAND
    return RowReport(int(row.id or 0), row.line, row.key, status, "" if status == "done" else row.step, message,
                     values, done)


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def counts_of(reports: list[RowReport]) -> Counts:
    by: dict[str, int] = {}
    for r in reports:
        by[r.status] = by.get(r.status, 0) + 1
    return Counts(by)


def batch_dict(batch: Batch, reports: list[RowReport]) -> dict[str, Any]:
    counts = counts_of(reports)
    return {"batch": batch.id, "app": batch.app_name, "status": batch.status, "source": batch.source,
            "created": batch.created, "counts": counts.by_status, "summary": counts.text(),
            "rows": [r.as_dict() for r in reports]}


def export_csv(steps: list[Step], reports: list[RowReport]) -> str:
    """One line per key: the key, its status, where it stopped and why, then each step's value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "status", "step", "message", *[s.id for s in steps]])
    for r in reports:
        # Keys and values are the user's words: a spreadsheet must show "=1+1", not compute it.
        writer.writerow(csv_safe.row([r.key, r.status, r.step, r.message, *[r.values[s.id] for s in steps]]))
    return out.getvalue()


def row_line(row: BatchRow) -> str:
    """One line per row for a terminal: line, key, status, and where and why it stopped."""
    where = f" at {row.step}" if row.step and row.status not in ("done", "queued") else ""
    why = f": {row.message}" if row.message and row.status != "done" else ""
    return f"line {row.line}  {row.key}  {row.status}{where}{why}"
