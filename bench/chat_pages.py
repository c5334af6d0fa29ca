"""Pages while the assistant talks: home and step-card p50 while the embedded model streams a reply.

A live Cardflow with the embedded SmolLM2 model (warmed first: the model loads on the first
message). Each round measures the home page and a step card with bench/loadgen.py on one
connection twice: once with no chat, once while a WebSocket client keeps a reply streaming (a
greeting, sent again as soon as a reply ends, so that generation covers
the whole pass). The server's CPU per request is read from /proc around each pass. Conditions
alternate round by round; figures are medians. Budget (DESIGN.md §8): a streaming reply does not
stall pages: page p50 while a reply streams within 2x of page p50 with no chat.

    python -m bench.chat_pages
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

from websockets.asyncio.client import connect

from bench.chat import is_end
from bench.common import Row, cardflow_server, cpu_seconds, loadgen, median, ratio
from bench.pages import HX, KEY

ROUNDS = 3
N = 120
BUDGET = 2.0
# A plain greeting: the assistant answers it in chat (up to the word limit) rather than as an action.
MSG = "hello"


class Talker:
    """Keeps one reply streaming over /ws in a background thread until stopped; counts chunks."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http", "ws") + "/ws?client=bench-talker"
        self.origin = url
        self.chunks = 0
        self.replies = 0
        self.streaming = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        async with connect(self.url, additional_headers={"Origin": self.origin}, max_size=None) as ws:
            while not self._stop.is_set():
                await ws.send(json.dumps({"msg": MSG}))
                while True:
                    frame = await asyncio.wait_for(ws.recv(), 300)
                    if is_end(frame):
                        self.replies += 1
                        break
                    if 'hx-swap-oob="innerHTML"' in frame:
                        self.chunks += 1
                        self.streaming.set()
                    if self._stop.is_set():
                        await ws.send(json.dumps({"stop": True}))

    def __enter__(self) -> Talker:
        self._thread.start()
        if not self.streaming.wait(300):
            raise RuntimeError("the embedded model did not start streaming within 300 s")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)


def warm(url: str) -> None:
    async def once() -> None:
        async with connect(url.replace("http", "ws") + "/ws?client=bench-warm",
                           additional_headers={"Origin": url}) as ws:
            await ws.send(json.dumps({"msg": "hello"}))
            while not is_end(await asyncio.wait_for(ws.recv(), 300)):
                pass

    asyncio.run(once())


def run() -> list[Row]:
    from cardflow.chat.backends import embedded_available

    ok, why = embedded_available()
    if not ok:
        return [Row("page p50 while a reply streams", f"skipped: {why}", met=None)]
    with cardflow_server({"CARDFLOW_LLM": "embedded"}) as server:
        client = server.client()
        client.post("/hello/init", data={"key": KEY}).raise_for_status()
        client.post(f"/hello/step/name?key={KEY}", data={"name": "Ada"}, headers=HX).raise_for_status()
        warm(server.url)
        pages = {"home page GET": ("/", {}), "step card GET": (f"/hello/step/name?key={KEY}", HX)}
        res: dict[str, dict[str, list[dict]]] = {p: {"quiet": [], "streaming": []} for p in pages}
        chunks = 0
        for rnd in range(ROUNDS):
            order = ["quiet", "streaming"] if rnd % 2 == 0 else ["streaming", "quiet"]
            for cond in order:
                for name, (path, headers) in pages.items():
                    job = {"port": server.port, "method": "GET", "path": path, "headers": headers, "n": N, "c": 1,
                           "warmup": 10}
                    if cond == "quiet":
                        client.post("/chat/clear").raise_for_status()
                        cpu0 = cpu_seconds(server.proc.pid)
                        (lat,) = loadgen([job])
                    else:
                        with Talker(server.url) as talker:
                            before = talker.chunks
                            cpu0 = cpu_seconds(server.proc.pid)
                            (lat,) = loadgen([job])
                            chunks += talker.chunks - before
                    cpu = (cpu_seconds(server.proc.pid) - cpu0) / (N + 10)
                    res[name][cond].append({"p50": lat["p50"], "p99": lat["p99"], "cpu": cpu})
                    time.sleep(0.2)
        client.close()
    rows = []
    for name in pages:
        q = {k: median([r[k] for r in res[name]["quiet"]]) for k in ("p50", "p99", "cpu")}
        s = {k: median([r[k] for r in res[name]["streaming"]]) for k in ("p50", "p99", "cpu")}
        rows.append(Row(f"{name} p50 while the embedded model streams a reply", f"{s['p50'] * 1000:.2f} ms",
                        f"{q['p50'] * 1000:.2f} ms no chat", ratio(s["p50"], q["p50"]), f"≤ {BUDGET:g}×",
                        s["p50"] / q["p50"] <= BUDGET))
        rows.append(Row(f"{name} p99 while the embedded model streams a reply", f"{s['p99'] * 1000:.2f} ms",
                        f"{q['p99'] * 1000:.2f} ms no chat", ratio(s["p99"], q["p99"])))
    rows.append(Row("chunks streamed to the page during the timed passes", f"{chunks}", "—"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
