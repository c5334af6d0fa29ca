"""Link-graph ingest: runs bench/linkgraph_ingest.py (owned elsewhere) and folds in its key lines.

That script generates a 1,000,000-edge gzip CSV export, then ingests it in a fresh child
process, and also times DuckDB merely counting the same file's rows in another child: that
count is the baseline for both the time and the peak RSS (``ru_maxrss`` of each child).
"""

from __future__ import annotations

import re
import subprocess

from bench.common import BENCH, PY, ROOT, Row, ratio

EDGES = 1_000_000
TIME_BUDGET = 10.0
RSS_BUDGET = 500.0
READ_BUDGET = 200.0
LINE = r"^{}\s+([\d.]+)s\s+(\d+)MB"


def run() -> list[Row]:
    out = subprocess.run([PY, str(BENCH / "linkgraph_ingest.py"), "--edges", str(EDGES)], capture_output=True,
                         text=True, timeout=300, cwd=ROOT, check=False)
    text = out.stdout
    base = re.search(LINE.format(re.escape("baseline: DuckDB count(*) over the gzip CSV")), text, re.M)
    ing = re.search(LINE.format(re.escape("ingest(edges, metadata)")), text, re.M)
    if out.returncode != 0 or not base or not ing:
        return [Row("link-graph ingest", f"failed: {(out.stderr or text)[-300:]!r}", met=False)]
    b_s, b_mb, i_s, i_mb = float(base[1]), float(base[2]), float(ing[1]), float(ing[2])
    reads = {m[1].strip(): float(m[3]) for m in re.finditer(r"^(\S.+?)\s+(\d+)ms\s+(\d+)ms$", text, re.M)}
    view = reads.pop("graph_for_view(max_nodes=50k, max_edges=100k)", None)
    rows = [
        Row(f"link-graph ingest, {EDGES:,} edges (gzip CSV)", f"{i_s:.2f} s", f"{b_s:.2f} s DuckDB count",
            ratio(i_s, b_s), f"< {TIME_BUDGET:g} s", i_s < TIME_BUDGET),
        Row("link-graph ingest: peak RSS", f"{i_mb:.0f} MB", f"{b_mb:.0f} MB DuckDB count", ratio(i_mb, b_mb),
            f"< {RSS_BUDGET:g} MB", i_mb < RSS_BUDGET),
    ]
    if view is not None:
        rows.append(Row("link-graph view data at 100k edges (median of 3)", f"{view:.0f} ms"))
    if reads:
        slowest = max(reads, key=reads.get)
        rows.append(Row(f"link-graph reads, slowest median of {len(reads)}: {slowest.split(':')[0]}",
                        f"{reads[slowest]:.0f} ms", budget=f"< {READ_BUDGET:g} ms (script's own)",
                        met=reads[slowest] < READ_BUDGET))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
