"""The embedded model's kept prompts: a new prompt shares a kept one's start, or overwrites its slot.

    python bench/scorer_slots.py [--rounds 2]

Every prompt the scorer continues is kept in a KV-cache slot between messages
(chat/backends/scorer.py). A new prompt that starts like a kept one used to continue in that
one's slot, overwriting it; it now takes a free slot and a copy of the shared cells. The prompts
of one message share their system text (the choice's 13, a toggle's four in flags.py), so the
old way made a toggle push out four of the choice's prompts and the next message evaluate them
again. Each round builds the app on a temp data dir, opens Tasks and decides twelve mixed
messages (toggles among them) through ``intent.decide``, without running them: once with the
scorer as it is, once with the old slot policy (kept below as the baseline), alternating. Prints
the median decision time of each and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS = ["buy milk", "call Bob", "write the report", "water the plants", "book the dentist"]
MESSAGES = ["tick off buy milk", "remove call Bob", "mark water the plants done", "what's on my list?",
            "untick the report", "hello there", "check off the dentist", "move call Bob to the top",
            "the report is done", "tick the report", "add walk the dog", "cross off buy milk"]


def overwriting_keep(self, body: list[int], pinned: set[int]) -> int:
    """The slot policy before 2026-12-03 (the baseline): continue the slot that shares at least half."""
    from cardflow.chat.backends.scorer import shared_start

    def shared(slot: int) -> int:
        return shared_start(self._slots[slot], body)

    free = [slot for slot in self._used if slot not in pinned]
    worth = [slot for slot in free if (same := shared(slot)) and len(self._slots[slot]) - same <= same]
    best = max(worth, key=lambda slot: (shared(slot), free.index(slot))) if worth else free[0]
    same = shared(best) if worth else 0
    self._make_room(len(body), pinned | {best})
    self._api.llama_memory_seq_rm(self._ctx.memory, best, same, -1)
    return self._fill(best, same, body)


async def one_round(backend, sharing: bool) -> list[float]:
    from bench.common import tasks_open
    from cardflow.chat import intent
    from cardflow.chat.backends import scorer as scorer_module

    scorer = backend._load_scorer()
    for slot in range(scorer_module.SLOTS):
        scorer._clear(slot)
    if sharing:
        scorer.__dict__.pop("_keep", None)
    else:
        scorer._keep = overwriting_keep.__get__(scorer)
    async with tasks_open(ROWS, "cardflow-slots-") as (ctx, pid, offered):
        await intent.warm(ctx, backend, offered, app_name="tasks", profile_id=pid)  # as after opening the app
        times = []
        for message in MESSAGES:
            started = time.perf_counter()
            await intent.decide(ctx, backend, message, offered, app_name="tasks", profile_id=pid, model=None)
            times.append(time.perf_counter() - started)
    return times


def measure(rounds: int) -> tuple[list[float], list[float]]:
    from bench.common import embedded_backend

    backend = embedded_backend()
    sharing: list[float] = []
    overwriting: list[float] = []
    for _ in range(rounds):
        overwriting += asyncio.run(one_round(backend, sharing=False))
        sharing += asyncio.run(one_round(backend, sharing=True))
    return sharing, overwriting


def run(rounds: int = 2) -> list:
    """The `make bench` section."""
    from bench.common import Row

    sharing, overwriting = measure(rounds)
    s, o = statistics.median(sharing), statistics.median(overwriting)
    return [Row("assistant decision, 12 mixed messages on Tasks: a new prompt shares a kept one's cells",
                f"{s * 1000:.0f} ms", f"{o * 1000:.0f} ms overwriting its slot", f"{s / o:.2f}×")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sharing, overwriting = measure(args.rounds)
    print("sharing    ", " ".join(f"{t:.2f}" for t in sharing))
    print("overwriting", " ".join(f"{t:.2f}" for t in overwriting))
    s, o = statistics.median(sharing), statistics.median(overwriting)
    print(f"median decision: sharing {s * 1000:.0f} ms, overwriting (baseline) {o * 1000:.0f} ms, ratio {s / o:.2f}×")


if __name__ == "__main__":
    main()
