"""HTTP load generator, run as its own process so it never shares an interpreter with a server.

    echo '[{"port": 5001, "method": "GET", "path": "/", "n": 200, "c": 1}]' | python bench/loadgen.py

Reads a JSON list of jobs on stdin and prints one JSON result per job. A job sends ``n``
requests over ``c`` keep-alive HTTP/1.1 connections (after ``warmup`` untimed ones) and reports
latency percentiles and requests per second. The client is a few lines of asyncio streams,
not an HTTP library, so that its own cost per request stays far below the server's.

Job keys: port, method, path, body (form-encoded string), headers (dict), n, c, warmup.
Every request carries Host 127.0.0.1:<port> and the matching Origin (Cardflow's CSRF check).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time


def build_request(job: dict) -> bytes:
    port, body = job["port"], job.get("body", "").encode()
    lines = [f"{job['method']} {job['path']} HTTP/1.1", f"Host: 127.0.0.1:{port}",
             f"Origin: http://127.0.0.1:{port}", "Accept: */*"]
    lines += [f"{k}: {v}" for k, v in job.get("headers", {}).items()]
    if job["method"] != "GET":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """(status, body length) of one response; handles Content-Length and chunked bodies."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        await reader.readexactly(length)
        return status, length
    total = 0
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        await reader.readexactly(size + 2)
        total += size
        if size == 0:
            return status, total


async def run_job(job: dict) -> dict:
    request = build_request(job)
    n, c, warmup = int(job["n"]), int(job.get("c", 1)), int(job.get("warmup", 20))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    left = {"warm": warmup, "timed": n}

    async def worker(phase: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", job["port"])
        try:
            while left[phase] > 0:
                left[phase] -= 1
                t0 = time.perf_counter()
                writer.write(request)
                status, _ = await read_response(reader)
                if phase == "timed":
                    latencies.append(time.perf_counter() - t0)
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    # Warm-up on one connection first (untimed), then the timed part on c connections.
    await worker("warm")
    started = time.perf_counter()
    await asyncio.gather(*[worker("timed") for _ in range(c)])
    elapsed = time.perf_counter() - started
    latencies.sort()

    def q(p: float) -> float:
        return latencies[min(len(latencies) - 1, round((len(latencies) - 1) * p / 100))]

    errors = sum(v for k, v in statuses.items() if not 200 <= k < 300)
    return {"n": len(latencies), "c": c, "p50": q(50), "p90": q(90), "p99": q(99),
            "mean": sum(latencies) / len(latencies), "rps": len(latencies) / elapsed,
            "errors": errors, "statuses": {str(k): v for k, v in statuses.items()}}


async def main() -> None:
    jobs = json.loads(sys.stdin.read())
    results = [await run_job(job) for job in jobs]
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
