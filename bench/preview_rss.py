"""Benchmark: a data step's preview of a big CSV, peak RSS (DESIGN.md §8, "Data steps").

    python bench/preview_rss.py [--mb 1024] [--keep DIR]

1. Generates a CSV of about ``--mb`` MB (default 1 GB) in a temp dir with DuckDB ``COPY ... TO``
   (ids, a city, a country code, an integer, a float, a date and some text per row), and a
   1 MB file of the same shape: the baseline, measured in the same run.
2. For each file, each operation runs in a fresh child process, which reports its time and its
   peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``), so no run inherits another's memory:
   - ``upload check``: what the Upload step does once: sniff the dialect, count every row and
     parse every value (``cardflow.datasteps.query.describe``);
   - ``first page``: page 1 of 50 rows, as the table shows it first;
   - ``middle page``: the page halfway through the file (a streamed OFFSET);
   - ``sort``: page 1 sorted by a numeric column, descending (a top-N over the whole file).
3. Prints a table: seconds and peak RSS for both files, and the ratio big/small. The figure that
   matters is the RSS ratio: a preview that loaded the file would grow with it (about 1000x);
   a streamed one stays within a small factor of the 1 MB baseline.

Budget: the 1 GB file's peak RSS under 512 MB for every operation (the CSV is never held in
memory; DuckDB's memory limit for these reads is 256 MB, spilling to disk above it). Exits 0.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import PY, Row, ratio  # noqa: E402

OPS = ("upload check", "first page", "middle page", "sort")
RSS_BUDGET_MB = 512
BYTES_PER_ROW = 94  # about, for the shape below


def generate(path: Path, mb: float) -> int:
    import duckdb

    rows = max(1000, int(mb * 2**20 / BYTES_PER_ROW))
    con = duckdb.connect(config={"threads": 2, "memory_limit": "512MB"})
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""COPY (SELECT i AS id, 'City ' || (i % 5000) AS city, 'C' || (i % 37) AS country,
                        (hash(i) % 100000)::BIGINT AS population, (i % 1000) / 7.0 AS score,
                        DATE '2020-01-01' + (i % 1500)::INTEGER AS day,
                        'row ' || i || ' of a generated preview benchmark' AS note
                  FROM range({rows}) t(i)) TO '{path}' (FORMAT csv, HEADER true)""")
    con.close()
    return rows


def child(op: str, path: Path, work: Path) -> dict[str, float]:
    import duckdb  # noqa: F401 - imported before the clock starts: a running server has it loaded

    from cardflow.datasteps.query import Source, describe, page, read_sql

    saved = work / f"{path.name}.describe.json"  # what the upload step stores, for the page views
    t0 = time.perf_counter()
    if op == "upload check":
        info = describe(work, path, "csv")
        saved.write_text(json.dumps(info))
    else:
        info = json.loads(saved.read_text())
        src = Source(f"SELECT * FROM {read_sql(path, 'csv', info['read'])}", info["columns"], info["types"],
                     info["rows"], path.name)
        if op == "first page":
            page(work, src, 1, 50)
        elif op == "middle page":
            page(work, src, max(1, info["rows"] // 100), 50)
        else:
            page(work, src, 1, 50, sort="population", desc=True)
    seconds = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rss_mb": rss_mb, "rows": info["rows"]}


def measure(op: str, path: Path, work: Path) -> dict[str, float]:
    out = subprocess.run([PY, __file__, "--child", op, str(path), str(work)], capture_output=True, text=True,
                         timeout=900, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{op} on {path.name} failed: {out.stderr[-500:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(mb: float = 1024, keep: Path | None = None) -> list[Row]:
    tmp = keep or Path(tempfile.mkdtemp(prefix="cardflow-preview-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    big, small = tmp / f"big-{mb:g}mb.csv", tmp / "small-1mb.csv"
    try:
        if not big.exists():
            generate(big, mb)
        if not small.exists():
            generate(small, 1)
        size_mb = big.stat().st_size / 2**20
        rows = []
        for op in OPS:
            b = measure(op, big, tmp)
            s = measure(op, small, tmp)
            rows.append(Row(f"data-step preview, {size_mb:,.0f} MB CSV ({int(b['rows']):,} rows): {op}, peak RSS",
                            f"{b['rss_mb']:.0f} MB in {b['seconds']:.2f} s", f"{s['rss_mb']:.0f} MB (1 MB CSV)",
                            ratio(b["rss_mb"], s["rss_mb"]), f"< {RSS_BUDGET_MB} MB", b["rss_mb"] < RSS_BUDGET_MB))
        return rows
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=1024, help="size of the big CSV in MB (default 1024)")
    ap.add_argument("--keep", type=Path, help="keep the generated files in this dir and reuse them")
    ap.add_argument("--child", nargs=3, metavar=("OP", "PATH", "WORK"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        op, path, work = args.child
        print(json.dumps(child(op, Path(path), Path(work))))
        return
    for row in run(args.mb, args.keep):
        print(f"{row.metric:<90} {row.figure:>22}  base {row.baseline:>18}  {row.ratio:>7}  {row.verdict}")


if __name__ == "__main__":
    main()
