"""Memory: steady RSS of the server process after warm-up, before the model loads.

The server runs with ``CARDFLOW_LLM=embedded`` (the model we would load) and gets warm-up traffic
over every app page and the common partials, but no chat message. RSS is read from
/proc/<pid>/status (VmRSS) three times, 0.3 s apart; the median is reported. The model must not
be loaded yet: no llama library mapped into the process (lazy loading, DESIGN.md §8). The
baseline is bench/bare_app.py serving the same home-page bytes after the same number of requests.
"""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

from bench.common import BareServer, Row, cardflow_server, median, ratio, rss_kb, tempdir
from bench.pages import HX, KEY, prepare

WARMUP_ROUNDS = 20


def steady_rss(pid: int) -> float:
    samples = []
    for _ in range(3):
        time.sleep(0.3)
        samples.append(rss_kb(pid) / 1024)
    return median(samples)


def llama_mapped(pid: int) -> bool:
    return bool(re.search(r"llama|ggml", Path(f"/proc/{pid}/maps").read_text()))


def run() -> list[Row]:
    with tempdir() as tmp, cardflow_server({"CARDFLOW_LLM": "embedded"}) as server:
        with server.client() as client:
            task_id = prepare(client)
            home = client.get("/")
            paths = ["/", "/tasks", "/hello", "/profiles", "/stream_simulator", "/help", f"/hello?key={KEY}", "/"]
            for _ in range(WARMUP_ROUNDS):
                for path in paths:
                    client.get(path).raise_for_status()
                client.get(f"/hello/step/name?key={KEY}", headers=HX).raise_for_status()
                client.post(f"/tasks/{task_id}/toggle", headers=HX).raise_for_status()
            requests = WARMUP_ROUNDS * (len(paths) + 2)
            app_mb = steady_rss(server.proc.pid)
            loaded = llama_mapped(server.proc.pid)
        spec = [{"method": "GET", "path": "/", "body": base64.b64encode(home.content).decode(),
                 "headers": {"content-type": home.headers["content-type"]}}]
        (tmp / "routes.json").write_text(json.dumps(spec))
        with BareServer(tmp / "routes.json") as bare:
            import httpx

            with httpx.Client(base_url=bare.url) as client:
                for _ in range(requests):
                    client.get("/").raise_for_status()
            bare_mb = steady_rss(bare.proc.pid)
    return [Row(f"server RSS after {requests} warm-up requests, model not loaded", f"{app_mb:.0f} MB",
                f"{bare_mb:.0f} MB bare", ratio(app_mb, bare_mb), "model loads lazily",
                not loaded)]


if __name__ == "__main__":
    for row in run():
        print(row)
