"""Pipeline writes: ``Pipulate.set_step_data`` vs raw SQLite inserts of the same JSON size.

One temp database opened by ``cardflow.db.Database`` (WAL, its pragmas). The baseline is a second
plain apsw connection to the same file, with the pragmas copied from Cardflow's connection, doing
one autocommit ``INSERT`` per write of a JSON text as long as the state blob Pipulate writes.
Both sides write one row per transaction. They alternate over ``ROUNDS`` rounds of ``N`` writes;
the figures are the median writes per second.
"""

from __future__ import annotations

import json
import time

import apsw

from bench.common import Row, median, ratio, tempdir

ROUNDS = 5
N = 2000
STEPS = 5
PRAGMAS = ("synchronous", "cache_size", "temp_store", "mmap_size", "busy_timeout")


def step_data(i: int) -> dict:
    return {"text": f"value {i} " + "x" * 180, "n": i}


def run() -> list[Row]:
    from cardflow.db import Database
    from cardflow.pipeline import Pipulate

    with tempdir() as tmp:
        db = Database(tmp / "cardflow.db")
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
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[next(iter(raw.execute("PRAGMA synchronous")))[0]]
        raw.execute("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        payload = json.dumps({"blob": "y" * (blob - 12)})

        def pipeline_round() -> float:
            t0 = time.perf_counter()
            for i in range(N):
                pip.set_step_data(key, f"s{i % STEPS}", step_data(i))
            return N / (time.perf_counter() - t0)

        def raw_round() -> float:
            t0 = time.perf_counter()
            for _ in range(N):
                raw.execute("INSERT INTO bench_raw(data) VALUES (?)", (payload,))
            return N / (time.perf_counter() - t0)

        pipeline_rounds, raw_rounds = [], []
        for rnd in range(ROUNDS):
            order = [(pipeline_round, pipeline_rounds), (raw_round, raw_rounds)]
            for fn, out in order if rnd % 2 == 0 else reversed(order):
                out.append(fn())
        raw.close()
        db.close()
    p, r = median(pipeline_rounds), median(raw_rounds)
    return [Row(f"pipeline set_step_data, {blob} B state ({mode}, synchronous={sync})", f"{p:,.0f}/s",
                f"{r:,.0f}/s raw INSERT", ratio(p, r))]


if __name__ == "__main__":
    for row in run():
        print(row)
