"""Pipeline writes: ``Pipulate.set_step_data`` vs raw SQLite inserts of the same JSON size, under
``synchronous=FULL`` (Cardflow's setting: a commit is on disk when it returns) and ``NORMAL``.

One temp database on the real disk (``tempfile``; never tmpfs, where fsync costs nothing) opened
by ``cardflow.db.Database`` (WAL, its pragmas). The baseline is a second plain apsw connection to
the same file, with the pragmas copied from Cardflow's connection, doing one autocommit ``INSERT``
per write of a JSON text as long as the state blob Pipulate writes. Both sides write one row per
transaction. For each ``synchronous`` mode both connections are switched to it; the four passes
(2 modes x 2 sides) rotate over ``ROUNDS`` rounds of ``N`` writes, so load from elsewhere hits
them all; the figures are the median writes per second. The FULL/NORMAL row is the price of
durability: what share of the NORMAL write rate is left with an fsync per commit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import apsw

from bench.common import Row, median, ratio, tempdir

ROUNDS = 5
N = 500
STEPS = 5
PRAGMAS = ("cache_size", "temp_store", "mmap_size", "busy_timeout")
MODES = ("FULL", "NORMAL")


def step_data(i: int) -> dict:
    return {"text": f"value {i} " + "x" * 180, "n": i}


def run() -> list[Row]:
    from cardflow.db import Database
    from cardflow.pipeline import Pipulate

    with tempdir() as tmp:
        db = Database(tmp / "cardflow.db")
        shipped = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[next(iter(db.conn.execute("PRAGMA synchronous")))[0]]
        pip = Pipulate(db)
        key = "bench"
        pip.initialize_if_missing(key, {"app_name": "bench"})
        for s in range(STEPS):
            pip.set_step_data(key, f"s{s}", step_data(s))
        blob = len(json.dumps(pip.read_state(key)))

        raw = apsw.Connection(str(db.path))
        for name in PRAGMAS:
            value = next(iter(db.conn.execute(f"PRAGMA {name}")))[0]
            raw.execute(f"PRAGMA {name}={value}")
        mode = next(iter(raw.execute("PRAGMA journal_mode")))[0]
        raw.execute("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        payload = json.dumps({"blob": "y" * (blob - 12)})

        def pipeline_round(sync: str) -> float:
            db.conn.execute(f"PRAGMA synchronous={sync}")
            t0 = time.perf_counter()
            for i in range(N):
                pip.set_step_data(key, f"s{i % STEPS}", step_data(i))
            return N / (time.perf_counter() - t0)

        def raw_round(sync: str) -> float:
            raw.execute(f"PRAGMA synchronous={sync}")
            t0 = time.perf_counter()
            for _ in range(N):
                raw.execute("INSERT INTO bench_raw(data) VALUES (?)", (payload,))
            return N / (time.perf_counter() - t0)

        rates: dict[tuple[str, str], list[float]] = {(s, side): [] for s in MODES for side in ("pipeline", "raw")}
        passes: list[tuple[str, str, Callable[[str], float]]] = [
            (s, side, fn) for s in MODES for side, fn in (("pipeline", pipeline_round), ("raw", raw_round))]
        for rnd in range(ROUNDS):
            for sync, side, fn in passes[rnd % len(passes):] + passes[:rnd % len(passes)]:
                rates[(sync, side)].append(fn(sync))
        db.conn.execute(f"PRAGMA synchronous={shipped}")
        raw.close()
        db.close()
    med = {k: median(v) for k, v in rates.items()}
    rows = [Row(f"pipeline set_step_data, {blob} B state ({mode}, synchronous={s}"
                f"{', as shipped' if s == shipped else ''})", f"{med[(s, 'pipeline')]:,.0f}/s",
                f"{med[(s, 'raw')]:,.0f}/s raw INSERT", ratio(med[(s, 'pipeline')], med[(s, 'raw')]))
            for s in MODES]
    rows.append(Row("pipeline writes, synchronous=FULL vs NORMAL (the cost of durability)",
                    f"{med[('FULL', 'pipeline')]:,.0f}/s", f"{med[('NORMAL', 'pipeline')]:,.0f}/s NORMAL",
                    ratio(med[("FULL", "pipeline")], med[("NORMAL", "pipeline")])))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
