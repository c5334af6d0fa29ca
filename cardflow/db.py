"""The one SQLite file: schema, ordered migrations, transactions and the `DictLikeDB` store.

Tables are declared as dataclasses (fastlite's MiniDataAPI gives us `table.insert`, `table[id]`,
`table(where=...)`); the schema itself is created by ordered SQL migrations so that an old data dir
upgrades in place and the applied steps are visible in the `migration` table.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import apsw
from apswutils.db import Database as _FastliteDatabase  # type: ignore[import-untyped]
from fastlite import database

from cardflow.db_commit import GroupCommit
from cardflow.db_schema import MIGRATIONS, TABLES, ActionLog, Job, Message, ModelCall, Pipeline, Profile, Task
from cardflow.schema_cache import SchemaCachedTable

BUSY_WAIT = 10.0  # seconds a connection waits for another's write before "database is locked"


def parse_id(raw: object) -> int | None:
    """A row id from user input, or None. ASCII digits only (str.isdigit() also accepts "²", which
    int() refuses) and at most 18 of them (SQLite integers stop at 2**63 - 1)."""
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > 18 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class DataDirError(RuntimeError):
    """The data dir cannot hold the database (read-only, missing, disk full); shown as is."""


__all__ = ["MIGRATIONS", "TABLES", "ActionLog", "DataDirError", "Database", "DictLikeDB", "Job", "Message",
           "ModelCall", "Pipeline", "Profile", "Task", "now_iso", "parse_id"]

T = TypeVar("T")


class _RoutedDatabase(_FastliteDatabase):  # type: ignore[misc]
    """fastlite's database object, whose `conn` is the calling thread's connection (see `Database.conn`),
    so tables and queries made through fastlite follow the same routing as `db.conn`."""

    owner: Database

    def __hash__(self) -> int:  # apswutils hashes its connection, which now depends on the thread
        return id(self)

    @property
    def conn(self) -> apsw.Connection:
        return self.owner.conn

    @conn.setter
    def conn(self, value: apsw.Connection) -> None:  # fastlite's __init__ assigns it once
        self.__dict__["_cf_initial_conn"] = value


class Database:
    """The app's SQLite file: one writer connection, and one reader connection per thread.

    Writes that must be atomic go through `transaction()`: a process-wide lock (handlers may run
    in Starlette's thread pool) plus `BEGIN IMMEDIATE` on the writer connection, so another process
    (a notebook) waits instead of interleaving. Inside a transaction `conn` is the writer (a
    transaction reads its own writes); everywhere else it is the calling thread's reader, which in
    WAL mode never waits for the writer. That is what lets `write()` commit, and fsync, in a worker
    thread while the event loop goes on serving pages from its reader.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        # A plain Lock, not an RLock: `write()` takes it on the event loop and the commit thread
        # releases it after the COMMIT. Re-entry is tracked per thread in `_depth`.
        self._lock = threading.Lock()
        self._depth = threading.local()
        self._readers: list[apsw.Connection] = []
        self._readers_lock = threading.Lock()
        self.commits = GroupCommit(self)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = database(self.path)
            self.writer: apsw.Connection = self.db.conn
            self._configure(self.writer)
            self.db.__class__ = _RoutedDatabase
            self.db.owner = self
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

    @staticmethod
    def _configure(conn: apsw.Connection) -> None:
        conn.set_busy_timeout(int(BUSY_WAIT * 1000))
        # FULL: in WAL mode each commit fsyncs the log before it returns, so a write the user
        # saw acknowledged survives an OS crash or power cut, not only a killed process
        # (NORMAL syncs only at checkpoints). Cost measured in docs/benchmarks.md. Readers get it
        # too: a statement that writes outside `transaction()` commits on the reader.
        conn.execute("PRAGMA synchronous=FULL")

    @property
    def conn(self) -> apsw.Connection:
        """The writer inside a transaction of this thread, else this thread's reader."""
        if getattr(self._depth, "n", 0):
            return self.writer
        reader: apsw.Connection | None = getattr(self._depth, "reader", None)
        if reader is None:
            reader = self._open_reader()
            self._configure(reader)
            with self._readers_lock:
                self._readers.append(reader)
            self._depth.reader = reader
        return reader

    def _open_reader(self) -> apsw.Connection:
        """A new connection, waiting out a write in progress as a statement would (``BUSY_WAIT``).

        apsw's recommended hooks (applied by apswutils) run ``PRAGMA optimize`` as a connection
        opens, with a 100 ms busy timeout of their own; that pragma may need the write lock, so a
        thread's first read during a longer write (an import, a crawl's batch) failed with "database
        is locked" where a reader in WAL mode should simply read.
        """
        deadline = time.monotonic() + BUSY_WAIT
        while True:
            try:
                return apsw.Connection(str(self.path))
            except apsw.BusyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def connections(self) -> list[apsw.Connection]:
        """Every open connection: the writer and the readers (a tracer must watch them all)."""
        with self._readers_lock:
            return [self.writer, *self._readers]

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
        depth = getattr(self._depth, "n", 0)
        if depth:
            self._depth.n = depth + 1
            try:
                yield self.writer
            finally:
                self._depth.n = depth
            return
        with self._lock:
            self._depth.n = 1
            try:
                self.writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self.writer
                except BaseException:
                    self.writer.execute("ROLLBACK")
                    raise
                self.writer.execute("COMMIT")
            finally:
                self._depth.n = 0

    async def write(self, work: Callable[[], T]) -> T:
        """Run `work` in a transaction whose COMMIT (the fsync under synchronous=FULL) runs in a
        thread, shared with the writes queued meanwhile (`cardflow.db_commit`): the event loop
        serves other requests, from its reader, while the disk syncs.

        `work` runs on the event loop thread, as plain synchronous code, so nothing else on the
        loop runs between its statements. Returns once the commit is durable; on an error, nothing
        of `work` is kept. A cancelled caller does not cancel the commit.
        """
        if getattr(self._depth, "n", 0):  # already inside a transaction: join it
            return work()
        result: T = await self.commits.write(work)
        return result

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def version(self) -> tuple[int, int]:
        """Changes whenever any row in the file changes: rows this connection wrote (total_changes)
        and commits by any other connection, in this process or another (`PRAGMA data_version`).
        A few microseconds, so page fragments can be cached on it without ever going stale."""
        conn = self.conn
        (data_version,) = next(conn.execute("PRAGMA data_version"))
        return int(data_version), conn.total_changes()

    def migrate(self) -> list[str]:
        conn = self.writer
        conn.execute("CREATE TABLE IF NOT EXISTS migration (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT name FROM migration")}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with conn:  # one savepoint per migration: all of it or none of it
                conn.execute(sql)
                conn.execute("INSERT INTO migration VALUES (?, ?)", (name, now_iso()))
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
        self.commits.close()
        for conn in self.connections()[::-1]:
            conn.close()


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

