"""fastlite tables that read the schema once per schema change, not once per call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apswutils.db import Table  # type: ignore[import-untyped]


class SchemaCachedTable(Table):  # type: ignore[misc]
    """fastlite re-reads the schema (sqlite_master, PRAGMA table_info) on every get and update: a
    dozen queries for one task toggle, half its database time. Here the answers are kept until the
    schema changes: `PRAGMA schema_version` moves on any CREATE, ALTER or DROP, by any connection."""

    def _schema(self, what: str, read: Callable[[], Any]) -> Any:
        version = next(self.db.conn.execute("PRAGMA schema_version"))[0]
        cached = self.__dict__.get(f"_cf_{what}")
        if cached is None or cached[0] != version:
            cached = (version, read())
            self.__dict__[f"_cf_{what}"] = cached
        return cached[1]

    @property
    def columns(self) -> list[Any]:
        return list(self._schema("columns", lambda: Table.columns.fget(self)))

    def exists(self) -> bool:
        return bool(self._schema("exists", lambda: Table.exists(self)))
