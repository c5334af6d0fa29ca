"""fastlite's schema look-ups are cached per table until the schema changes (cardflow/schema_cache.py)."""

from __future__ import annotations

import apsw

from cardflow.db import Database, Task


def test_columns_follow_a_schema_change_made_elsewhere(tmp_path):
    db = Database(tmp_path / "cardflow.db")
    assert "note" not in [c.name for c in db.tasks.columns]
    other = apsw.Connection(str(tmp_path / "cardflow.db"))
    other.execute("ALTER TABLE task ADD COLUMN note TEXT NOT NULL DEFAULT ''")
    other.close()
    assert "note" in [c.name for c in db.tasks.columns]


def test_crud_through_the_cached_table(tmp_path):
    db = Database(tmp_path / "cardflow.db")
    task = db.tasks.insert(Task(profile_id=1, name="write"))
    db.tasks.update({"id": task.id, "done": True})
    assert db.tasks.get(task.id).done
    assert db.tasks.pks == ["id"] and db.tasks.exists()
    db.tasks.delete(task.id)
    assert db.tasks.get(task.id, default=None) is None


def test_version_moves_on_every_write(tmp_path):
    db = Database(tmp_path / "cardflow.db")
    v0 = db.version()
    db.store["k"] = 1
    v1 = db.version()
    other = apsw.Connection(str(tmp_path / "cardflow.db"))
    other.execute("UPDATE profile SET name = 'x'")
    other.close()
    assert len({v0, v1, db.version()}) == 3
