"""Benchmark: the whole-graph analyses (cardflow/linkgraph/analysis.py and ranking.py).

    python bench/linkgraph_analysis.py [--edges 1000000] [--data DIR]

Generates the same export as ``bench/linkgraph_ingest.py`` (``--data DIR`` keeps and reuses
it: 10M edges take minutes to generate), ingests it in a child process, then runs every
analysis once, in order, in another fresh child: PageRank, HITS (authorities), the depth and
inlink distributions, the first page of orphans, dead ends and broken links, the segment
matrix. Prints each one's wall and CPU time, the total, the child's peak RSS
(``ru_maxrss``) and the load average, and whether the issue-17 budget (all analyses <= 60 s
on 10M edges) is met when ``--edges`` is 10M or more.

Then, in a third fresh child, the analyses as the graph viewer's page runs them
(``cardflow.linkgraph.reports.compute_all``): the nine reports (HITS once for hubs and
authorities) with their full CSVs written, cold; then the same call again, which reads the
stored reports (a second visit). Both against the same budget, with the child's peak RSS. ``make bench`` runs it at 1M edges
(section ``linkgraph_analysis``, about a minute); the 10M figures are in docs/benchmarks.md.
Always exits 0: it reports, it does not gate.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Row  # noqa: E402
from bench.linkgraph_ingest import CHILD_INGEST, child, generate  # noqa: E402

EDGES = 1_000_000
BIG_EDGES = 10_000_000
BUDGET_S = 60.0  # all analyses on 10M edges (issue 17)

CHILD_ANALYSIS = """
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[2])
from cardflow.linkgraph import analysis as a, ranking as r
db = sys.argv[1]
steps = [("pagerank", r.pagerank), ("hits (authorities)", r.hits), ("depth distribution", a.depth_distribution),
         ("inlink distribution", a.inlink_distribution), ("orphans (first 100)", a.orphans),
         ("dead ends (first 100)", a.dead_ends), ("broken links (first 100)", a.broken_links),
         ("segment matrix", a.segment_flow)]
def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime
out, load = [], os.getloadavg()[0]
for name, fn in steps:
    t0, c0 = time.perf_counter(), cpu()
    res = fn(db)
    out.append({"name": name, "seconds": time.perf_counter() - t0, "cpu": cpu() - c0, "total": res.total,
                "extra": {k: v for k, v in res.extra.items() if k in ("iterations", "broken_pages")}})
print(json.dumps({"steps": out, "load": [load, os.getloadavg()[0]],
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


CHILD_PAGE = """
import json, os, resource, shutil, sys, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from cardflow.linkgraph import reports
d = Path(sys.argv[1])
shutil.rmtree(reports.folder(d), ignore_errors=True)
def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime
out = {"load": os.getloadavg()[0]}
for label, use_cache in (("cold", False), ("cached", True)):
    t0, c0 = time.perf_counter(), cpu()
    done = reports.compute_all(d, use_cache=use_cache)
    out[label] = {"seconds": time.perf_counter() - t0, "cpu": cpu() - c0, "reports": len(done)}
    if label == "cold":
        out["groups"] = {g: done[names[0]].seconds for g, names in reports.GROUPS.items()}
        out["csv_mb"] = sum(reports.csv_path(d, n).stat().st_size for n in done) / 1e6
out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(out))
"""


def measure(n_edges: int, data: Path | None) -> dict[str, Any]:
    """Generate (or reuse), ingest, analyse; the analysis child's JSON plus the ingest's."""
    tmp = data or Path(tempfile.mkdtemp(prefix="cardflow-linkgraph-analysis-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        edges, meta, _ = generate(tmp, n_edges)
        db = tmp / "graph.duckdb"
        ing = child(CHILD_INGEST, str(edges), str(meta), str(db), str(ROOT))
        res = child(CHILD_ANALYSIS, str(db), str(ROOT))
        res["page"] = child(CHILD_PAGE, str(tmp), str(ROOT))
        res["ingest"] = ing
        res["edges"] = n_edges
        return res
    finally:
        if data is None:
            shutil.rmtree(tmp, ignore_errors=True)


def rows(res: dict[str, Any]) -> list[Row]:
    total = sum(s["seconds"] for s in res["steps"])
    rss = res["maxrss_kb"] / 1024
    big = res["edges"] >= BIG_EDGES
    slowest = max(res["steps"], key=lambda s: s["seconds"])
    return [
        Row(f"link-graph analyses, {res['edges']:,} edges: all 8, one after another", f"{total:.1f} s",
            budget=f"<= {BUDGET_S:g} s at 10M" if big else "— (<= 60 s at 10M: docs)",
            met=total <= BUDGET_S if big else None),
        Row(f"link-graph analyses: slowest, {slowest['name']}", f"{slowest['seconds']:.1f} s"),
        Row("link-graph analyses: peak RSS", f"{rss:.0f} MB"),
        *page_rows(res),
    ]


def page_rows(res: dict[str, Any]) -> list[Row]:
    page, big = res["page"], res["edges"] >= BIG_EDGES
    cold = page["cold"]["seconds"]
    return [
        Row(f"graph viewer's analyses, {res['edges']:,} edges: all 9 with CSVs, cold", f"{cold:.1f} s",
            budget=f"<= {BUDGET_S:g} s at 10M" if big else "— (<= 60 s at 10M: docs)",
            met=cold <= BUDGET_S if big else None),
        Row("graph viewer's analyses: second visit (stored reports)", f"{page['cached']['seconds'] * 1000:.0f} ms"),
        Row("graph viewer's analyses: peak RSS", f"{page['maxrss_kb'] / 1024:.0f} MB"),
    ]


def run() -> list[Row]:
    return rows(measure(EDGES, None))


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--edges", type=int, default=EDGES)
    ap.add_argument("--data", type=Path, help="generate into (and reuse from) this directory; it is kept")
    args = ap.parse_args()
    res = measure(args.edges, args.data)
    ing = res["ingest"]
    print(f"{args.edges:,} edges: {ing['nodes']:,} pages, {ing['edges']:,} distinct links")
    print(f"ingest (child): {ing['seconds']:.1f} s, CPU {ing['cpu']:.1f} s, peak RSS {ing['maxrss_kb'] / 1024:.0f} MB")
    print()
    print(f"{'analysis':<28} {'wall':>8} {'CPU':>8} {'rows':>10}  notes")
    print("-" * 72)
    for s in res["steps"]:
        notes = ", ".join(f"{k} {v:,}" for k, v in s["extra"].items())
        print(f"{s['name']:<28} {s['seconds']:>7.2f}s {s['cpu']:>7.2f}s {s['total']:>10,}  {notes}")
    total, cpu = sum(s["seconds"] for s in res["steps"]), sum(s["cpu"] for s in res["steps"])
    print(f"{'total':<28} {total:>7.2f}s {cpu:>7.2f}s")
    print(f"peak RSS of the analysis child: {res['maxrss_kb'] / 1024:.0f} MB")
    print(f"load average (1 min) before / after the analyses: {res['load'][0]:.2f} / {res['load'][1]:.2f}")
    if args.edges >= BIG_EDGES:
        print(f"budget all analyses <= {BUDGET_S:.0f} s: {'MET' if total <= BUDGET_S else 'MISSED'} ({total:.1f} s)")
    page = res["page"]
    print()
    print("as the graph viewer runs them (reports.compute_all, full CSVs written):")
    for group, seconds in page["groups"].items():
        print(f"  {group:<26} {seconds:>7.2f}s")
    print(f"  cold: {page['cold']['seconds']:.2f} s wall, {page['cold']['cpu']:.2f} s CPU, "
          f"{page['csv_mb']:.0f} MB of CSV; second visit (stored): {page['cached']['seconds'] * 1000:.0f} ms")
    print(f"  peak RSS of that child: {page['maxrss_kb'] / 1024:.0f} MB; load before: {page['load']:.2f}")
    if args.edges >= BIG_EDGES:
        met = page["cold"]["seconds"] <= BUDGET_S
        print(f"budget the page's analyses <= {BUDGET_S:.0f} s: {'MET' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
