"""Chat: time to first token through the app vs calling the backend directly, and the relay.

Through the app: a WebSocket client sends ``{"msg": "hello"}`` to ``/ws`` on a live server and
times the first streamed chunk (a frame with ``hx-swap-oob="innerHTML"``). Directly: the same
backend class in this process, given the same messages (the app's own system prompt for the home
app, then "hello"), timed to its first chunk. History is cleared before each app sample so both
sides send the same prompt. Samples alternate direct/app; figures are medians.

(a) scripted backend, ``DELAY`` s before each word: also the gap between chunks as seen by the
page vs in-process, and whether the first frame holds only the first word (no buffering).
(b) the embedded SmolLM2 model, warmed in both processes first; each generation is stopped
after its first token (Stop over the socket, ``aclose()`` directly).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time

import httpx
from websockets.asyncio.client import connect

from bench.common import Row, cardflow_server, median, ratio, tempdir

DELAY = 0.02
REPLY = "alpha bravo charlie delta echo foxtrot golf hotel india juliet"
SCRIPTED_SAMPLES = 15
EMBEDDED_SAMPLES = 15
TTFT_BUDGET = 0.025
INPUT_TAG = re.compile(r"<textarea[^>]*id=\"chat-input\"[^>]*>")


def is_end(frame: str) -> bool:
    tag = INPUT_TAG.search(frame)
    return bool(tag) and "disabled" not in tag.group(0)


async def app_sample(ws, msg: str = "hello", stop_after_first: bool = False) -> list[tuple[float, str]]:
    """[(seconds since send, frame)] of the streamed chunks of one reply."""
    chunks: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    await ws.send(json.dumps({"msg": msg}))
    while True:
        frame = await asyncio.wait_for(ws.recv(), 120)
        t = time.perf_counter() - t0
        if is_end(frame):
            return chunks
        if 'hx-swap-oob="innerHTML"' in frame:
            chunks.append((t, frame))
            if stop_after_first and len(chunks) == 1:
                await ws.send(json.dumps({"stop": True}))


async def direct_sample(backend, messages: list[dict], stop_after_first: bool = False) -> list[float]:
    times = []
    t0 = time.perf_counter()
    stream = backend.stream(messages, options={"idle_timeout": 120})
    async for _chunk in stream:
        times.append(time.perf_counter() - t0)
        if stop_after_first:
            break
    await stream.aclose()
    for _ in range(500):  # the embedded worker thread stops at its next token
        if not getattr(backend, "generating", False):
            break
        await asyncio.sleep(0.01)
    return times


def system_prompt(llm: str) -> str:
    """The system prompt the app sends for the home app, built by the app's own code."""
    from cardflow.app import build_app
    from cardflow.config import Settings

    with tempdir() as tmp:
        app = build_app(Settings(data_dir=tmp, port=5001, open_browser=False, llm=llm,
                                 ollama_host="http://127.0.0.1:9"))
        ctx = app.state.ctx
        prompt = ctx.chat.system_prompt("home")
        ctx.db.close()
        return prompt


async def compare(server, backend, samples: int, stop_after_first: bool, warm: int) -> dict:
    messages = [{"role": "system", "content": system_prompt(backend.name)}, {"role": "user", "content": "hello"}]
    app_runs, direct_runs = [], []
    ws_url = f"ws://127.0.0.1:{server.port}/ws?client=bench"
    async with connect(ws_url, origin=server.url, max_size=None) as ws, \
            httpx.AsyncClient(base_url=server.url, headers={"Origin": server.url}) as http:
        for i in range(warm + samples):
            if i % 2:  # alternate which side goes first
                direct = await direct_sample(backend, messages, stop_after_first)
            (await http.post("/chat/clear")).raise_for_status()
            via_app = await app_sample(ws, stop_after_first=stop_after_first)
            await asyncio.sleep(0.3)  # let a stopped generation end before the next one
            if not i % 2:
                direct = await direct_sample(backend, messages, stop_after_first)
            if i >= warm:
                app_runs.append(via_app)
                direct_runs.append(direct)
    return {"app": app_runs, "direct": direct_runs, "prompt": len(messages[0]["content"])}


def scripted_rows() -> list[Row]:
    from cardflow.chat.backends import ScriptedBackend

    env = {"CARDFLOW_LLM": "scripted", "CARDFLOW_SCRIPTED_REPLIES": json.dumps([REPLY]),
           "CARDFLOW_SCRIPTED_DELAY": str(DELAY)}
    with cardflow_server(env) as server:
        res = asyncio.run(compare(server, ScriptedBackend([REPLY], DELAY), SCRIPTED_SAMPLES, False, warm=2))
    app_first = median([run[0][0] for run in res["app"]])
    direct_first = median([run[0] for run in res["direct"]])
    app_gaps = [b[0] - a[0] for run in res["app"] for a, b in itertools.pairwise(run)]
    direct_gaps = [b - a for run in res["direct"] for a, b in itertools.pairwise(run)]
    words = len(REPLY.split())
    complete = sum(len(run) >= words for run in res["app"])
    unbuffered = sum("alpha" in run[0][1] and "bravo" not in run[0][1] for run in res["app"])
    diff = app_first - direct_first
    n = len(res["app"])
    return [
        Row(f"chat TTFT, scripted ({DELAY * 1000:g} ms/word): app − direct",
            f"{app_first * 1000:.1f} ms (Δ {diff * 1000:+.1f} ms)", f"{direct_first * 1000:.1f} ms direct",
            ratio(app_first, direct_first), f"Δ ≤ {TTFT_BUDGET * 1000:g} ms", diff <= TTFT_BUDGET),
        Row("chat relay: gap between chunks on the page (p50)", f"{median(app_gaps) * 1000:.1f} ms",
            f"{median(direct_gaps) * 1000:.1f} ms direct", ratio(median(app_gaps), median(direct_gaps))),
        Row("chat no buffering: 1st frame holds only word 1", f"{unbuffered}/{n} replies",
            f"{complete}/{n} had all {words} chunks", "—", "first token before second", unbuffered == n),
    ]


def embedded_rows() -> list[Row]:
    from cardflow.chat.backends import EmbeddedBackend, embedded_available

    ok, why = embedded_available()
    if not ok:
        return [Row("chat TTFT, embedded SmolLM2", f"skipped: {why}", met=None)]
    backend = EmbeddedBackend()
    with cardflow_server({"CARDFLOW_LLM": "embedded"}) as server:
        res = asyncio.run(compare(server, backend, EMBEDDED_SAMPLES, True, warm=3))
    app_first = median([run[0][0] for run in res["app"]])
    direct_first = median([run[0] for run in res["direct"]])
    diff = app_first - direct_first
    return [Row(f"chat TTFT, embedded SmolLM2 (warm, {res['prompt']}-char system prompt): app − direct",
                f"{app_first * 1000:.1f} ms (Δ {diff * 1000:+.1f} ms)", f"{direct_first * 1000:.1f} ms direct",
                ratio(app_first, direct_first), f"Δ ≤ {TTFT_BUDGET * 1000:g} ms", diff <= TTFT_BUDGET)]


def run() -> list[Row]:
    return scripted_rows() + embedded_rows()


if __name__ == "__main__":
    for row in run():
        print(row)
