"""Backups: `cardflow export/import` (every table, as JSON) and daily online copies (SQLite backup API)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cardflow.config import Settings
from cardflow.db import Database

TABLES = ("store", "profile", "task", "pipeline", "message", "job", "action_log")
FORMAT = "cardflow-export-1"
KEEP_DAILY = 7


def dump(db: Database) -> dict[str, Any]:
    return {"format": FORMAT, "exported": datetime.now(UTC).isoformat(),
            "tables": {t: db.query(f"SELECT * FROM {t} ORDER BY rowid") for t in TABLES}}


def load(db: Database, payload: dict[str, Any]) -> dict[str, int]:
    """Replace every table's rows with the payload's, in one transaction: all or nothing."""
    if payload.get("format") != FORMAT or not isinstance(payload.get("tables"), dict):
        raise ValueError("This file was not made by `cardflow export`.")
    counts = {}
    with db.transaction():
        for table in TABLES:
            rows = payload["tables"].get(table, [])
            columns = {r["name"] for r in db.query(f"PRAGMA table_info({table})")}
            db.conn.execute(f"DELETE FROM {table}")
            for row in rows:
                unknown = set(row) - columns
                if unknown:
                    raise ValueError(f"Table {table} has no column(s) {', '.join(sorted(unknown))}")
                names = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                db.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(row.values()))
            counts[table] = len(rows)
    return counts


def export_file(settings: Settings, path: Path) -> int:
    db = Database(settings.db_path)
    data = dump(db)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)
    print(f"Exported {sum(len(v) for v in data['tables'].values())} rows from {settings.db_path} to {path}")
    return 0


def import_file(settings: Settings, path: Path) -> int:
    try:
        payload = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        print(f"cardflow: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    db = Database(settings.db_path)
    try:
        counts = load(db, payload)
    except (ValueError, KeyError, TypeError) as exc:
        print(f"cardflow: nothing imported: {exc}", file=sys.stderr)
        return 2
    print("Imported " + ", ".join(f"{n} {t}" for t, n in counts.items()))
    return 0


class BackupScheduler:
    """One online backup a day while the app runs; the first shortly after start-up, off its path."""

    def __init__(self, db: Database, backup_dir: Path, first_delay: float = 10.0) -> None:
        self.db, self.backup_dir, self.first_delay = db, backup_dir, first_delay
        self.task: Any = None

    async def start(self) -> None:
        import asyncio

        self.task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    async def _loop(self) -> None:
        import asyncio

        from loguru import logger

        await asyncio.sleep(self.first_delay)
        while True:
            today = self.backup_dir / f"cardflow-{datetime.now(UTC):%Y%m%d}.db"
            if not today.exists():
                try:
                    path = await asyncio.to_thread(online_backup, self.db, self.backup_dir)
                    logger.info(f"Backup written: {path}")
                except Exception as exc:  # a failed backup must never take the app down
                    logger.error(f"Backup failed: {exc}")
            await asyncio.sleep(3600)


def online_backup(db: Database, backup_dir: Path, keep: int = KEEP_DAILY) -> Path:
    """Copy the live database with SQLite's backup API (safe while the app writes), keep the last `keep`."""
    import apsw

    backup_dir.mkdir(parents=True, exist_ok=True)
    target = backup_dir / f"cardflow-{datetime.now(UTC):%Y%m%d}.db"
    tmp = target.with_suffix(".tmp")
    dest = apsw.Connection(str(tmp))
    with dest.backup("main", db.conn, "main") as step:
        # All pages in one step, under one read transaction (WAL: writers carry on meanwhile).
        # Stepping in pieces restarts the copy whenever another connection writes in between, so
        # under steady writes (a crawl, a batch, a benchmark) it copied the database for as long as
        # they lasted (15 MB with a steady writer: still copying after 60 s; tests/unit/test_backup.py).
        while not step.done:
            step.step(-1)
    dest.close()
    tmp.replace(target)
    for old in sorted(backup_dir.glob("cardflow-*.db"))[:-keep]:
        old.unlink()
    return target
