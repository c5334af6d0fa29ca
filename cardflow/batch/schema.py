"""The batch tables: their row dataclasses and their migration, which `cardflow.db` lists with the others.

Kept here, beside the code that uses them, and imported by `cardflow.db` (this module imports
nothing from cardflow, so there is no cycle).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Batch:
    id: int | None = None
    app_name: str = ""
    profile_id: int = 0
    actor: str = ""  # who started it: its rows run as this actor (ui, assistant, mcp or cli)
    status: str = ""  # running, done or cancelled
    source: str = ""  # the file name, or "pasted"
    columns: str = "[]"  # JSON: the step ids the file gave values for
    created: str = ""
    updated: str = ""


@dataclass
class BatchRow:
    id: int | None = None
    batch_id: int = 0
    line: int = 0  # the line of the file it came from, for messages
    key: str = ""
    cells: str = "{}"  # JSON: step id -> the text of its cell
    status: str = ""  # queued, running, stopped, failed, refused, done or cancelled
    step: str = ""  # the step it reached (where it stopped or failed)
    message: str = ""
    job_id: int | None = None  # the job this row started for its current step
    updated: str = ""


BATCH_SQL = """
CREATE TABLE IF NOT EXISTS batch (
    id INTEGER PRIMARY KEY, app_name TEXT NOT NULL, profile_id INTEGER NOT NULL, actor TEXT NOT NULL,
    status TEXT NOT NULL, source TEXT NOT NULL DEFAULT '', columns TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS batch_app ON batch(app_name, profile_id, id);
CREATE TABLE IF NOT EXISTS batch_row (
    id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batch(id) ON DELETE CASCADE,
    line INTEGER NOT NULL, key TEXT NOT NULL, cells TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL,
    step TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '', job_id INTEGER,
    updated TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS batch_row_batch ON batch_row(batch_id, status, id);
"""
