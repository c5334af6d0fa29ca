"""Batches and their rows in SQLite: what survives a restart.

A batch is created with all its rows in one transaction (a crash never leaves half a batch). A row
goes queued -> running -> done, stopped (a step needs a person), failed, refused (it could not
run as given) or cancelled. Only the status lives here; a row's progress is its key's workflow
state, so re-running a row after a restart skips every step already done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cardflow.batch.parse import ParsedBatch
from cardflow.batch.schema import Batch, BatchRow
from cardflow.db import Database, now_iso
from cardflow.errors import NotFoundProblem

ROW_STATUSES = ("queued", "running", "stopped", "failed", "refused", "done", "cancelled")
OPEN = ("queued", "running")
RETRYABLE = ("failed", "cancelled")


@dataclass(frozen=True)
class Counts:
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def __getitem__(self, status: str) -> int:
        return self.by_status.get(status, 0)

    def text(self) -> str:
        return ", ".join(f"{n} {s}" for s in ROW_STATUSES if (n := self.by_status.get(s, 0)))


def batch_id(batch: Batch) -> int:
    if batch.id is None:
        raise ValueError("This batch was never saved")
    return batch.id


class BatchStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.batches = db.table("batch")
        self.rows = db.table("batch_row")

    # -- writing ---------------------------------------------------------------------------
    def create(self, app: str, profile_id: int, actor: str, source: str, parsed: ParsedBatch) -> Batch:
        stamp = now_iso()
        with self.db.transaction():
            batch: Batch = self.batches.insert(Batch(app_name=app, profile_id=profile_id, actor=actor, status="running",
                                                     source=source[:200], columns=json.dumps(parsed.columns),
                                                     created=stamp, updated=stamp))
            for r in parsed.rows:
                self.db.conn.execute(
                    "INSERT INTO batch_row (batch_id, line, key, cells, status, message, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (batch.id, r.line, r.key, json.dumps(r.cells), "refused" if r.error else "queued", r.error, stamp))
        return batch

    def set_row(self, row_id: int, **values: Any) -> BatchRow:
        values["updated"] = now_iso()
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.db.transaction():
            self.db.conn.execute(f"UPDATE batch_row SET {sets} WHERE id = ?", (*values.values(), row_id))
        row: BatchRow = self.rows[row_id]
        return row

    def set_status(self, batch_id: int, status: str) -> None:
        with self.db.transaction():
            self.db.conn.execute("UPDATE batch SET status = ?, updated = ? WHERE id = ?", (status, now_iso(), batch_id))

    def claim(self, batch_id: int) -> BatchRow | None:
        """The next queued row, now marked running (one statement: no two workers get the same row)."""
        with self.db.transaction():
            found = self.db.query("SELECT id FROM batch_row WHERE batch_id = ? AND status = 'queued' "
                                  "ORDER BY id LIMIT 1", (batch_id,))
            if not found:
                return None
            self.db.conn.execute("UPDATE batch_row SET status = 'running', message = '', updated = ? WHERE id = ?",
                                 (now_iso(), found[0]["id"]))
        row: BatchRow = self.rows[found[0]["id"]]
        return row

    def requeue_running(self, batch_id: int) -> None:
        """At start-up: rows that were running when the process stopped run again (from their state)."""
        with self.db.transaction():
            self.db.conn.execute("UPDATE batch_row SET status = 'queued', updated = ? "
                                 "WHERE batch_id = ? AND status = 'running'", (now_iso(), batch_id))

    def cancel_queued(self, batch_id: int) -> None:
        with self.db.transaction():
            self.db.conn.execute("UPDATE batch_row SET status = 'cancelled', message = 'Cancelled before it ran.', "
                                 "updated = ? WHERE batch_id = ? AND status = 'queued'", (now_iso(), batch_id))
            self.db.conn.execute("UPDATE batch SET status = 'cancelled', updated = ? WHERE id = ?",
                                 (now_iso(), batch_id))

    def requeue_failed(self, batch_id: int) -> int:
        """Failed and cancelled rows back in the queue; returns how many."""
        with self.db.transaction():
            n = self.db.query("SELECT count(*) AS n FROM batch_row WHERE batch_id = ? AND status IN (?, ?)",
                              (batch_id, *RETRYABLE))[0]["n"]
            if n:
                self.db.conn.execute("UPDATE batch_row SET status = 'queued', message = '', job_id = NULL, "
                                     "updated = ? WHERE batch_id = ? AND status IN (?, ?)",
                                     (now_iso(), batch_id, *RETRYABLE))
                self.db.conn.execute("UPDATE batch SET status = 'running', updated = ? WHERE id = ?",
                                     (now_iso(), batch_id))
        return int(n)

    # -- reading ---------------------------------------------------------------------------
    def get(self, batch_id: int, app: str, profile_id: int) -> Batch:
        """The batch of this workflow and profile; another's is not found, as if it did not exist."""
        found: Batch | None = self.batches.get(batch_id, default=None)
        if found is None or found.app_name != app or found.profile_id != profile_id:
            raise NotFoundProblem(f"There is no batch {batch_id} of this workflow in this profile.", field="batch")
        return found

    def find(self, batch_id: int) -> Batch | None:
        found: Batch | None = self.batches.get(batch_id, default=None)
        return found

    def recent(self, app: str, profile_id: int, limit: int = 20) -> list[Batch]:
        rows: list[Batch] = self.batches(where="app_name = ? AND profile_id = ?", where_args=(app, profile_id),
                                         order_by="id DESC", limit=limit)
        return rows

    def running(self) -> list[Batch]:
        rows: list[Batch] = self.batches(where="status = 'running'", order_by="id")
        return rows

    def rows_of(self, batch_id: int) -> list[BatchRow]:
        rows: list[BatchRow] = self.rows(where="batch_id = ?", where_args=(batch_id,), order_by="id")
        return rows

    def row(self, row_id: int) -> BatchRow:
        found: BatchRow = self.rows[row_id]
        return found

    def counts(self, batch_id: int) -> Counts:
        rows = self.db.query("SELECT status, count(*) AS n FROM batch_row WHERE batch_id = ? GROUP BY status",
                             (batch_id,))
        return Counts({r["status"]: int(r["n"]) for r in rows})

    def open_rows(self, batch_id: int) -> int:
        n: int = self.db.query("SELECT count(*) AS n FROM batch_row WHERE batch_id = ? AND status IN (?, ?)",
                               (batch_id, *OPEN))[0]["n"]
        return n
