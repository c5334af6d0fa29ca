"""A new name's pick: the stretches around the model's own copy, or every stretch sharing a word with it.

    python bench/span_pick.py [--rounds 2]

A new name (an add's, a rename's) is re-picked among stretches of the user's words, each scored
inside the call (chat/spans.py); what costs is the tokens scored. Since 2026-12-04 only the
stretches that start and end within three words of where the model's copy stands are scored
(``spans.around``); before, every stretch sharing a word with it was (the baseline, restored
here by making ``around`` find nothing). Each round builds the app on a temp data dir, opens
Tasks and decides eight long adds and renames through ``intent.decide``, without running them:
once each way, alternating. Prints the median decision time of each, their ratio, and how many
decisions came out the same.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cardflow.chat.spans import around as AROUND  # put back after each baseline round

ROWS = ["call the insurance company", "renew the car tax", "walk the dog", "order new glasses", "clean the garage"]
MESSAGES = [
    "rename call the insurance company to call the insurance company about the claim",
    "change renew the car tax to renew the car tax and book the MOT",
    "please add a task to pick up the dry cleaning from the shop on Main Street",
    "add take the recycling out before the collection on Thursday morning",
    "the garage task should say clean the garage and sort out the shelves",
    "remind me to send the invoice to the client by the end of the week",
    "rename walk the dog to walk the dog in the park",
    "add buy a birthday present for my sister",
]


async def one_round(backend, windowed: bool) -> tuple[list[float], list[tuple]]:
    from bench.common import tasks_open
    from cardflow.chat import intent, spans

    spans.around = AROUND if windowed else (lambda text, near: set())  # type: ignore[assignment]
    async with tasks_open(ROWS, "cardflow-spans-") as (ctx, pid, offered):
        await intent.warm(ctx, backend, offered, app_name="tasks", profile_id=pid)  # as after opening the app
        times, made = [], []
        for message in MESSAGES:
            started = time.perf_counter()
            decision = await intent.decide(ctx, backend, message, offered, app_name="tasks", profile_id=pid,
                                           model=None)
            times.append(time.perf_counter() - started)
            made.append((decision.action, sorted(decision.params.items())))
    return times, made


def measure(rounds: int) -> tuple[list[float], list[float], int]:
    from bench.common import embedded_backend

    backend = embedded_backend()
    windowed: list[float] = []
    every: list[float] = []
    same = 0
    for _ in range(rounds):
        old, old_made = asyncio.run(one_round(backend, windowed=False))
        new, new_made = asyncio.run(one_round(backend, windowed=True))
        every += old
        windowed += new
        same += sum(a == b for a, b in zip(old_made, new_made, strict=True))
    return windowed, every, same


def run(rounds: int = 2) -> list:
    """The `make bench` section."""
    from bench.common import Row

    windowed, every, same = measure(rounds)
    w, e = statistics.median(windowed), statistics.median(every)
    return [Row(f"assistant decision, 8 long adds and renames: names picked around the model's copy "
                f"({same} of {len(every)} decided the same)",
                f"{w * 1000:.0f} ms", f"{e * 1000:.0f} ms every stretch sharing a word", f"{w / e:.2f}×")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    windowed, every, same = measure(args.rounds)
    print("around the copy    ", " ".join(f"{t:.2f}" for t in windowed))
    print("every shared (base)", " ".join(f"{t:.2f}" for t in every))
    w, e = statistics.median(windowed), statistics.median(every)
    print(f"median decision: around {w * 1000:.0f} ms, every stretch (baseline) {e * 1000:.0f} ms, "
          f"ratio {w / e:.2f}×; {same} of {len(every)} decisions the same")

if __name__ == "__main__":
    main()
