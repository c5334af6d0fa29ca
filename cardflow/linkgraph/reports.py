"""The whole-graph analyses as the graph viewer shows them: nine named reports, each computed
once per build of a graph and kept beside it.

- ``<graph dir>/analyses/<name>.json``: what a page needs (the first :data:`KEEP` rows, the
  total, the chart's figures, the one-sentence explanation).
- ``<graph dir>/analyses/<name>.csv``: the whole result, in the same columns, for the download.

Each JSON names the build of ``graph.duckdb`` it came from (:func:`fingerprint`: inode, size and
mtime; ingest renames a new file into place, so a rebuild changes all three). A report from
another build is ignored and computed again. Files are written under temporary names and renamed,
the JSON last, so a reader sees a whole report or none.

:func:`ensure` starts the computations from async code: one at a time per event loop (DuckDB
already uses every core, and each connection has the ingest's memory limit), each in a worker
thread, never twice for the same report. No HTML here; the page is ``cardflow.linkgraph.analyses_view``.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import time
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cardflow import csv_safe
from cardflow.linkgraph import analysis as a
from cardflow.linkgraph import ranking as r

__all__ = ["KEEP", "NAMES", "Report", "cached", "compute", "compute_all", "ensure", "fingerprint", "status"]

NAMES = ("pagerank", "hubs", "authorities", "depth", "inlinks", "orphans", "dead_ends", "broken", "segments")
KEEP = 1000  # rows kept in the JSON: the page shows 50, an action asks for up to 1000
KEEP_SEGMENTS = 50  # matrix rows and columns kept in the JSON; the CSV has every segment
FORMAT = 1  # bumped when a report's shape changes, so older files are recomputed
# HITS gives both rankings in one computation; the others stand alone. Cheap groups first, so a
# page fills quickly while the iterative rankings run.
GROUPS: dict[str, tuple[str, ...]] = {
    "depth": ("depth",), "inlinks": ("inlinks",), "orphans": ("orphans",), "dead_ends": ("dead_ends",),
    "broken": ("broken",), "segments": ("segments",), "pagerank": ("pagerank",), "hits": ("hubs", "authorities"),
}
GROUP_OF = {name: g for g, names in GROUPS.items() for name in names}


@dataclass
class Report:
    name: str
    explanation: str  # one sentence
    columns: list[str]  # of ``rows`` and of the CSV, in order
    rows: list[dict[str, Any]]  # the first KEEP rows
    total: int  # rows in the whole result (the CSV)
    extra: dict[str, Any] = field(default_factory=dict)  # chart figures: by_segment, by_code, matrix...
    fingerprint: str = ""
    seconds: float = 0.0


def fingerprint(db: Path) -> str:
    st = db.stat()
    return f"{FORMAT}-{st.st_ino}-{st.st_size}-{st.st_mtime_ns}"


def folder(graph_dir: Path) -> Path:
    return graph_dir / "analyses"


def csv_path(graph_dir: Path, name: str) -> Path:
    return folder(graph_dir) / f"{name}.csv"


def cached(graph_dir: Path, name: str) -> Report | None:
    """The stored report, if it belongs to the graph as it is now (and its CSV is there)."""
    try:
        data = json.loads((folder(graph_dir) / f"{name}.json").read_text(encoding="utf-8"))
        report = Report(**data)
        current = fingerprint(graph_dir / "graph.duckdb")
    except (OSError, ValueError, TypeError):
        return None
    if report.fingerprint != current or not csv_path(graph_dir, name).is_file():
        return None
    return report


# -- computing ----------------------------------------------------------------------------------
def _write_rows(path: Path, columns: list[str], rows: list[list[Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(csv_safe.rows(rows))  # a site's own words must not run as spreadsheet formulas


def _table(res: a.Analysis, columns: list[str]) -> tuple[list[dict[str, Any]], int]:
    return [{c: row.get(c) for c in columns} for row in res.rows], res.total


def _pagerank(db: Path, out: Callable[[str], Path]) -> list[Report]:
    res = r.pagerank(db, KEEP, csv=out("pagerank"))
    cols = ["url", "pagerank", "inlinks", "outlinks", "pagetype", "depth"]
    extra = {k: res.extra[k] for k in ("iterations", "share_top_1pc", "by_segment")}
    return [Report("pagerank", res.explanation, cols, *_table(res, cols), extra)]


def _hits(db: Path, out: Callable[[str], Path]) -> list[Report]:
    hubs, auths = r.hubs_and_authorities(db, KEEP, csv_hubs=out("hubs"), csv_authorities=out("authorities"))
    cols = ["url", "hub", "authority", "inlinks", "outlinks", "pagetype"]
    return [Report("hubs", hubs.explanation, cols, *_table(hubs, cols)),
            Report("authorities", auths.explanation, cols, *_table(auths, cols))]


def _depth(db: Path, out: Callable[[str], Path]) -> list[Report]:
    res = a.depth_distribution(db)
    cols = ["depth", "pages"]
    _write_rows(out("depth"), cols, [[x["depth"], x["pages"]] for x in res.rows])
    return [Report("depth", res.explanation, cols, *_table(res, cols))]


def _inlinks(db: Path, out: Callable[[str], Path]) -> list[Report]:
    res = a.inlink_distribution(db)
    cols = ["inlinks", "pages"]
    rows = [{"inlinks": x["label"], "pages": x["pages"]} for x in res.rows]
    _write_rows(out("inlinks"), cols, [[x["inlinks"], x["pages"]] for x in rows])
    return [Report("inlinks", res.explanation, cols, rows, len(rows))]


def _page_list(name: str, fn: Callable[..., a.Analysis]) -> Callable[[Path, Callable[[str], Path]], list[Report]]:
    def run(db: Path, out: Callable[[str], Path]) -> list[Report]:
        res = fn(db, KEEP, csv=out(name))
        cols = ["url", "depth", "http_code", "pagetype", "inlinks", "outlinks", "title"]
        return [Report(name, res.explanation, cols, *_table(res, cols), {"by_segment": res.extra["by_segment"]})]

    return run


def _broken(db: Path, out: Callable[[str], Path]) -> list[Report]:
    res = a.broken_targets(db, KEEP, csv=out("broken"))
    cols = ["target", "http_code", "source_count", "sources"]
    return [Report("broken", res.explanation, cols, *_table(res, cols), res.extra)]


def segment_label(segment: str) -> str:
    return segment or "(none)"


def _segments(db: Path, out: Callable[[str], Path]) -> list[Report]:
    res = a.segment_flow(db)
    segments: list[str] = res.extra["segments"]
    matrix: list[list[int]] = res.extra["matrix"]
    labels = [segment_label(s) for s in segments]
    cols = ["source_segment", *labels]
    _write_rows(out("segments"), cols, [[label, *row] for label, row in zip(labels, matrix, strict=True)])
    keep = labels[:KEEP_SEGMENTS]
    rows = [{"source_segment": label, "links": row[:KEEP_SEGMENTS]} for label, row in zip(keep, matrix, strict=False)]
    sent = [sum(row) for row in matrix]
    received = [sum(col) for col in zip(*matrix, strict=True)] if matrix else []
    extra = {"segments": keep, "segment_count": len(segments), "links": sum(sent),
             "sent": sent[:KEEP_SEGMENTS], "received": received[:KEEP_SEGMENTS]}
    return [Report("segments", res.explanation, ["source_segment", *keep], rows, len(segments), extra)]


COMPUTE: dict[str, Callable[[Path, Callable[[str], Path]], list[Report]]] = {
    "pagerank": _pagerank, "hits": _hits, "depth": _depth, "inlinks": _inlinks,
    "orphans": _page_list("orphans", a.orphans), "dead_ends": _page_list("dead_ends", a.dead_ends),
    "broken": _broken, "segments": _segments,
}


def compute(graph_dir: Path, name: str) -> Report:
    """Compute ``name`` (and the reports computed with it) from the graph now on disk, store them,
    and return ``name``'s. Raises FileNotFoundError without a graph; DuckDB's errors otherwise."""
    db = graph_dir / "graph.duckdb"
    stamp = fingerprint(db)
    out_dir = folder(graph_dir)
    out_dir.mkdir(exist_ok=True)
    tag = f".tmp-{os.getpid()}-{time.monotonic_ns()}"
    temps: dict[str, Path] = {}

    def out(report: str) -> Path:
        temps[report] = out_dir / f"{report}.csv{tag}"
        return temps[report]

    started = time.perf_counter()
    try:
        reports = COMPUTE[GROUP_OF[name]](db, out)
        seconds = round(time.perf_counter() - started, 3)
        for rep in reports:
            rep.fingerprint, rep.seconds = stamp, seconds
            os.replace(temps.pop(rep.name), csv_path(graph_dir, rep.name))
            js = out_dir / f"{rep.name}.json{tag}"
            js.write_text(json.dumps(asdict(rep), default=str), encoding="utf-8")
            os.replace(js, out_dir / f"{rep.name}.json")
    finally:
        for leftover in temps.values():
            leftover.unlink(missing_ok=True)
    return next(rep for rep in reports if rep.name == name)


def compute_all(graph_dir: Path, *, use_cache: bool = True) -> dict[str, Report]:
    """Every report, in the order :func:`ensure` runs them (the path the page takes, for the bench)."""
    done: dict[str, Report] = {}
    for names in GROUPS.values():
        found = [cached(graph_dir, n) for n in names] if use_cache else [None]
        if all(found):
            done.update({rep.name: rep for rep in found if rep})
            continue
        compute(graph_dir, names[0])
        done.update({n: rep for n in names if (rep := cached(graph_dir, n))})
    return done


# -- scheduling from async code ----------------------------------------------------------------
class _Runs:
    """One event loop's computations: a lock so that they run one at a time, and a task a group."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.tasks: dict[tuple[str, str], asyncio.Task[None]] = {}


_RUNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Runs] = weakref.WeakKeyDictionary()


def _runs() -> _Runs:
    loop = asyncio.get_running_loop()
    if loop not in _RUNS:
        _RUNS[loop] = _Runs()
    return _RUNS[loop]


async def _run(graph_dir: Path, group: str) -> None:
    runs = _runs()
    async with runs.lock:
        if all(cached(graph_dir, n) for n in GROUPS[group]):  # done while this one waited
            return
        await asyncio.to_thread(compute, graph_dir, GROUPS[group][0])


def ensure(graph_dir: Path, name: str, *, retry: bool = False) -> asyncio.Task[None]:
    """The task computing ``name``'s group: the running one, or a new one. A failed task is kept
    (so that a page polling it shows the error instead of computing again and again) until
    ``retry``."""
    runs = _runs()
    key = (str(graph_dir), GROUP_OF[name])
    task = runs.tasks.get(key)
    if task is None or (task.done() and (retry or task.cancelled() or task.exception() is None)):
        task = asyncio.ensure_future(_run(graph_dir, GROUP_OF[name]))
        runs.tasks[key] = task
    return task


def status(graph_dir: Path, name: str, *, retry: bool = False) -> Report | BaseException | None:
    """The report if it is ready; the error if computing it failed; None while it is computed
    (it is then started, or already running)."""
    report = cached(graph_dir, name)
    if report is not None:
        return report
    task = ensure(graph_dir, name, retry=retry)
    if task.done() and not task.cancelled() and task.exception() is not None:
        return task.exception()
    return None
