"""The first command after the user's own edits, with and without the background re-read of the rows.

    python bench/chat_rewarm.py [--rounds 2]

The embedded model's choice keeps prompts that list the open app's rows (chat/backends/scorer.py),
so rows changed by the user cost the next message a re-evaluation unless the app reads them first.
``ChatService.after_change`` does, 1.5 s after the user's last change. Each round builds the app
twice on a temp data dir, once with that listener and once without. Four times over, it adds a task
as the user (actor "ui"), waits 3 s as someone typing would, then times the decision of one
command. Baseline and subject alternate. Prints each time, then the medians and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cardflow.errors import Problem

TURNS = [("book the dentist", "delete the dentist task"), ("write the report", "mark the report as done"),
         ("pay the rent", "remove the rent task"), ("email Sam", "delete email Sam")]


async def one_round(rewarm: bool) -> list[float]:
    from cardflow.app import build_app
    from cardflow.chat import intent
    from cardflow.chat.backends import EmbeddedBackend
    from cardflow.config import Settings

    with tempfile.TemporaryDirectory(prefix="cardflow-rewarm-") as tmp:
        app = build_app(Settings(data_dir=Path(tmp), open_browser=False, llm="embedded"))
        ctx = app.state.ctx
        backend = EmbeddedBackend(idle_timeout=600)
        ctx.chat._backend = backend
        ctx.db.store["last_app_choice"] = "tasks"
        pid = ctx.current_profile_id()
        if not rewarm:
            ctx.actions.on_change.clear()
        for name in ("buy milk", "call Bob", "water the plants"):
            await ctx.actions.run("tasks.add", {"name": name}, actor="ui")
        offered = ctx.actions.for_app("tasks")
        await intent.warm(ctx, backend, offered, app_name="tasks", profile_id=pid)  # as after opening the app
        times = []
        for edit, message in TURNS:
            await ctx.actions.run("tasks.add", {"name": edit}, actor="ui")  # the user's own change
            await asyncio.sleep(3.0)  # typing the next message; the re-read starts after 1.5 s
            if ctx.chat._warming is not None:
                await ctx.chat._warming
            started = time.perf_counter()
            decision = await intent.decide(ctx, backend, message, offered, app_name="tasks", profile_id=pid,
                                           model=None)
            times.append(time.perf_counter() - started)
            if decision.kind == "action":  # run it, and read the rows again, as the chat does after a receipt
                try:
                    await ctx.actions.run(decision.action, decision.params, actor="assistant")
                except Problem:
                    continue  # refused (asks which row): nothing changed, nothing to read again
                ctx.chat.reread_rows()
                if ctx.chat._warming is not None:
                    await ctx.chat._warming
        return times


async def measure(rounds: int, show: bool = False) -> tuple[float, float, int]:
    found: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(rounds):
        for rewarm in (False, True):
            times = await one_round(rewarm)
            found[rewarm].extend(times)
            if show:
                print(f"{'with' if rewarm else 'without'} the re-read: {', '.join(f'{t:.2f}' for t in times)} s")
    return statistics.median(found[False]), statistics.median(found[True]), len(found[True])


def run(rounds: int = 2) -> list:
    """The `make bench` section."""
    from bench.common import Row

    before, after, n = asyncio.run(measure(rounds))
    return [Row(f"assistant, first command after the user's own edits (median of {n}): rows re-read",
                f"{after:.2f} s", f"{before:.2f} s not re-read", f"{after / before:.2f}×")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    before, after, n = asyncio.run(measure(args.rounds, show=True))
    print(f"first command after the user's edits, median of {n}: without {before:.2f} s, "
          f"with {after:.2f} s ({after / before:.2f}×)")


if __name__ == "__main__":
    main()
