"""The `action_log` table: who changed what, with the rows before and after.

One row per data-changing action run: the actor (ui, assistant, mcp, cli), the action and its
parameters, the result, and the changed rows as `[{table, key, before, after}]`. Undo replays the
inverse of `changes` from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cardflow.db import now_iso

if TYPE_CHECKING:
    from cardflow.actions.base import Call
    from cardflow.db import Database

MAX_RESULT_CHARS = 20_000


@dataclass(frozen=True)
class LogEntry:
    id: int
    created: str
    actor: str
    action: str
    profile_id: int
    params: dict[str, Any]
    result: Any
    summary: str
    changes: list[dict[str, Any]]


def _dump(value: Any, limit: int | None = None) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    if limit is not None and len(text) > limit:
        text = json.dumps({"truncated": True, "preview": text[:limit]})
    return text


def write_log(db: Database, call: Call, result: Any) -> int:
    with db.transaction():
        cursor = db.conn.execute(
            "INSERT INTO action_log (created, actor, action, profile_id, params, result, summary, changes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (now_iso(), call.actor, call.action.name, call.profile_id, _dump(call.params),
             _dump(result, MAX_RESULT_CHARS), call.summary, _dump([c.as_dict() for c in call.changes])))
        del cursor
        return int(db.conn.last_insert_rowid())


def _entry(row: dict[str, Any]) -> LogEntry:
    return LogEntry(row["id"], row["created"], row["actor"], row["action"], row["profile_id"],
                    json.loads(row["params"]), json.loads(row["result"]), row["summary"], json.loads(row["changes"]))


def recent(db: Database, profile_id: int, *, actor: str | None = None, limit: int = 50) -> list[LogEntry]:
    """The profile's newest entries first, optionally from one actor."""
    sql = "SELECT * FROM action_log WHERE profile_id = ?" + (" AND actor = ?" if actor else "") + \
          " ORDER BY id DESC LIMIT ?"
    args: tuple[Any, ...] = (profile_id, actor, limit) if actor else (profile_id, limit)
    return [_entry(r) for r in db.query(sql, args)]


def get(db: Database, entry_id: int) -> LogEntry | None:
    rows = db.query("SELECT * FROM action_log WHERE id = ?", (entry_id,))
    return _entry(rows[0]) if rows else None
