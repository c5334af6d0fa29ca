"""Idle chat sockets: page latency with 50 open /ws connections vs with none.

bench/idle_sockets.py holds the sockets open in its own process; bench/loadgen.py measures the
home page and a step GET (p50 on one connection) with and without them. The two conditions
alternate over ``ROUNDS`` rounds; figures are medians.
"""

from __future__ import annotations

import subprocess

from bench.common import BENCH, PY, ROOT, Row, cardflow_server, loadgen, median, ratio
from bench.pages import HX, KEY, prepare

SOCKETS = 50
ROUNDS = 4
N = 200
BUDGET = 2.0


def measure(port: int) -> dict[str, float]:
    home = {"port": port, "method": "GET", "path": "/", "n": N, "c": 1}
    step = {"port": port, "method": "GET", "path": f"/hello/step/name?key={KEY}", "headers": HX, "n": N, "c": 1}
    res = loadgen([home, step])
    return {"home": res[0]["p50"], "step": res[1]["p50"]}


def with_sockets(server, port: int) -> dict[str, float]:
    holder = subprocess.Popen([PY, str(BENCH / "idle_sockets.py"), f"ws://127.0.0.1:{port}/ws", server.url,
                               str(SOCKETS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = holder.stdout.readline()
        if not line.startswith(f"ready {SOCKETS}"):
            raise RuntimeError(f"idle_sockets.py: {line!r}")
        return measure(port)
    finally:
        holder.stdin.close()
        try:
            holder.wait(10)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()


def run() -> list[Row]:
    results: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    with cardflow_server() as server:
        with server.client() as client:
            prepare(client)
        for rnd in range(ROUNDS):
            order = ["without", "with"] if rnd % 2 == 0 else ["with", "without"]
            for cond in order:
                results[cond].append(with_sockets(server, server.port) if cond == "with" else measure(server.port))
    rows = []
    for page, label in (("home", "home page GET"), ("step", "step GET")):
        w = median([r[page] for r in results["with"]])
        wo = median([r[page] for r in results["without"]])
        rows.append(Row(f"{label} p50 with {SOCKETS} idle chat sockets", f"{w * 1000:.2f} ms",
                        f"{wo * 1000:.2f} ms without", ratio(w, wo), f"≤ {BUDGET:g}×", w / wo <= BUDGET))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
