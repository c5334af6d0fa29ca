"""SSE fan-out clients, run as their own process: N /sse streams, pokes, and a simulation.

    python bench/sse_clients.py PORT N_CLIENTS N_POKES

1. Opens N ``GET /sse`` streams (plain asyncio sockets, chunked body decoded by hand) and waits
   until each has its first line.
2. Sends ``POST /poke`` N_POKES times, one at a time. Events carry no timestamp, so the delay of
   a poke is (the time a client receives its ``toast`` event) minus (the time just before the POST
   was written). Both are ``time.perf_counter()`` in this one process.
3. Starts a simulation (``POST /stream_simulator/start``, 2 s, 40 updates) and records every
   ``job-<id>`` event each client gets until its ``job-<id>-end``. Here the delay is measured
   against the first client to receive the same event id (fan-out spread).

Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections import defaultdict

SIM = {"duration": "2", "updates": "40"}


class SSEClient:
    def __init__(self, port: int) -> None:
        self.port = port
        self.events: list[tuple[str, str, float]] = []  # (name, id, receive time)
        self.ready = asyncio.Event()
        self.changed = asyncio.Event()

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(f"GET /sse HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: text/event-stream\r\n\r\n".encode())
        while (await reader.readline()) not in (b"\r\n", b""):
            pass  # response headers
        buffer = b""
        try:
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    return
                buffer += (await reader.readexactly(size + 2))[:-2]
                now = time.perf_counter()
                *blocks, buffer = buffer.split(b"\n\n")
                for block in blocks:
                    self.parse(block.decode(), now)
        finally:
            writer.close()

    def parse(self, block: str, now: float) -> None:
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":")
        if "retry" in block:
            self.ready.set()
        if "event" in fields:
            self.events.append((fields["event"], fields.get("id", ""), now))
            self.changed.set()

    def count(self, name: str) -> int:
        return sum(1 for e in self.events if e[0] == name)


async def post(port: int, path: str, body: str = "") -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                  f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                  f"Connection: close\r\n\r\n{body}").encode())
    data = await reader.read()
    writer.close()
    return data.decode(errors="replace")


async def wait_all(clients: list[SSEClient], predicate, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while not all(predicate(c) for c in clients):
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.002)
    return True


async def main(port: int, n: int, pokes: int) -> dict:
    clients = [SSEClient(port) for _ in range(n)]
    tasks = [asyncio.create_task(c.run()) for c in clients]
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), 30)

    sent: list[float] = []
    for k in range(pokes):
        await asyncio.sleep(0.05)
        sent.append(time.perf_counter())
        await post(port, "/poke")
        await wait_all(clients, lambda c, k=k: c.count("toast") > k, 5)
    poke_delays, missing = [], 0
    for c in clients:
        toasts = [t for name, _, t in c.events if name == "toast"]
        missing += max(0, pokes - len(toasts))
        poke_delays += [t - s for t, s in zip(toasts, sent, strict=False)]

    body = "&".join(f"{k}={v}" for k, v in SIM.items())
    job_id = re.search(r'data-job="(\d+)"', await post(port, "/stream_simulator/start", body)).group(1)
    name = f"job-{job_id}"
    done = await wait_all(clients, lambda c: c.count(f"{name}-end") > 0, 30)
    first: dict[str, float] = {}
    per_client: list[set[str]] = []
    for c in clients:
        ids = {eid for ev, eid, _ in c.events if ev == name}
        per_client.append(ids)
        for ev, eid, t in c.events:
            if ev == name:
                first[eid] = min(first.get(eid, t), t)
    spread: dict[str, list[float]] = defaultdict(list)
    for c in clients:
        for ev, eid, t in c.events:
            if ev == name:
                spread[eid].append(t - first[eid])
    for task in tasks:
        task.cancel()
    all_ids = set(first)
    return {"clients": n, "pokes": pokes, "poke_delays": poke_delays, "poke_missing": missing,
            "sim_done": done, "sim_events": len(all_ids), "sim_updates": int(SIM["updates"]),
            "clients_with_every_event": sum(ids == all_ids for ids in per_client),
            "sim_spread": [d for ds in spread.values() for d in ds]}


if __name__ == "__main__":
    result = asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
    print(json.dumps(result))
