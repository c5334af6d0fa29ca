"""What every benchmark section shares: the result row, percentiles, servers, child processes.

Servers are real processes on 127.0.0.1: Cardflow through ``tests.conftest.LiveServer`` (a temp
data dir, waits for /health) and the bare Starlette baseline (bench/bare_app.py) the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PY = sys.executable
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import LiveServer, free_port  # noqa: E402


@dataclass
class Row:
    """One line of the table. ``met`` is None when DESIGN.md sets no budget for the figure."""

    metric: str
    figure: str
    baseline: str = "—"
    ratio: str = "—"
    budget: str = "—"
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "NO", None: "—"}[self.met]


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/<pid>/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def tempdir(prefix: str = "cardflow-bench-") -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def cardflow_server(env: dict[str, str] | None = None, args: list[str] | None = None,
                    timeout: float = 30.0) -> Iterator[LiveServer]:
    """A live Cardflow (`python -m cardflow serve`) on a free port with its own temp data dir."""
    with tempdir() as tmp:
        data = tmp / "data"
        data.mkdir()
        server = LiveServer(data, env=dict(env or {}), args=list(args or []))
        server.start(timeout=timeout)
        try:
            yield server
        finally:
            server.stop()


class BareServer:
    """bench/bare_app.py: a bare Starlette app under uvicorn returning captured bytes."""

    def __init__(self, routes_file: Path, extra: list[str] | None = None) -> None:
        self.routes_file = routes_file
        self.extra = list(extra or [])  # e.g. ["--db", path, "--fasthtml"] (see bare_app.py)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> subprocess.Popen:
        self.proc = subprocess.Popen([PY, str(BENCH / "bare_app.py"), "--port", str(self.port),
                                      "--routes", str(self.routes_file), *self.extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        return self.proc

    def start(self, timeout: float = 20.0) -> None:
        self.spawn()
        wait_for_200(f"{self.url}/health", timeout, self.proc)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> BareServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for_200(url: str, timeout: float, proc: subprocess.Popen | None = None, poll: float = 0.01) -> float:
    """Seconds until `url` answers 200 (polled every `poll` s); raises after `timeout`."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(poll)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


def loadgen(jobs: list[dict], timeout: float = 300.0) -> list[dict]:
    """Run bench/loadgen.py in its own process over `jobs`; one result dict per job, in order."""
    out = subprocess.run([PY, str(BENCH / "loadgen.py")], input=json.dumps(jobs), capture_output=True,
                         text=True, timeout=timeout, cwd=ROOT, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"loadgen failed ({out.returncode}):\n{out.stderr[-2000:]}")
    results = json.loads(out.stdout)
    for job, res in zip(jobs, results, strict=True):
        if res["errors"]:
            raise RuntimeError(f"loadgen: {res['errors']} failed requests on {job['method']} {job['path']}: "
                               f"{res['statuses']}")
    return results


def child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", **extra}


@asynccontextmanager
async def tasks_open(rows: list[str], prefix: str = "cardflow-bench-") -> AsyncIterator[tuple[Any, int, list]]:
    """An app on a temp data dir with Tasks open and ``rows`` added: (ctx, profile id, Tasks' actions)."""
    from cardflow.app import build_app
    from cardflow.config import Settings

    with tempdir(prefix) as tmp:
        ctx = build_app(Settings(data_dir=tmp, open_browser=False, llm="embedded")).state.ctx
        ctx.db.store["last_app_choice"] = "tasks"
        for name in rows:
            await ctx.actions.run("tasks.add", {"name": name}, actor="ui")
        yield ctx, ctx.current_profile_id(), ctx.actions.for_app("tasks")


def embedded_backend() -> Any:
    """The embedded model for a bench that cannot run without it: exits with the reason when it is missing."""
    from cardflow.chat.backends import EmbeddedBackend, embedded_available

    ok, why = embedded_available()
    if not ok:
        raise SystemExit(f"The embedded model is not installed: {why}")
    return EmbeddedBackend(idle_timeout=600)
