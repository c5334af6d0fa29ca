"""Pipulate: the workflow state engine. No HTML here.

A workflow's whole state is one JSON object in the `pipeline` table, keyed by a user-chosen key:
`{"created", "updated", "<step_id>": {...}, ..., "finalize": {"finalized": true}}`.
Every write is a read-modify-write inside one `BEGIN IMMEDIATE` transaction, so two concurrent
requests (or the server and a notebook) on the same key never lose a step, and a crash never
leaves half a state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from cardflow.db import Database, now_iso

REVERTED = "reverted"  # the values a revert cleared, offered again as the fields' suggestions
RESERVED = ("created", "updated", "finalize", REVERTED)


class KeyNotFound(KeyError):
    """No workflow state under this key."""


class Pipulate:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading ---------------------------------------------------------------------------
    def exists(self, key: str) -> bool:
        return bool(self.db.query("SELECT 1 FROM pipeline WHERE key = ?", (key,)))

    def read_state(self, key: str) -> dict[str, Any]:
        """The whole state blob, or {} when the key is unknown."""
        rows = self.db.query("SELECT data FROM pipeline WHERE key = ?", (key,))
        return json.loads(rows[0]["data"]) if rows else {}

    def get_step_data(self, key: str, step_id: str, default: Any = None) -> Any:
        return self.read_state(key).get(step_id, {} if default is None else default)

    def should_advance(self, key: str, step_id: str, conditions: dict[str, Any]) -> bool:
        """True when the step's data meets every condition: "*" means any non-empty value."""
        data = self.read_state(key).get(step_id)
        if not isinstance(data, dict):
            return False
        for name, wanted in conditions.items():
            value = data.get(name)
            if wanted == "*":
                if value in (None, "", [], {}):
                    return False
            elif value != wanted:
                return False
        return True

    def is_finalized(self, key: str) -> bool:
        return bool(self.read_state(key).get("finalize", {}).get("finalized"))

    def app_of(self, key: str) -> str | None:
        rows = self.db.query("SELECT app_name FROM pipeline WHERE key = ?", (key,))
        name: str | None = rows[0]["app_name"] if rows else None
        return name

    def _where(self, app: str | None, profile_id: int | None) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if app is not None:
            where.append("app_name = ?")
            params.append(app)
        if profile_id is not None:
            where.append("profile_id = ?")
            params.append(profile_id)
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def count_keys(self, app: str | None = None, profile_id: int | None = None) -> int:
        where, params = self._where(app, profile_id)
        n: int = self.db.query(f"SELECT count(*) AS n FROM pipeline{where}", tuple(params))[0]["n"]
        return n

    def list_keys(self, app: str | None = None, profile_id: int | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
        """Keys newest first (at most `limit`), with their status: "finalized" or "in progress"."""
        where, params = self._where(app, profile_id)
        sql = f"SELECT key, app_name, profile_id, data, created, updated FROM pipeline{where} ORDER BY updated DESC, rowid DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self.db.query(sql, tuple(params))
        out = []
        for row in rows:
            state = json.loads(row.pop("data"))
            row["status"] = "finalized" if state.get("finalize", {}).get("finalized") else "in progress"
            row["steps_done"] = [k for k in state if k not in RESERVED]
            out.append(row)
        return out

    # -- writing ---------------------------------------------------------------------------
    def initialize_if_missing(self, key: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create the state for `key` unless it exists; return the state either way.

        `meta` may carry `app_name` and `profile_id`, stored beside the blob.
        """
        if not key or not isinstance(key, str):
            raise ValueError("A workflow key must be a non-empty string")
        meta = meta or {}
        with self.db.transaction():
            state = self.read_state(key)
            if state:
                return state
            stamp = now_iso()
            state = {"created": stamp, "updated": stamp}
            self.db.conn.execute(
                "INSERT INTO pipeline(key, app_name, profile_id, data, created, updated) VALUES (?,?,?,?,?,?)",
                (key, meta.get("app_name", ""), int(meta.get("profile_id") or 0), json.dumps(state), stamp, stamp),
            )
            return state

    def _modify(self, key: str, change: Callable[[dict[str, Any]], None], *,
                state: dict[str, Any] | None = None) -> dict[str, Any]:
        """Read (unless the caller read `state` in its open transaction), change and write the blob."""
        with self.db.transaction():
            state = self.read_state(key) if state is None else dict(state)
            if not state:
                raise KeyNotFound(key)
            change(state)
            state["updated"] = now_iso()
            self.db.conn.execute("UPDATE pipeline SET data = ?, updated = ? WHERE key = ?",
                                 (json.dumps(state), state["updated"], key))
            return state

    def set_step_data(self, key: str, step_id: str, data: dict[str, Any], *,
                      state: dict[str, Any] | None = None) -> dict[str, Any]:
        if step_id in RESERVED:
            raise ValueError(f"{step_id!r} is reserved in the state blob")
        json.dumps(data)  # refuse what cannot be stored before touching the row

        def change(state: dict[str, Any]) -> None:
            state[step_id] = data

        return self._modify(key, change, state=state)

    def finalize(self, key: str) -> dict[str, Any]:
        return self._modify(key, lambda s: s.__setitem__("finalize", {"finalized": True}))

    def unfinalize(self, key: str) -> dict[str, Any]:
        return self._modify(key, lambda s: s.pop("finalize", None))

    def revert(self, key: str, step_id: str, order: Iterable[str] | None = None, *,
               remember: bool = False) -> dict[str, Any]:
        """Clear `step_id` and every later step (by `order`, else by the order they were saved).

        Reverting also lifts a finalize: a finalized workflow has no open step to return to.
        With `remember`, the cleared steps' data is kept under "reverted" (same transaction), so
        the cards can offer the old values again.
        """

        def change(state: dict[str, Any]) -> None:
            steps = list(order) if order is not None else [k for k in state if k not in RESERVED]
            if step_id not in steps:
                raise ValueError(f"Unknown step {step_id!r}")
            cleared = {s: state.pop(s) for s in steps[steps.index(step_id):] if s in state}
            if remember and cleared:
                state[REVERTED] = cleared
            state.pop("finalize", None)

        return self._modify(key, change)

    def delete(self, key: str) -> bool:
        with self.db.transaction():
            existed = self.exists(key)
            self.db.conn.execute("DELETE FROM pipeline WHERE key = ?", (key,))
            self.db.conn.execute("DELETE FROM job WHERE pipeline_key = ?", (key,))
            return existed
