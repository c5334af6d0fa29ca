import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.live


def test_live_server_serves_home_and_stops_cleanly_on_sigterm(data_dir):
    server = LiveServer(data_dir)
    first_200 = server.start()
    print(f"first 200 after {first_200:.2f}s")
    with server.client() as c:
        assert c.get("/").status_code == 200
        assert c.post("/theme").status_code == 204
    stopped_in = server.stop(signal.SIGTERM)
    assert server.proc.returncode == 0, server.log()
    assert stopped_in < 2.0, f"SIGTERM took {stopped_in:.2f}s"
    import apsw

    conn = apsw.Connection(str(data_dir / "cardflow.db"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT value FROM store WHERE key='theme'").fetchone()[0] == '"dark"'


def test_sigterm_with_an_open_sse_stream_still_stops_fast(live_server):
    with httpx.stream("GET", f"{live_server.url}/sse", timeout=10) as r:
        assert r.status_code == 200
        next(r.iter_lines())
        took = live_server.stop(signal.SIGTERM)
    assert took < 2.0, f"SIGTERM with an open SSE stream took {took:.2f}s"


def test_startup_log_has_banner_and_route_table(live_server):
    log = live_server.log()
    assert "Routes" in log and "/profile/select" in log and "____" in log


def test_request_log_lines(live_server):
    with live_server.client() as c:
        c.get("/help")
    deadline = time.monotonic() + 10  # lines are written a tenth of a second after the request
    while "GET /help 200" not in live_server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "GET /help 200" in live_server.log()
    assert "GET /help 200" in (live_server.data_dir / "logs" / "cardflow.log").read_text()


def test_port_in_use_is_a_clear_error(live_server):
    out = subprocess.run([sys.executable, "-m", "cardflow", "serve", "--port", str(live_server.port), "--no-browser"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "already in use" in out.stderr and "Traceback" not in out.stderr


def test_non_loopback_bind_without_token_refused(data_dir):
    out = subprocess.run([sys.executable, "-m", "cardflow", "serve", "--host", "0.0.0.0", "--no-browser"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "CARDFLOW_TOKEN" in out.stderr


PLUGIN = '''
from fasthtml.common import P
from cardflow.plugins import AppPlugin

class Live(AppPlugin):
    name = "liveapp"
    title = "Live"

    def render(self, req):
        return P("VERSION-{n}")
'''


@pytest.mark.slow
def test_reload_survives_a_syntax_error(data_dir, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    source = plugins / "liveapp.py"
    source.write_text(PLUGIN.replace("{n}", "1"))
    server = LiveServer(data_dir, args=["--reload"], env={"CARDFLOW_PLUGINS_DIR": str(plugins)})
    server.start(timeout=30)
    try:
        def body() -> str:
            return httpx.get(f"{server.url}/liveapp", timeout=5).text

        assert "VERSION-1" in body()
        source.write_text("def broken(:\n")
        deadline = time.time() + 10
        while "Syntax error" not in server.log() and time.time() < deadline:
            time.sleep(0.1)
        assert "Syntax error" in server.log()
        assert "VERSION-1" in body()  # the last good server keeps serving
        source.write_text(PLUGIN.replace("{n}", "2"))
        # "Reloaded in" is logged once the old server has stopped. Until then both may answer for a
        # moment (the new one starts on the shared socket before the old one stops: no downtime).
        deadline = time.time() + 15
        while "Reloaded in" not in server.log() and time.time() < deadline:
            time.sleep(0.1)
        assert "Reloaded in" in server.log()
        assert all("VERSION-2" in body() for _ in range(5))
        source.write_text(PLUGIN.replace("{n}", "3").replace("from fasthtml", "import nonexistent_mod\nfrom fasthtml"))
        deadline = time.time() + 15
        while "Skipping plugin" not in server.log() and time.time() < deadline:
            time.sleep(0.1)
        # A plugin that fails at import is skipped with a logged reason; the server keeps serving.
        assert "nonexistent_mod" in server.log()
        assert httpx.get(f"{server.url}/", timeout=5).status_code == 200
    finally:
        server.stop()


def test_debug_prints_state_tables_after_a_change(data_dir):
    server = LiveServer(data_dir, args=["--debug"])
    server.start()
    try:
        with server.client() as c:
            c.post("/theme")
        deadline = time.time() + 5
        while "pipeline" not in server.log() and time.time() < deadline:
            time.sleep(0.1)
        log = server.log()
        assert "store" in log and "pipeline" in log and "theme" in log
    finally:
        server.stop()
