"""SSE fan-out: 50 /sse clients (bench/sse_clients.py, its own process) get every event, fast.

Delivery delay of ``POST /poke`` events (send → receipt, p50/p95) with 50 clients, against the
same with one client in the same run. Then a 2 s / 40-update simulation: every client must get
every ``job-<id>`` progress event; the spread is each receipt vs the first client's receipt.
"""

from __future__ import annotations

import json
import subprocess

from bench.common import BENCH, PY, ROOT, Row, cardflow_server, pct, ratio

CLIENTS = 50
POKES = 30
P95_BUDGET = 0.100


def clients(port: int, n: int) -> dict:
    out = subprocess.run([PY, str(BENCH / "sse_clients.py"), str(port), str(n), str(POKES)], capture_output=True,
                         text=True, timeout=120, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"sse_clients.py failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout)


def run() -> list[Row]:
    with cardflow_server() as server:
        one = clients(server.port, 1)
        many = clients(server.port, CLIENTS)
    d1, dn = one["poke_delays"], many["poke_delays"]
    p95 = pct(dn, 95)
    spread = many["sim_spread"]
    every = many["clients_with_every_event"] == CLIENTS and many["sim_done"] and \
        many["sim_events"] >= many["sim_updates"] and many["poke_missing"] == 0
    return [
        Row(f"SSE poke → receipt, {CLIENTS} clients: p50", f"{pct(dn, 50) * 1000:.1f} ms",
            f"{pct(d1, 50) * 1000:.1f} ms 1 client", ratio(pct(dn, 50), pct(d1, 50))),
        Row(f"SSE poke → receipt, {CLIENTS} clients: p95 ({len(dn)} receipts)", f"{p95 * 1000:.1f} ms",
            f"{pct(d1, 95) * 1000:.1f} ms 1 client", ratio(p95, pct(d1, 95)),
            f"< {P95_BUDGET * 1000:g} ms", p95 < P95_BUDGET),
        Row("SSE simulation fan-out: spread vs first client p50 / p95",
            f"{pct(spread, 50) * 1000:.1f} / {pct(spread, 95) * 1000:.1f} ms", "0 (first receipt)", "—",
            f"p95 < {P95_BUDGET * 1000:g} ms", pct(spread, 95) < P95_BUDGET),
        Row("SSE simulation: clients that got every progress event",
            f"{many['clients_with_every_event']}/{CLIENTS} × {many['sim_events']} events",
            f"{many['sim_updates']} updates", "—", "all", every),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
