import json
import subprocess
import sys

import apsw

from cardflow.backup import TABLES, dump, online_backup
from cardflow.db import Database
from cardflow.pipeline import Pipulate


def seed(db: Database) -> None:
    acme = db.profiles.insert(name="Acme", real_name="Jo", active=True, priority=1)
    db.tasks.insert(profile_id=acme.id, name="café ☕ <b>", done=True, priority=0)
    db.store["theme"] = "dark"
    pip = Pipulate(db)
    pip.initialize_if_missing("k", {"app_name": "hello", "profile_id": acme.id})
    pip.set_step_data("k", "name", {"name": "Ada"})
    db.messages.insert(profile_id=acme.id, role="user", content="hi", app="home", created="2026-01-01")
    db.jobs.insert(pipeline_key="k", step="s", kind="x", status="done", progress=100, detail="{}", created="", updated="")


def run(*args, data_dir):
    return subprocess.run([sys.executable, "-m", "cardflow", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60)


def test_export_import_round_trip_covers_every_table(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    seed(Database(src / "cardflow.db"))
    before = dump(Database(src / "cardflow.db"))["tables"]
    out = run("export", str(tmp_path / "backup.json"), data_dir=src)
    assert out.returncode == 0, out.stderr
    assert set(json.loads((tmp_path / "backup.json").read_text())["tables"]) == set(TABLES)
    out = run("import", str(tmp_path / "backup.json"), data_dir=dst)
    assert out.returncode == 0, out.stderr
    after = dump(Database(dst / "cardflow.db"))["tables"]
    assert after == before


def test_import_refuses_a_bad_file_and_changes_nothing(tmp_path):
    db = Database(tmp_path / "d" / "cardflow.db")
    seed(db)
    before = dump(db)["tables"]
    (tmp_path / "bad.json").write_text('{"format": "something-else"}')
    out = run("import", str(tmp_path / "bad.json"), data_dir=tmp_path / "d")
    assert out.returncode == 2 and "not made by `cardflow export`" in out.stderr
    (tmp_path / "broken.json").write_text("{nope")
    assert "cannot read" in run("import", str(tmp_path / "broken.json"), data_dir=tmp_path / "d").stderr
    evil = {"format": "cardflow-export-1", "tables": {"task": [{"id": 1, "name": "x", "profile_id": 1, "done": 0,
                                                                "priority": 0, "evil); DROP TABLE task;--": 1}]}}
    (tmp_path / "evil.json").write_text(json.dumps(evil))
    out = run("import", str(tmp_path / "evil.json"), data_dir=tmp_path / "d")
    assert out.returncode == 2 and "has no column" in out.stderr
    assert dump(Database(tmp_path / "d" / "cardflow.db"))["tables"] == before


def test_online_backup_keeps_the_last_seven(tmp_path):
    db = Database(tmp_path / "cardflow.db")
    seed(db)
    backups = tmp_path / "backups"
    backups.mkdir()
    for day in range(1, 10):
        (backups / f"cardflow-202601{day:02d}.db").write_text("old")
    path = online_backup(db, backups)
    names = sorted(p.name for p in backups.glob("cardflow-*.db"))
    assert len(names) == 7 and path.name in names and "cardflow-20260101.db" not in names
    copy = apsw.Connection(str(path))
    assert copy.execute("SELECT name FROM task").fetchone()[0] == "café ☕ <b>"
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_doctor_reports_the_latest_backup(tmp_path):
    db = Database(tmp_path / "cardflow.db")
    online_backup(db, tmp_path / "backups")
    out = run("doctor", data_dir=tmp_path)
    assert "latest backup" in out.stdout and "cardflow-" in out.stdout
    assert "data dir" in out.stdout and "database" in out.stdout and "port" in out.stdout
    assert "LLM" in out.stdout


def test_online_backup_finishes_while_the_app_keeps_writing(tmp_path):
    # Copied in pieces, the backup restarted whenever another connection wrote in between, so a
    # steady writer (a crawl, a batch) kept it copying for as long as the writes lasted.
    import threading

    db = Database(tmp_path / "cardflow.db")
    seed(db)
    with db.transaction():
        for i in range(60_000):  # about 15 MB: many of the old 256-page pieces
            db.tasks.insert(profile_id=1, name=f"task {i} " + "x" * 200, done=False, priority=i)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stop, writes = threading.Event(), []

    def writer():
        while not stop.is_set() and len(writes) < 1_000_000:
            with db.transaction():
                db.tasks.insert(profile_id=1, name="w", done=False, priority=0)
            writes.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    bound = threading.Timer(60, stop.set)  # a bound, not a measure: the backup must end while writes go on
    bound.start()
    while len(writes) < 10:
        stop.wait(0.01)
    try:
        path = online_backup(db, tmp_path / "backups")
        still_writing = not stop.is_set()
    finally:
        bound.cancel()
        stop.set()
        thread.join()
    assert still_writing
    copy = apsw.Connection(str(path))
    assert copy.execute("SELECT count(*) FROM task WHERE name LIKE 'task %'").fetchone()[0] == 60_000
