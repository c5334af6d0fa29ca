import pytest

from cardflow.db import MIGRATIONS, Database, DataDirError


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


def test_read_only_data_dir_gives_clear_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if _root():
            pytest.skip("running as root: permissions do not stop root; see test_unwritable_path")
        with pytest.raises(DataDirError, match=r"read-only|Cannot open"):
            Database(ro / "sub" / "t.db")
    finally:
        ro.chmod(0o700)


def test_unwritable_path_gives_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    with pytest.raises(DataDirError) as info:
        Database(blocker / "t.db")
    assert "Traceback" not in str(info.value)


def _root() -> bool:
    import os

    return os.geteuid() == 0
