"""Start-up: cold start to the first 200, and restart after an edit under --reload.

Cold start: from spawning ``python -m cardflow serve`` (fresh data dir, default settings, so
also the first-run migrations) to the first 200 on ``/``, polled every 10 ms. The baseline is
bench/bare_app.py (Starlette under uvicorn, no Cardflow imports) spawned and polled the same
way. Starts alternate app/bare; each figure is the median of ``STARTS``. Python's bytecode cache
lives in a temp dir (PYTHONPYCACHEPREFIX) filled by one untimed start, as after any first run;
a second figure uses the calling shell's environment as is (where PYTHONDONTWRITEBYTECODE may
mean that Cardflow's own modules are compiled on every start).

Restart after edit: ``serve --reload`` with ``CARDFLOW_PLUGINS_DIR`` holding a one-file plugin;
the file is rewritten with a new marker and we time until ``/benchapp`` serves the new marker.
Median of ``EDITS`` edits; the ratio is against the cold-start median above.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from bench.common import PY, ROOT, LiveServer, Row, child_env, free_port, median, ratio, tempdir, wait_for_200

STARTS = 5
RAW_STARTS = 3
EDITS = 3
COLD_BUDGET = 1.5
RELOAD_BUDGET = 2.0

PLUGIN = '''
from fasthtml.common import P
from cardflow.plugins import AppPlugin


class BenchApp(AppPlugin):
    name = "benchapp"
    title = "Bench"

    def render(self, req):
        return P("MARKER-{n}")
'''


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def bytecode_env(cache: Path | None) -> dict[str, str]:
    """Byte-compiled sources in `cache` (PYTHONPYCACHEPREFIX), as after any normal install and first run,
    without writing into the source tree; with None, the caller's environment as it is."""
    return {} if cache is None else {"PYTHONPYCACHEPREFIX": str(cache), "PYTHONDONTWRITEBYTECODE": ""}


def cold_start_cardflow(cache: Path | None) -> float:
    with tempdir() as tmp:
        port = free_port()
        env = child_env(CARDFLOW_DATA_DIR=str(tmp / "data"), XDG_DATA_HOME=str(tmp / "xdg"), **bytecode_env(cache))
        for name in ("CARDFLOW_LLM", "CARDFLOW_TOKEN", "CARDFLOW_PORT", "CARDFLOW_HOST"):
            env.pop(name, None)
        started = time.perf_counter()
        proc = subprocess.Popen([PY, "-m", "cardflow", "serve", "--port", str(port), "--no-browser"], env=env,
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_200(f"http://127.0.0.1:{port}/", 30, proc)
            return time.perf_counter() - started
        finally:
            _stop(proc)


def cold_start_bare(cache: Path | None) -> float:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([PY, str(ROOT / "bench" / "bare_app.py"), "--port", str(port)], cwd=ROOT,
                            env=child_env(**bytecode_env(cache)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for_200(f"http://127.0.0.1:{port}/health", 30, proc)
        return time.perf_counter() - started
    finally:
        _stop(proc)


def restart_after_edit(cache: Path) -> list[float]:
    with tempdir() as tmp:
        plugins, data = tmp / "plugins", tmp / "data"
        plugins.mkdir()
        data.mkdir()
        source = plugins / "benchapp.py"
        source.write_text(PLUGIN.replace("{n}", "0"))
        server = LiveServer(data, args=["--reload"], env={"CARDFLOW_PLUGINS_DIR": str(plugins), **bytecode_env(cache)})
        server.start(timeout=30)
        times = []
        try:
            with httpx.Client(base_url=server.url, timeout=5) as client:
                assert "MARKER-0" in client.get("/benchapp").text
                for n in range(1, EDITS + 1):
                    time.sleep(1.0)  # let the previous child finish stopping
                    source.write_text(PLUGIN.replace("{n}", str(n)))
                    started = time.perf_counter()
                    while time.perf_counter() - started < 20:
                        try:
                            if f"MARKER-{n}" in client.get("/benchapp").text:
                                break
                        except httpx.HTTPError:
                            pass
                        time.sleep(0.01)
                    else:
                        raise RuntimeError(f"the edit was not served within 20 s:\n{server.log()[-2000:]}")
                    times.append(time.perf_counter() - started)
        finally:
            server.stop()
        return times


def cold_starts(cache: Path | None, n: int) -> tuple[float, float]:
    """Medians of n Cardflow and n bare cold starts, alternating."""
    app, bare = [], []
    for _ in range(n):
        app.append(cold_start_cardflow(cache))
        bare.append(cold_start_bare(cache))
    return median(app), median(bare)


def run() -> list[Row]:
    with tempdir("cardflow-bench-pyc-") as cache:
        cold_start_cardflow(cache)  # untimed: fills the bytecode cache, as any first run does
        cold_start_bare(cache)
        cold, base = cold_starts(cache, STARTS)
        reload_s = median(restart_after_edit(cache))
    raw_cold, raw_base = cold_starts(None, RAW_STARTS)
    note = " (PYTHONDONTWRITEBYTECODE set)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
    return [
        Row(f"cold start: spawn → first 200 on / (median of {STARTS})", f"{cold * 1000:.0f} ms",
            f"{base * 1000:.0f} ms bare", ratio(cold, base), f"< {COLD_BUDGET:g} s", cold < COLD_BUDGET),
        Row(f"cold start, this shell's env{note} (median of {RAW_STARTS})", f"{raw_cold * 1000:.0f} ms",
            f"{raw_base * 1000:.0f} ms bare", ratio(raw_cold, raw_base), f"< {COLD_BUDGET:g} s",
            raw_cold < COLD_BUDGET),
        Row(f"restart after plugin edit, --reload (median of {EDITS})", f"{reload_s * 1000:.0f} ms",
            f"{cold * 1000:.0f} ms cold", ratio(reload_s, cold), f"< {RELOAD_BUDGET:g} s", reload_s < RELOAD_BUDGET),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
