"""The long fuzz run (`make bench`): tests/http/test_fuzz.py with many more examples than `make test`.

The file's deterministic matrix (every route x every field it reads x a fixed list of bad values,
the same in every run) plus random form posts and query strings to every route enumerated from the
app; the budget is zero answers of 500 (the matrix lists every failing request; Hypothesis fails on
the first one and prints the shrunk request). The request count is Hypothesis's share only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from bench.common import ROOT, Row

EXAMPLES = 3000


def run() -> list[Row]:
    env = dict(os.environ, CARDFLOW_FUZZ_EXAMPLES=str(EXAMPLES))
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "pytest", "tests/http/test_fuzz.py", "-q", "-p", "no:logging",
                          "-p", "no:cacheprovider", "--hypothesis-show-statistics"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - t0
    phases = re.findall(r"(\d+) passing, (\d+) failing", out.stdout)  # reuse and generate phases
    figure = (f"{sum(int(p) for p, _ in phases)} requests, {sum(int(f) for _, f in phases)} failing"
              if phases else "no statistics")
    return [Row("fuzz: bad-value matrix, then random forms/queries, to every route", figure, f"{seconds:.0f} s",
                budget="never a 500", met=out.returncode == 0)]
