"""The one SQLite file: schema, ordered migrations, transactions and the `DictLikeDB` store.

Tables are declared as dataclasses (fastlite's MiniDataAPI gives us `table.insert`, `table[id]`,
`table(where=...)`); the schema itself is created by ordered SQL migrations so that an old data dir
upgrades in place and the applied steps are visible in the `migration` table.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import apsw
from fastlite import database

from cardflow.batch.schema import BATCH_SQL, Batch, BatchRow
from cardflow.schema_cache import SchemaCachedTable


def parse_id(raw: object) -> int | None:
    """A row id from user input, or None. ASCII digits only (str.isdigit() also accepts "²", which
    int() refuses) and at most 18 of them (SQLite integers stop at 2**63 - 1)."""
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > 18 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Profile:
    id: int | None = None
    name: str = ""
    real_name: str = ""
    address: str = ""
    code: str = ""
    active: bool = True
    priority: int = 0


@dataclass
class Task:
    id: int | None = None
    profile_id: int = 0
    name: str = ""
    done: bool = False
    priority: int = 0


@dataclass
class Pipeline:
    key: str = ""
    app_name: str = ""
    data: str = "{}"
    created: str = ""
    updated: str = ""
    profile_id: int = 0


@dataclass
class Message:
    id: int | None = None
    profile_id: int = 0
    role: str = ""
    content: str = ""
    app: str = ""
    created: str = ""
    meta: str | None = None  # JSON: what the model saw (assistant replies), null for everything else


@dataclass
class Job:
    id: int | None = None
    pipeline_key: str = ""
    step: str = ""
    kind: str = ""
    status: str = ""
    progress: float = 0.0
    detail: str = "{}"
    created: str = ""
    updated: str = ""


@dataclass
class ActionLog:
    id: int | None = None
    created: str = ""
    actor: str = ""  # ui, assistant, mcp or cli
    action: str = ""
    profile_id: int = 0
    params: str = "{}"
    result: str = "null"
    summary: str = ""
    changes: str = "[]"  # [{table, key, before, after}]


@dataclass
class ModelCall:
    id: int | None = None
    pipeline_key: str = ""
    app: str = ""
    step: str = ""
    backend: str = ""
    model: str = ""
    messages: str = "[]"  # JSON: the prompt as sent
    reply: str = ""
    created: str = ""


# Each table's row dataclass. The SQL lives in MIGRATIONS (an old data dir must upgrade in place);
# tests/unit/test_db.py checks that both declare the same columns with the same types.
TABLES: dict[str, type] = {"profile": Profile, "task": Task, "pipeline": Pipeline, "message": Message, "job": Job,
                           "action_log": ActionLog, "model_call": ModelCall,
                           "batch": Batch, "batch_row": BatchRow}

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE IF NOT EXISTS store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS profile (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, real_name TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '', code TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1, priority INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS task (
            id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            name TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0, priority INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS task_profile ON task(profile_id, priority);
        CREATE TABLE IF NOT EXISTS pipeline (
            key TEXT PRIMARY KEY, app_name TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS pipeline_app ON pipeline(app_name, updated);
        CREATE TABLE IF NOT EXISTS message (
            id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL, role TEXT NOT NULL,
            content TEXT NOT NULL, app TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS message_profile ON message(profile_id, id);
        CREATE TABLE IF NOT EXISTS job (
            id INTEGER PRIMARY KEY, pipeline_key TEXT NOT NULL, step TEXT NOT NULL, kind TEXT NOT NULL,
            status TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0, detail TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS job_key ON job(pipeline_key, step);
        """,
    ),
    (
        "0002_pipeline_profile",
        # Workflow keys belong to a profile so that deleting a profile can take its keys along.
        "ALTER TABLE pipeline ADD COLUMN profile_id INTEGER NOT NULL DEFAULT 0;",
    ),
    (
        "0003_action_log",
        # Every data-changing action run (UI, assistant, MCP, CLI) with the rows before and after.
        """
        CREATE TABLE IF NOT EXISTS action_log (
            id INTEGER PRIMARY KEY, created TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            profile_id INTEGER NOT NULL, params TEXT NOT NULL DEFAULT '{}', result TEXT NOT NULL DEFAULT 'null',
            summary TEXT NOT NULL DEFAULT '', changes TEXT NOT NULL DEFAULT '[]');
        CREATE INDEX IF NOT EXISTS action_log_profile ON action_log(profile_id, id);
        """,
    ),
    (
        "0004_message_meta",
        # What the model saw for a reply (messages, backend, timings), shown under it; null for old rows.
        "ALTER TABLE message ADD COLUMN meta TEXT;",
    ),
    (
        "0005_model_call",
        # Each model call a workflow run made (prompt messages and reply), so its receipt can show them.
        """
        CREATE TABLE IF NOT EXISTS model_call (
            id INTEGER PRIMARY KEY, pipeline_key TEXT NOT NULL, app TEXT NOT NULL DEFAULT '',
            step TEXT NOT NULL DEFAULT '', backend TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',
            messages TEXT NOT NULL DEFAULT '[]', reply TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS model_call_key ON model_call(pipeline_key, id);
        """,
    ),
    ("0006_batch", BATCH_SQL),  # batch runs (cardflow/batch/): one row per key, resumed after a restart
]


class DataDirError(RuntimeError):
    """The data dir cannot hold the database (read-only, missing, disk full); shown as is."""


class Database:
    """One connection to the app's SQLite file, shared by every request.

    Writes that must be atomic go through `transaction()`: a process-wide lock (handlers may run
    in Starlette's thread pool) plus `BEGIN IMMEDIATE`, so another process (a notebook) waits
    instead of interleaving.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = database(self.path)
            self.conn: apsw.Connection = self.db.conn
            self.conn.set_busy_timeout(10_000)
            # FULL: in WAL mode each commit fsyncs the log before it returns, so a write the user
            # saw acknowledged survives an OS crash or power cut, not only a killed process
            # (NORMAL syncs only at checkpoints). Cost measured in docs/benchmarks.md.
            self.conn.execute("PRAGMA synchronous=FULL")
            self.migrate()
        except (OSError, apsw.Error) as exc:
            raise DataDirError(_explain_open_error(self.path, exc)) from exc
        self._tables = {name: self._table(name, cls) for name, cls in TABLES.items()}
        self.profiles = self._tables["profile"]
        self.tasks = self._tables["task"]
        self.pipelines = self._tables["pipeline"]
        self.messages = self._tables["message"]
        self.jobs = self._tables["job"]
        self.store = DictLikeDB(self)
        self._ensure_default_profile()

    def table(self, name: str) -> Any:
        """The MiniDataAPI table for `name`, returning dataclass rows."""
        return self._tables[name]

    def _table(self, name: str, cls: type) -> Any:
        table = self.db.t[name]
        table.__class__ = SchemaCachedTable
        table.cls = cls
        return table

    @contextmanager
    def transaction(self) -> Iterator[apsw.Connection]:
        with self._lock:
            depth = getattr(self._depth, "n", 0)
            self._depth.n = depth + 1
            try:
                if depth:
                    yield self.conn
                    return
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
            finally:
                self._depth.n = depth

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def version(self) -> tuple[int, int]:
        """Changes whenever any row in the file changes: rows this connection wrote (total_changes)
        and commits by any other connection, in this process or another (`PRAGMA data_version`).
        A few microseconds, so page fragments can be cached on it without ever going stale."""
        with self._lock:
            (data_version,) = next(self.conn.execute("PRAGMA data_version"))
            return int(data_version), self.conn.total_changes()

    def migrate(self) -> list[str]:
        self.conn.execute("CREATE TABLE IF NOT EXISTS migration (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
        done = {row[0] for row in self.conn.execute("SELECT name FROM migration")}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.conn:  # one savepoint per migration: all of it or none of it
                self.conn.execute(sql)
                self.conn.execute("INSERT INTO migration VALUES (?, ?)", (name, now_iso()))
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM migration ORDER BY name")]

    def _ensure_default_profile(self) -> None:
        with self.transaction():
            if not self.query("SELECT 1 FROM profile LIMIT 1"):
                self.profiles.insert(Profile(name="Default", real_name="", active=True, priority=0))

    def table_names(self) -> list[str]:
        return [r["name"] for r in self.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]

    def close(self) -> None:
        self.conn.close()


def _explain_open_error(path: Path, exc: Exception) -> str:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return f"The data dir {path.parent} is read-only: Cardflow needs to write {path.name} there. " \
               "Choose another with --data-dir or fix its permissions."
    if "full" in text or getattr(exc, "errno", None) == 28:
        return f"The disk holding {path.parent} is full: free some space or choose another --data-dir."
    return f"Cannot open the database {path}: {exc}"


_MISSING = object()


class DictLikeDB:
    """A small persistent dict over the `store` table; values are stored as JSON."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def __getitem__(self, key: str) -> Any:
        rows = self._db.query("SELECT value FROM store WHERE key = ?", (key,))
        if not rows:
            raise KeyError(key)
        return json.loads(rows[0]["value"])

    def __setitem__(self, key: str, value: Any) -> None:
        payload = json.dumps(value)
        with self._db.transaction():
            self._db.conn.execute(
                "INSERT INTO store(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, payload),
            )

    def __delitem__(self, key: str) -> None:
        with self._db.transaction():
            if key not in self:
                raise KeyError(key)
            self._db.conn.execute("DELETE FROM store WHERE key = ?", (key,))

    def __contains__(self, key: object) -> bool:
        return bool(self._db.query("SELECT 1 FROM store WHERE key = ?", (key,)))

    def __iter__(self) -> Iterator[str]:
        return iter([r["key"] for r in self._db.query("SELECT key FROM store ORDER BY key")])

    def __len__(self) -> int:
        n: int = self._db.query("SELECT count(*) AS n FROM store")[0]["n"]
        return n

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def items(self) -> list[tuple[str, Any]]:
        return [(r["key"], json.loads(r["value"])) for r in self._db.query("SELECT key, value FROM store ORDER BY key")]

    def keys(self) -> list[str]:
        return list(self)

    def setdefault(self, key: str, default: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            self[key] = default
            return default
        return value

