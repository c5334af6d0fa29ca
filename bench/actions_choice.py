"""The assistant's first step alone: which action the embedded model chooses, per eval set.

    python bench/actions_choice.py [--group GROUP ...] [--commands] [--out FILE]

``bench/actions_eval.py`` runs each line through the whole path (choice, arguments, registry)
and compares the rows it leaves. That takes about two minutes a set. Most misses are in the first
step (docs/assistant.md, "Tried again and not kept …"). This script runs only that step,
``choice.choose`` (with what the message's words say, ``named.read``: the row they name and whether it is done, …), after the narrowing
``intent.decide`` applies first (``named.possible``). It runs on the real model with each
case's rows, about a second a line. It prints:
- for the commands, how often the verb is right, per set and per expected verb;
- for the other lines, how often a change was chosen. Those lines are safe only because the later
  steps refuse, offer or ask, so this is not their eval.

``--out`` writes one tab-separated line per case (set, kind, expected, right, chosen, text), so
two runs can be compared line by line. Figures move by a few lines from run to run (the scorer's
cache), so compare sums over many sets, not single lines.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.actions_eval_cases import CASES, reset

# The action an expected outcome is made by (a Case's expect[0]).
VERBS = {"add": "add", "done": "toggle", "undone": "toggle", "rename": "update", "delete": "delete", "top": "move",
         "bottom": "move", "position": "move", "up": "move", "down": "move", "list": "list"}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--group", action="append", default=[], help="only this set (repeatable); default: all")
    parser.add_argument("--commands", action="store_true", help="only the commands")
    parser.add_argument("--out", default="", help="write one line per case to this file")
    args = parser.parse_args()

    from cardflow.app import build_app
    from cardflow.chat import choice, intent, named
    from cardflow.chat.backends import EmbeddedBackend, embedded_available
    from cardflow.config import Settings

    ok, why = embedded_available()
    if not ok:
        sys.exit(f"the embedded model is not available: {why}")
    cases = [c for c in CASES if (not args.group or c.group in args.group) and (c.kind == "command" or not args.commands)
             and (c.kind != "command" or c.expect[0] in VERBS)]
    lines, right, chose_change = [], Counter(), Counter()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Settings(data_dir=Path(tmp), open_browser=False, llm="embedded"))
        ctx = app.state.ctx
        tasks, pid = ctx.registry.by_name("tasks"), ctx.current_profile_id()
        backend = EmbeddedBackend(idle_timeout=600)
        actions = intent.offerable(ctx.actions.for_app("tasks"))
        changes = {a.name for a in actions if not a.read_only}
        started = time.perf_counter()
        for case in cases:
            reset(tasks, pid, case.seed)
            names = intent.rows(ctx, "tasks", pid)
            system = intent._system(ctx, "tasks", names)
            among = named.possible(ctx, case.text, actions, app_name="tasks", profile_id=pid, names=names)
            words = named.read(ctx, case.text, names, actions, among, app_name="tasks", profile_id=pid)
            label = (await choice.choose(backend, system, case.text, among, "tasks", words)).label
            if case.kind == "command":
                good = label == f"tasks.{VERBS[case.expect[0]]}"
                right[(case.group, "")] += good
                right[("", case.expect[0])] += good
            else:
                good = label not in changes
                chose_change[case.group] += not good
            lines.append(f"{case.group}\t{case.kind}\t{case.expect[0]}\t{int(good)}\t{label}\t{case.text}")
        seconds = time.perf_counter() - started
    total = Counter((c.group, "") for c in cases if c.kind == "command")
    total.update(("", c.expect[0]) for c in cases if c.kind == "command")
    others = Counter(c.group for c in cases if c.kind != "command")
    print("verb right, commands:")
    for key in sorted(k for k in total if k[0]):
        print(f"  {key[0]:10} {right[key]}/{total[key]}")
    print(f"  {'all':10} {sum(right[k] for k in total if k[0])}/{sum(total[k] for k in total if k[0])}")
    print("by expected verb:", ", ".join(f"{k[1]} {right[k]}/{total[k]}" for k in sorted(k for k in total if k[1])))
    if others:
        print("other lines for which a change was chosen (the later steps still refuse, offer or ask):",
              ", ".join(f"{g} {chose_change[g]}/{n}" for g, n in sorted(others.items())))
    print(f"{len(cases)} lines in {seconds:.0f} s")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
