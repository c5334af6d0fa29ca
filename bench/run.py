"""Cardflow benchmarks (`make bench`): runs the sections and prints ONE table.

    python bench/run.py                      # everything, about 5 minutes on 2 cores
    python bench/run.py --only pages,chat    # a subset

Every figure is compared with a baseline measured in the same run (a bare Starlette app
returning the same bytes, the backend called directly, raw SQLite...) or is a median of
repeated runs, because the machine is shared and noisy. The table is also written as markdown
to bench/out/latest.md. Budgets are those of DESIGN.md §8; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Row  # noqa: E402

# name -> module in bench/, in the order they run (the long link-graph run last).
SECTIONS = {
    "pages": "bench.pages",          # 1. page and partial latency/throughput vs bare Starlette
    "startup": "bench.startup",      # 2-3. cold start, restart after edit
    "chat": "bench.chat",            # 4. time to first token, relay (scripted + embedded)
    "sockets": "bench.chat_sockets",  # 4. 50 idle chat sockets vs page latency
    "chat_pages": "bench.chat_pages",  # issue 19: page p50 while the embedded model streams a reply
    "sse": "bench.sse",              # 5. SSE fan-out
    "writes": "bench.writes",        # 6. pipeline writes vs raw SQLite
    "memory": "bench.memory",        # 8. RSS before the model loads
    "load": "bench.load",            # hardening: 200 mixed clients for 30 s, zero errors
    "fuzz": "bench.fuzz",            # hardening: the long fuzz run over every route
    "actions": "bench.actions_calls",  # actions: `cardflow call` and MCP vs a direct call
    "linkgraph": "bench.linkgraph",  # 7. link-graph ingest (bench/linkgraph_ingest.py)
    "linkgraph_analysis": "bench.linkgraph_analysis",  # issue 17: whole-graph analyses, 1M edges
    "graph_firstframe": "bench.graph_firstframe",  # issue 17: the browser view at 50k pages / 200k links
    "preview_rss": "bench.preview_rss",  # issue 18: a 1 GB CSV's data-step preview, peak RSS vs a 1 MB file
    "scorer": "bench.scorer",  # issue 15: the assistant's choice, batched scoring vs one text at a time
    "chat_rewarm": "bench.chat_rewarm",  # issue 15: the first command after the user's edits, rows re-read or not
    "scorer_slots": "bench.scorer_slots",  # issue 15: a new prompt shares a kept one's cells, or overwrites its slot
    "llm_thread": "bench.llm_thread",  # issue 15: the embedded model on one thread, or on a new one per call
    "span_pick": "bench.span_pick",  # issue 15: a new name's stretches around the model's copy, or every one
}
HEAD = ("metric", "figure", "baseline", "ratio", "budget", "met?")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB RAM, "
            f"Python {platform.python_version()}")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(rows: list[Row]) -> str:
    cells = [HEAD, *[(r.metric, r.figure, r.baseline, r.ratio, r.budget, r.verdict) for r in rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEAD))]

    def line(c: tuple[str, ...]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip()

    return "\n".join([line(cells[0]), "-+-".join("-" * w for w in widths), *map(line, cells[1:])])


def markdown(rows: list[Row], notes: list[str]) -> str:
    def esc(v: str) -> str:
        return v.replace("|", "\\|")

    out = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    out += ["| " + " | ".join(esc(v) for v in (r.metric, r.figure, r.baseline, r.ratio, r.budget,
                                               r.verdict)) + " |" for r in rows]
    return "\n".join(["# Cardflow benchmarks: latest run", "", *[f"- {n}" for n in notes], "", *out, ""])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help=f"comma-separated sections: {','.join(SECTIONS)}")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "latest.md")
    args = ap.parse_args()
    chosen = [s.strip() for s in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        ap.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    os.chdir(ROOT)

    started, load_before = time.perf_counter(), load()
    print(f"machine: {machine()}; load average at start {load_before}", flush=True)
    rows: list[Row] = []
    for name in chosen:
        t0 = time.perf_counter()
        print(f"  running {name}…", end="", flush=True)
        try:
            rows += importlib.import_module(SECTIONS[name]).run()
        except Exception as exc:  # one broken section must not hide the others
            traceback.print_exc()
            rows.append(Row(f"{name}: failed", f"{type(exc).__name__}: {str(exc)[:120]}", met=False))
        print(f" {time.perf_counter() - t0:.0f} s", flush=True)

    total = time.perf_counter() - started
    notes = [f"machine: {machine()}",
             f"load average (1, 5, 15 min): {load_before} at start, {load()} at end",
             f"sections: {', '.join(chosen)}; total {total:.0f} s",
             "ratio = figure / baseline; met? is against DESIGN.md §8 (— where it sets no budget)"]
    print()
    print(table(rows))
    print()
    missed = [r.metric for r in rows if r.met is False]
    print(f"{sum(r.met is True for r in rows)} budgets met, {len(missed)} missed"
          + (": " + "; ".join(missed) if missed else "") + f". Total {total:.0f} s; load {load()}.")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(rows, notes))
    print(f"written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
