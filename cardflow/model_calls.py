"""The model calls a workflow run made: prompt messages, reply, backend and model, per key.

A step that asks the model records the call here, beside the run's state rather than in it, so a
revert or a retry keeps the history of every call and the run's receipt (`cardflow.runzip`) can
show exactly what the model was asked and what it answered.
"""

from __future__ import annotations

import json
from typing import Any

from cardflow.db import Database, now_iso


def record(db: Database, *, key: str, app: str, step: str, backend: str, model: str | None,
           messages: list[dict[str, Any]], reply: str) -> int:
    """Store one call; returns its id."""
    with db.transaction():
        db.conn.execute(
            "INSERT INTO model_call(pipeline_key, app, step, backend, model, messages, reply, created) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (key, app, step, backend, model or "", json.dumps(messages, ensure_ascii=False), reply, now_iso()))
        return int(db.conn.last_insert_rowid())


def for_key(db: Database, key: str, since: str = "") -> list[dict[str, Any]]:
    """The calls of `key`, oldest first. `since` (the run's created time) leaves out the calls of an
    earlier run that had the same key and was deleted."""
    rows = db.query("SELECT id, app, step, backend, model, messages, reply, created FROM model_call "
                    "WHERE pipeline_key = ? AND created >= ? ORDER BY id", (key, since))
    for row in rows:
        row["messages"] = json.loads(row["messages"] or "[]")
    return rows
