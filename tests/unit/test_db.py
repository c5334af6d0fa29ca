import dataclasses
import types
import typing

import apsw
import pytest

from cardflow.db import MIGRATIONS, TABLES, Database, DataDirError, now_iso


@pytest.fixture
def db(tmp_path):
    return Database(tmp_path / "t.db")


def test_tables_wal_and_migrations_recorded(db):
    assert {"store", "profile", "task", "pipeline", "message", "job", "migration"} <= set(db.table_names())
    assert db.query("PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    assert db.applied_migrations() == [name for name, _ in MIGRATIONS]


def test_migrations_run_once(tmp_path):
    Database(tmp_path / "t.db")
    again = Database(tmp_path / "t.db")
    assert again.migrate() == []
    assert len(again.applied_migrations()) == len(MIGRATIONS)


def test_default_profile_created_once(tmp_path):
    first = Database(tmp_path / "t.db")
    Database(tmp_path / "t.db")
    profiles = first.profiles()
    assert [p.name for p in profiles] == ["Default"]


def test_store_getitem_setitem_json_values(db):
    db.store["a"] = {"x": [1, 2], "y": None}
    db.store["b"] = 3
    assert db.store["a"] == {"x": [1, 2], "y": None}
    assert db.store["b"] == 3
    db.store["b"] = "changed"
    assert db.store["b"] == "changed"


def test_store_missing_key_raises_keyerror_and_get_defaults(db):
    with pytest.raises(KeyError):
        db.store["nope"]
    assert db.store.get("nope") is None
    assert db.store.get("nope", 7) == 7


def test_store_contains_del_iter_len(db):
    db.store["k1"] = 1
    db.store["k2"] = 2
    assert "k1" in db.store and "zz" not in db.store
    assert sorted(db.store) == ["k1", "k2"]
    assert len(db.store) == 2
    del db.store["k1"]
    assert "k1" not in db.store and len(db.store) == 1
    with pytest.raises(KeyError):
        del db.store["k1"]


def test_store_persists_across_connections(tmp_path):
    Database(tmp_path / "t.db").store["theme"] = "dark"
    assert Database(tmp_path / "t.db").store["theme"] == "dark"


def test_transaction_rolls_back_on_error(db):
    with pytest.raises(RuntimeError), db.transaction():
        db.tasks.insert(profile_id=1, name="half")
        raise RuntimeError("boom")
    assert db.tasks() == []


def test_nested_transactions_commit_once(db):
    with db.transaction():
        with db.transaction():
            db.tasks.insert(profile_id=1, name="inner")
        db.tasks.insert(profile_id=1, name="outer")
    assert sorted(t.name for t in db.tasks()) == ["inner", "outer"]


def _open_as(path, user) -> str:
    """Open a database at `path` in a forked child that first drops to `user` (when given); return
    the DataDirError text, or OPENED. A fork, not a new interpreter: the interpreter lives under
    /root, which an unprivileged user cannot enter, and the modules are already imported here."""
    import os

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read)
            if user is not None:
                os.setgroups([])
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)
            try:
                Database(path)
                result = "OPENED"
            except DataDirError as exc:
                result = f"DataDirError: {exc}"
            os.write(write, result.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        out = pipe.read().decode()
    os.waitpid(pid, 0)
    return out


def test_read_only_data_dir_gives_clear_error(tmp_path):
    """Root ignores permissions, and `make test` runs as root in CI: the open is then done by a
    child process running as `nobody`, so the dir really is read-only for the one opening it."""
    import os
    import pwd
    import shutil
    import tempfile
    from pathlib import Path

    user = pwd.getpwnam("nobody") if _root() else None
    # pytest's tmp_path sits under a 0700 dir of root's that nobody cannot enter.
    base = Path(tempfile.mkdtemp(prefix="cardflow-ro-")) if user is not None else tmp_path
    ro = base / "ro"
    try:
        ro.mkdir()
        writable = base / "rw"
        writable.mkdir()
        if user is not None:
            for path in (base, ro, writable):
                os.chown(path, user.pw_uid, user.pw_gid)
        base.chmod(0o755)
        ro.chmod(0o500)
        # The control: the same user can open a database in a dir it may write to.
        assert _open_as(writable / "t.db", user) == "OPENED"
        result = _open_as(ro / "sub" / "t.db", user)
        assert result.startswith("DataDirError:"), result
        assert "is read-only" in result and str(ro / "sub") in result and "--data-dir" in result, result
    finally:
        if ro.exists():
            ro.chmod(0o700)
        if user is not None:
            shutil.rmtree(base, ignore_errors=True)


def test_unwritable_path_gives_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    with pytest.raises(DataDirError) as info:
        Database(blocker / "t.db")
    # The message is for a person: it names the path that could not be used and what to do, and
    # it is one line (a traceback or a repr of the exception would span several).
    message = str(info.value)
    assert str(blocker) in message and ("--data-dir" in message or "Cannot open" in message), message
    assert "\n" not in message and not message.startswith(("[Errno", "<", "OSError", "apsw.")), message


def _root() -> bool:
    import os

    return os.geteuid() == 0


# -- the schema is declared twice (dataclasses for rows, SQL migrations for the file): they must agree

AFFINITY = {int: "INTEGER", bool: "INTEGER", float: "REAL", str: "TEXT"}
NOT_ROWS = {"store", "migration"}  # the DictLikeDB table and the migration log have no row dataclass


def _affinity(annotation):
    """The SQLite type a dataclass field's type maps to; `int | None` is an optional INTEGER."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return AFFINITY[annotation]


def schema_mismatches(db):
    problems = []
    # sqlite_* tables are SQLite's own (statistics written by PRAGMA optimize)
    tables = {t for t in db.table_names() if not t.startswith("sqlite_")} - NOT_ROWS
    if tables != set(TABLES):
        problems.append(f"tables in the file {sorted(tables)} != dataclasses in db.TABLES {sorted(TABLES)}")
    for name, cls in TABLES.items():
        hints = typing.get_type_hints(cls)
        declared = {f.name: _affinity(hints[f.name]) for f in dataclasses.fields(cls)}
        actual = {row["name"]: row["type"].upper() for row in db.query(f"PRAGMA table_info({name})")}
        if declared != actual:
            problems.append(f"{name}: dataclass {cls.__name__} {declared} != SQL {actual}")
    return problems


def test_dataclasses_match_the_migrated_schema(db):
    assert not schema_mismatches(db), "\n".join(schema_mismatches(db))


def test_dataclasses_match_an_upgraded_old_schema(tmp_path):
    path = tmp_path / "old.db"
    conn = apsw.Connection(str(path))  # a data dir from the first release: only 0001 applied
    conn.execute("CREATE TABLE migration (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
    name, sql = MIGRATIONS[0]
    conn.execute(sql)
    conn.execute("INSERT INTO migration VALUES (?, ?)", (name, now_iso()))
    conn.execute("INSERT INTO pipeline(key, app_name, data, created, updated) VALUES ('k', 'hello', '{}', 'x', 'x')")
    conn.close()
    upgraded = Database(path)
    assert upgraded.applied_migrations() == [n for n, _ in MIGRATIONS]
    assert not schema_mismatches(upgraded), "\n".join(schema_mismatches(upgraded))
    assert upgraded.pipelines["k"].profile_id == 0  # the old row got the new column's default


def test_schema_check_catches_a_mismatch(db, monkeypatch):
    @dataclasses.dataclass
    class Drifted:
        id: int | None = None
        name: str = ""
        done: float = 0.0  # INTEGER in the SQL
        extra: str = ""  # not in the SQL

    monkeypatch.setitem(TABLES, "task", Drifted)
    problems = schema_mismatches(db)
    assert len(problems) == 1 and "'done': 'REAL'" in problems[0] and "extra" in problems[0]


def test_commits_are_synced_to_disk_before_they_return(db):
    # FULL (2) in WAL mode: each commit fsyncs the log, so an acknowledged write survives a power
    # cut, not only a killed process. NORMAL (1) would sync only at checkpoints.
    assert db.query("PRAGMA synchronous")[0]["synchronous"] == 2


def test_a_threads_first_read_during_a_write_waits_instead_of_failing(db):
    # Opening a connection runs apsw's PRAGMA optimize, which may need the write lock: a page
    # served on a fresh worker thread while an import wrote got "database is locked".
    import threading

    held, release, seen = threading.Event(), threading.Event(), []

    def writer():
        with db.transaction():
            db.tasks.insert(profile_id=1, name="written meanwhile", done=False, priority=0)
            held.set()
            release.wait(0.5)  # longer than the 100 ms the hooks' own busy timeout allows

    def reader():
        try:
            seen.append(db.conn.execute("SELECT count(*) FROM task").fetchone()[0])
        except Exception as exc:  # the failure this test is about
            seen.append(repr(exc))

    w = threading.Thread(target=writer)
    w.start()
    held.wait()
    r = threading.Thread(target=reader)
    r.start()
    r.join()
    release.set()
    w.join()
    assert seen and isinstance(seen[0], int), seen
