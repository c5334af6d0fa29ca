"""Undo: replay the inverse of a logged action from the rows it recorded.

Each `action_log` entry holds `[{table, key, before, after}]`. Undo checks that every row is
still exactly as the action left it (`after`); if anything changed since, it refuses and says
which row, and changes nothing. Otherwise it writes `before` back (deleting rows the action
created, re-inserting rows it deleted) in one transaction, as an action of its own, so that the
undo is logged too and can itself be undone.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cardflow.actions import log as action_log
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.actions.base import Call
    from cardflow.db import Database

PRIMARY_KEY = {"pipeline": "key", "store": "key"}  # every other table's key is `id`
UNDOABLE = ("task", "profile", "pipeline", "message", "store")


def _norm(value: Any) -> Any:
    """Rows as JSON compare loosely: SQLite gives booleans back as 0/1."""
    return int(value) if isinstance(value, bool) else value


def same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if a is None or b is None:
        return a is b
    keys = set(a) | set(b)
    return all(_norm(a.get(k)) == _norm(b.get(k)) for k in keys)


def current(db: Database, table: str, key: Any) -> dict[str, Any] | None:
    pk = PRIMARY_KEY.get(table, "id")
    rows = db.query(f"SELECT * FROM {table} WHERE {pk} = ?", (key,))
    return rows[0] if rows else None


def _label(change: dict[str, Any]) -> str:
    row = change["after"] or change["before"] or {}
    name = row.get("name") or row.get("key") or change["key"]
    return f"the {change['table']} “{name}”"


def check(db: Database, changes: list[dict[str, Any]]) -> None:
    for change in changes:
        if change["table"] not in UNDOABLE:
            raise Problem(f"This action changed {change['table']} rows, which cannot be undone.", 409)
        if not same(current(db, change["table"], change["key"]), change["after"]):
            raise Problem(f"Cannot undo: {_label(change)} has changed since. Nothing was undone.", 409)


def _write(db: Database, table: str, key: Any, row: dict[str, Any] | None) -> None:
    pk = PRIMARY_KEY.get(table, "id")
    if row is None:
        db.conn.execute(f"DELETE FROM {table} WHERE {pk} = ?", (key,))
        return
    columns = {r["name"] for r in db.query(f"PRAGMA table_info({table})")}
    names = [c for c in row if c in columns]  # a column dropped since is not written
    values = [_norm(row[c]) for c in names]
    db.conn.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES "
                    f"({', '.join('?' for _ in names)})", values)


def undo_entry(call: Call, entry_id: int) -> list[dict[str, Any]]:
    """Restore what entry `entry_id` changed; record the inverse on `call`. Runs inside its transaction."""
    db = call.ctx.db
    entry = action_log.get(db, entry_id)
    if entry is None or entry.profile_id != call.profile_id:
        raise Problem(f"There is no activity #{entry_id} in this profile.", 404, field="id")
    if not entry.changes:
        raise Problem(f"Activity #{entry_id} changed nothing, so there is nothing to undo.", 409)
    check(db, entry.changes)
    # Rows the action created go first (newest first); re-inserted rows go back in their first order,
    # parents (a profile) before what belonged to them (its tasks).
    created = [c for c in reversed(entry.changes) if c["before"] is None]
    others = [c for c in entry.changes if c["before"] is not None]
    for change in [*created, *others]:
        _write(db, change["table"], change["key"], change["before"])
        call.record(change["table"], change["key"], change["after"], change["before"])
    summary = entry.summary.rstrip(".") or entry.action
    call.say(f"Undid: {summary}.")
    return entry.changes


def tables_of(changes: list[dict[str, Any]]) -> set[str]:
    return {c["table"] for c in changes}


def pipeline_keys(changes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(app, key) of the workflow runs an undo touched, so their open pages can reload."""
    out = []
    for c in changes:
        if c["table"] == "pipeline":
            row = c["before"] or c["after"] or {}
            out.append((str(row.get("app_name", "")), str(c["key"])))
    return out


def undone_by(db: Database, profile_id: int) -> dict[int, int]:
    """entry id → the id of the undo entry that reversed it (for the Activity view)."""
    rows = db.query("SELECT id, params FROM action_log WHERE profile_id = ? AND action = 'activity.undo'",
                    (profile_id,))
    out: dict[int, int] = {}
    for r in rows:
        target = json.loads(r["params"]).get("id")
        if isinstance(target, int):
            out[target] = r["id"]
    return out
