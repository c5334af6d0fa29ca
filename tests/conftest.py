"""The three fixtures every test builds on: an in-process client, a live server, a browser.

Every test gets its own temporary data dir; nothing here reads or writes the user's real data.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import apsw
import httpx
import pytest
from starlette.testclient import TestClient

from cardflow.config import Settings

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu", "--no-first-run", "--disable-quic"]


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may fall back to ~/.local/share/cardflow or a developer's own settings."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("CARDFLOW_DATA_DIR", str(tmp_path / "data"))
    for name in ("CARDFLOW_TOKEN", "CARDFLOW_HOST", "CARDFLOW_PORT", "OLLAMA_HOST", "CARDFLOW_LLM",
                 "CARDFLOW_BOTIFY_API", "CARDFLOW_PLUGINS_DIR", "CARDFLOW_SCRIPTED_REPLIES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    # Nothing a test does may reach a real service: Ollama and Botify point at a closed port.
    return Settings(data_dir=data_dir, port=5001, open_browser=False, llm="scripted",
                    ollama_host="http://127.0.0.1:9", botify_api="http://127.0.0.1:9")


@pytest.fixture
def app(settings: Settings):
    from cardflow.app import build_app

    app = build_app(settings)
    # As if one page were open: changes are rendered and broadcast (they are skipped with no listener).
    app.state.ctx.events.listen()
    yield app
    app.state.ctx.db.close()  # its writer, readers and commit thread: hundreds of tests share one process


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """In-process client. Same-origin headers are what our own pages send."""
    with TestClient(app, base_url="http://127.0.0.1:5001", raise_server_exceptions=False) as c:
        c.headers["Origin"] = "http://127.0.0.1:5001"
        yield c


@pytest.fixture(scope="module")
def botify_server():
    """One fake Botify (API host + download host) per test module: starting it costs ~0.3 s."""
    from tests.fakes.botify import run_fake_botify

    with run_fake_botify() as fake:
        yield fake


@pytest.fixture
def botify(botify_server):
    """The module's fake Botify, with its state and fault injection reset for this test."""
    botify_server.reset()
    return botify_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_live_db(data_dir: Path, timeout: float = 10.0) -> apsw.Connection:
    """A connection to the database of a server that is running, for a test to look into.

    apswutils applies apsw's best-practice hooks to every connection, and one of them runs `PRAGMA
    optimize` as it opens, under a 100 ms busy timeout: a write in progress (a commit's fsync on a
    busy CI disk, start-up's recovery) can outlast that, and the open fails with BusyError."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = apsw.Connection(str(data_dir / "cardflow.db"))
        except apsw.BusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
            continue
        conn.set_busy_timeout(int(timeout * 1000))
        return conn


@dataclass
class LiveServer:
    data_dir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> float:
        """Start the server; return seconds until the first 200."""
        env = {**os.environ, "CARDFLOW_DATA_DIR": str(self.data_dir), "CARDFLOW_LLM": "scripted",
               "OLLAMA_HOST": "http://127.0.0.1:9", "CARDFLOW_BOTIFY_API": "http://127.0.0.1:9",
               "PYTHONUNBUFFERED": "1", **self.env}
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        log = self.log_path.open("ab")
        started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "cardflow", "serve", "--port", str(self.port),
                                      "--no-browser", *self.args], env=env, stdout=log, stderr=log, cwd=ROOT)
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> float:
        """Stop with `sig`; return seconds until the process was gone."""
        if not self.proc or self.proc.poll() is not None:
            return 0.0
        started = time.perf_counter()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return time.perf_counter() - started

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Origin": self.url}, timeout=10, **kw)


@pytest.fixture
def live_server(data_dir: Path) -> Iterator[LiveServer]:
    server = LiveServer(data_dir)
    server.start()
    yield server
    server.stop()


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API keeps an event loop in the main thread while it
    runs, which would break `asyncio.run` in the unit tests that follow it."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it with apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context on the live server; any JS dialog fails the test."""
    context = browser.new_context(base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    dialogs: list[str] = []
    confirms: list[str] = []

    def on_dialog(dialog) -> None:
        # Our own confirms (delete) are accepted; any alert or prompt means injected script ran.
        if dialog.type == "confirm":
            confirms.append(dialog.message)
            dialog.accept()
        else:
            dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.confirms = confirms
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.dialogs = dialogs
    pg.js_errors = errors
    yield pg
    context.close()
    assert not dialogs, f"a JavaScript dialog fired: {dialogs}"
