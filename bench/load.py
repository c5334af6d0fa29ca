"""Load: 200 concurrent clients mixing pages, partials, SSE streams and chat sockets for 30 s.

    python bench/load.py [--clients 200] [--seconds 30]

Starts a real Cardflow server (scripted chat backend) in a temp data dir, drives it from this
process with asyncio (the server runs in its own process), and prints request counts, error
counts and p50/p99 latency per kind. The run passes when there are zero errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import LiveServer

HX = {"HX-Request": "true"}
PAGE_P50_BUDGET_MS = 150.0  # DESIGN.md §8: 200 clients for 30 s, page p50


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.cpu: dict[str, float] = {}

    def ok(self, kind: str, seconds: float) -> None:
        self.latency[kind].append(seconds * 1000)

    def fail(self, kind: str, why: str) -> None:
        self.errors[kind].append(why)


class RawHTTP:
    """One keep-alive HTTP/1.1 connection driven with asyncio streams (bench/loadgen.py's approach).

    httpx costs the load generator about 3 ms of CPU a request, as much as the server it measures,
    and both share the 2 cores; this client costs a tenth of that, so the server is what is measured.
    """

    def __init__(self, url: str) -> None:
        self.host, self.port = url.removeprefix("http://").split(":")[0], int(url.rsplit(":", 1)[1])
        self.head = f"Host: {self.host}:{self.port}\r\nOrigin: {url}\r\nAccept: */*\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, form: dict[str, str] | None = None,
                      hx: bool = False) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        body = urlencode(form or {}).encode()
        head = f"{method} {path} HTTP/1.1\r\n{self.head}" + ("HX-Request: true\r\n" if hx else "")
        if method != "GET":
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        self.writer.write((head + "\r\n").encode() + body)
        try:
            return await read_response(self.reader)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status, length, chunked, close = int(status_line.split()[1]), 0, False, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if not chunked:
        body = await reader.readexactly(length)
    else:
        parts = []
        while size := int((await reader.readline()).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readexactly(2)
        body = b"".join(parts)
    if close:
        raise ConnectionError("server closed the connection")
    return status, body


async def http_client(url: str, stats: Stats, until: float, n: int) -> None:
    rng = random.Random(n)
    c = RawHTTP(url)
    key = f"load-{n}"
    try:
        await c.request("POST", "/hello/init", {"key": key}, hx=True)
        await c.request("POST", f"/hello/step/name?key={key}", {"name": f"n{n}"}, hx=True)
        task_ids: list[int] = []
        while time.monotonic() < until:
            kind = rng.choice(["page", "page", "step_get", "step_submit", "task_insert", "task_toggle"])
            t0 = time.perf_counter()
            try:
                if kind == "page":
                    status, _ = await c.request("GET", rng.choice(["/", "/tasks", "/hello", "/help"]))
                elif kind == "step_get":
                    status, _ = await c.request("GET", f"/hello/step/name?key={key}", hx=True)
                elif kind == "step_submit":
                    status, _ = await c.request("POST", f"/hello/step/greeting?key={key}", {"greeting": "hi"}, hx=True)
                elif kind == "task_insert":
                    status, _ = await c.request("POST", "/tasks/insert", {"name": f"t{n}-{rng.random():.6f}"}, hx=True)
                else:
                    if not task_ids:
                        status, body = await c.request("GET", "/tasks")
                        task_ids = [int(x) for x in re.findall(rb'data-id="(\d+)"', body)][:20]
                        continue
                    status, _ = await c.request("POST", f"/tasks/{rng.choice(task_ids)}/toggle", hx=True)
                if status >= 400:
                    stats.fail(kind, f"HTTP {status}")
                else:
                    stats.ok(kind, time.perf_counter() - t0)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                stats.fail(kind, type(exc).__name__)
    finally:
        await c.close()


async def sse_client(url: str, stats: Stats, until: float) -> None:
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=None)) as c, c.stream("GET", f"{url}/sse") as r:
            if r.status_code != 200:
                stats.fail("sse", f"HTTP {r.status_code}")
                return
            t0 = time.perf_counter()
            # Keep-alives come every 15 s: stop at `until`, not at the first line after it.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, until - time.monotonic())):
                    async for _ in r.aiter_lines():
                        pass
            stats.ok("sse", time.perf_counter() - t0)
    except httpx.HTTPError as exc:
        stats.fail("sse", type(exc).__name__)


async def chat_client(url: str, stats: Stats, until: float, n: int) -> None:
    ws_url = url.replace("http", "ws") + f"/ws?client=load{n}"
    try:
        async with websockets.connect(ws_url, additional_headers={"Origin": url}, open_timeout=10) as ws:
            while time.monotonic() < until:
                t0 = time.perf_counter()
                await ws.send(json.dumps({"msg": f"hello {n}"}))
                while True:
                    frame = await asyncio.wait_for(ws.recv(), 30)
                    if 'id="chat-input"' in frame and "disabled" not in frame.split('id="chat-input"')[0][-200:]:
                        break
                stats.ok("chat_reply", time.perf_counter() - t0)
                await asyncio.sleep(1)
    except Exception as exc:
        stats.fail("chat_reply", type(exc).__name__)


async def drive(url: str, clients: int, seconds: float) -> Stats:
    stats = Stats()
    until = time.monotonic() + seconds
    n_sse, n_chat = clients // 4, clients // 10
    n_http = clients - n_sse - n_chat
    jobs = [http_client(url, stats, until, i) for i in range(n_http)]
    jobs += [sse_client(url, stats, until) for _ in range(n_sse)]
    jobs += [chat_client(url, stats, until, i) for i in range(n_chat)]
    await asyncio.gather(*jobs)
    return stats


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def measure(clients: int, seconds: float) -> tuple[Stats, float]:
    from bench.common import cpu_seconds

    data_dir = Path(tempfile.mkdtemp()) / "data"
    data_dir.mkdir()
    server = LiveServer(data_dir, env={"CARDFLOW_SCRIPTED_REPLIES": '["A short scripted reply for the load test."]',
                                       "CARDFLOW_SCRIPTED_DELAY": "0.01"})
    server.start()
    try:
        started, server_cpu, client_cpu = time.perf_counter(), cpu_seconds(server.proc.pid), time.process_time()
        stats = asyncio.run(drive(server.url, clients, seconds))
        elapsed = time.perf_counter() - started
        # Both sides share the 2 cores: how much each used says who the bottleneck was.
        stats.cpu = {"server": cpu_seconds(server.proc.pid) - server_cpu, "client": time.process_time() - client_cpu,
                     "elapsed": elapsed}
        return stats, elapsed
    finally:
        server.stop()


def run(clients: int = 200, seconds: float = 30) -> list:
    """The `make bench` section: one row per traffic kind, and the error count against zero."""
    from bench.common import Row

    stats, elapsed = measure(clients, seconds)
    rows = []
    for kind in sorted(stats.latency):
        lat = stats.latency[kind]
        budget, met = ("p50 ≤ 150 ms", statistics.median(lat) <= PAGE_P50_BUDGET_MS) if kind == "page" else ("—", None)
        rows.append(Row(f"load {clients} clients/{seconds:.0f}s: {kind} p50 / p99",
                        f"{statistics.median(lat):.1f} / {pct(lat, 0.99):.1f} ms", f"{len(lat)} requests",
                        budget=budget, met=met))
    errors = sum(len(v) for v in stats.errors.values())
    total = sum(len(v) for v in stats.latency.values())
    rows.append(Row(f"load {clients} clients/{seconds:.0f}s: errors", f"{errors} of {total + errors}",
                    f"{total / elapsed:.0f} req/s", budget="zero errors", met=errors == 0))
    cpu = stats.cpu
    rows.append(Row(f"load {clients} clients/{seconds:.0f}s: server CPU per request / share of a core",
                    f"{cpu['server'] / max(total, 1) * 1000:.2f} ms / {cpu['server'] / cpu['elapsed']:.0%}",
                    f"load generator {cpu['client'] / cpu['elapsed']:.0%} of a core"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    stats, elapsed = measure(args.clients, args.seconds)
    total = sum(len(v) for v in stats.latency.values())
    errors = sum(len(v) for v in stats.errors.values())
    print(f"load: {args.clients} clients for {args.seconds:.0f}s -> {total} ok, {errors} errors, "
          f"{total / elapsed:.0f} req/s")
    print(f"{'kind':<14}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for kind in sorted(set(stats.latency) | set(stats.errors)):
        lat = stats.latency.get(kind, [])
        print(f"{kind:<14}{len(lat):>8}{statistics.median(lat) if lat else float('nan'):>10.1f}"
              f"{pct(lat, 0.99):>10.1f}{len(stats.errors.get(kind, [])):>8}")
    for kind, whys in stats.errors.items():
        print(f"  {kind} errors: {sorted(set(whys))[:5]}")
    cpu = stats.cpu
    print(f"server CPU {cpu['server']:.1f} s ({cpu['server'] / max(total, 1) * 1000:.2f} ms a request), "
          f"load generator CPU {cpu['client']:.1f} s, over {cpu['elapsed']:.1f} s")
    print("PASS: zero errors" if errors == 0 else "FAIL: errors above")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
