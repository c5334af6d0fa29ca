"""Where a request's time goes: py-spy on a live server while bench/loadgen.py drives one endpoint.

    .venv/bin/pip install py-spy          # not a project dependency
    python bench/profile_requests.py toggle         # or: step, submit, home
    python bench/profile_requests.py toggle --svg /tmp/toggle.svg

Samples the server process at 500 Hz for ``--seconds`` while one connection sends requests, then
prints the functions by inclusive share of the on-CPU samples. Samples whose innermost frame is
the event loop waiting, or uvicorn's socket write (on a busy 2-core VM that is mostly the server
waiting to be scheduled again after waking the client), are counted apart, not in the shares.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import cardflow_server, loadgen  # noqa: E402
from bench.pages import HX, KEY, prepare  # noqa: E402

WAITING = ("httptools_impl.py:524)", "httptools_impl.py:551)", "runners.py:118)")
OUTER = ("runpy", "cardflow/__main__", "cardflow/cli.py", "cardflow/server.py", "uvicorn/server.py",
         "uvicorn/_compat.py", "asyncio/runners.py")


def endpoint(name: str, task_id: int) -> tuple[str, str, str, dict[str, str]]:
    return {
        "home": ("GET", "/", "", {}),
        "step": ("GET", f"/hello/step/name?key={KEY}", "", HX),
        "submit": ("POST", f"/hello/step/name?key={KEY}", "name=Ada", HX),
        "toggle": ("POST", f"/tasks/{task_id}/toggle", "", HX),
    }[name]


def summarize(raw: Path, top: int) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    on_cpu = waiting = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if frames[-1].endswith(WAITING):
            waiting += int(count)
            continue
        on_cpu += int(count)
        for name in {re.sub(r":\d+\)$", ")", f) for f in frames}:
            inclusive[name] += int(count)
    lines = [f"{on_cpu} on-CPU samples; {waiting} waiting (event loop idle or socket write), left out"]
    shown = [(k, v) for k, v in inclusive.most_common() if not any(o in k for o in OUTER)][:top]
    lines += [f"{100 * v / max(on_cpu, 1):5.1f}%  {k}" for k, v in shown]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["home", "step", "submit", "toggle"])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--top", type=int, default=45)
    ap.add_argument("--svg", type=Path, help="also write a flame graph here")
    args = ap.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy is not installed: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    with cardflow_server() as server, tempfile.TemporaryDirectory() as tmp:
        with server.client() as client:
            method, path, body, headers = endpoint(args.what, prepare(client))
        raw = Path(tmp) / "profile.txt"
        fmt = ["-f", "raw", "-o", str(raw)]
        cmd = [spy, "record", "-p", str(server.proc.pid), "-d", str(args.seconds), "-r", "500", "--nonblocking"]
        recorder = subprocess.Popen(cmd + fmt, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        job = {"port": server.port, "method": method, "path": path, "body": body, "headers": headers,
               "n": 500 * args.seconds, "c": 1}
        result = loadgen([job], timeout=60 + 10 * args.seconds)[0]
        recorder.wait()
        print(f"{method} {path}: p50 {result['p50'] * 1000:.2f} ms, {result['rps']:.0f} req/s on one connection")
        print(summarize(raw, args.top))
        if args.svg:
            svg = subprocess.Popen([*cmd, "-o", str(args.svg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            loadgen([job], timeout=60 + 10 * args.seconds)
            svg.wait()
            print(f"flame graph: {args.svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
