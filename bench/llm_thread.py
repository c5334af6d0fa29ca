"""The embedded model on one thread of its own, against a new thread for each call (the baseline).

    python bench/llm_thread.py [--rounds 2]

llama.cpp's CPU backend works in parallel with OpenMP, which keeps a team of threads for each
thread that calls into it. Until 2026-12-04 the embedded backend generated each reply on a new
thread and scored on the default executor's threads, so several teams contended for the 2 cores.
It now makes every call on one thread (``EmbeddedBackend._thread``). The baseline swaps that
thread for the old arrangement (``OldThreads``).

Each variant runs in a process of its own (the teams outlive their calls), alternating, for
``--rounds`` rounds. A round builds the app on a temp data dir, opens Tasks, warms as the app
does, then decides twelve mixed messages through ``intent.decide`` (without running them) and
streams a 24-token chat answer. Prints the median decision, the answer's milliseconds per token
after the first, and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS = ["buy milk", "call Bob", "write the report", "water the plants", "book the dentist"]
MESSAGES = ["tick off buy milk", "add walk the dog", "remove call Bob", "what's on my list?", "hello there",
            "rename buy milk to buy oat milk", "move call Bob to the top", "the report is done",
            "add feed the fish", "untick the report", "thanks!", "put water the plants first"]
ANSWER_TOKENS = 24


class OldThreads(Executor):
    """The threads of the code before (the baseline): each reply generated on a new thread, the
    scoring and the loading on a pool like asyncio's default executor (``asyncio.to_thread``)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=min(32, (os.cpu_count() or 1) + 4))

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not fn.__qualname__.startswith("EmbeddedBackend.generate."):
            return self.pool.submit(fn, *args, **kwargs)
        future: Future[Any] = Future()

        def work() -> None:
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to whoever waits, as an executor does
                future.set_exception(exc)

        threading.Thread(target=work, daemon=True).start()
        return future


async def one_round(per_job: bool) -> dict[str, list[float]]:
    from bench.common import tasks_open
    from cardflow.chat import intent
    from cardflow.chat.backends import EmbeddedBackend

    backend = EmbeddedBackend(idle_timeout=600)
    if per_job:
        backend._thread = OldThreads()  # type: ignore[assignment]
    async with tasks_open(ROWS, "cardflow-thread-") as (ctx, pid, offered):
        await ctx.chat.warm_prompts(backend, "tasks", pid)  # as after opening the app
        decisions = []
        for message in MESSAGES:
            started = time.perf_counter()
            await intent.decide(ctx, backend, message, offered, app_name="tasks", profile_id=pid, model=None)
            decisions.append(time.perf_counter() - started)
        chat = ctx.chat
        messages = [*chat.build_messages(pid, chat.system_prompt("tasks")),
                    {"role": "user", "content": "Tell me a short story about a cat."}]
        stamps = []
        async for _ in backend.stream(messages, options={"max_tokens": ANSWER_TOKENS, "temperature": 0}):
            stamps.append(time.perf_counter())
        per_token = [(stamps[-1] - stamps[0]) / max(1, len(stamps) - 1)]
    return {"decision": decisions, "token": per_token}


def measure(rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    from cardflow.chat.backends import embedded_available

    ok, why = embedded_available()
    if not ok:
        raise SystemExit(f"The embedded model is not installed: {why}")
    one: dict[str, list[float]] = {"decision": [], "token": []}
    per_job: dict[str, list[float]] = {"decision": [], "token": []}
    for _ in range(rounds):
        for variant, into in (("per-job", per_job), ("one", one)):
            out = subprocess.run([sys.executable, __file__, "--variant", variant], capture_output=True, text=True,
                                 check=True)
            for key, values in json.loads(out.stdout.strip().splitlines()[-1]).items():
                into[key] += values
    return one, per_job


def run(rounds: int = 2) -> list:
    """The `make bench` section."""
    from bench.common import Row

    one, per_job = measure(rounds)
    d1, d0 = statistics.median(one["decision"]), statistics.median(per_job["decision"])
    t1, t0 = statistics.median(one["token"]), statistics.median(per_job["token"])
    return [Row("assistant decision, 12 mixed messages on Tasks: the model on one thread",
                f"{d1 * 1000:.0f} ms", f"{d0 * 1000:.0f} ms on the old threads", f"{d1 / d0:.2f}×"),
            Row("chat answer, per token after the first: the model on one thread",
                f"{t1 * 1000:.1f} ms", f"{t0 * 1000:.1f} ms on the old threads", f"{t1 / t0:.2f}×")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variant", choices=("one", "per-job"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:  # a child: one round, its figures as the last line
        print(json.dumps(asyncio.run(one_round(args.variant == "per-job"))))
        return
    for row in run(args.rounds):
        print(f"{row.metric}: {row.figure} vs {row.baseline} ({row.ratio})")


if __name__ == "__main__":
    main()
