"""The request log: one line per request, secrets masked, written after the response, rotated."""

from __future__ import annotations

import io
import re
import time

import pytest
from starlette.testclient import TestClient

from cardflow import access_log
from cardflow.access_log import AccessLog

LINE = re.compile(r"^\d\d:\d\d:\d\d INFO    (\S+) (\S+) (\d{3}) \d+\.\dms$")


def lines(path):
    return [LINE.match(x).groups() for x in path.read_text().splitlines()] if path.exists() else []


def serve(app):
    return TestClient(app, base_url="http://127.0.0.1:5001", raise_server_exceptions=False)


def test_requests_are_logged_with_status_and_masked_secrets(app, settings):
    with serve(app) as c:  # leaving it is the app's shutdown, which writes what is still buffered
        c.get("/")
        c.get("/no-such-page?q=shoes&api_key=abc123&token=zzz")
        c.get("/static/app.css")  # assets are not logged
    path = settings.log_dir / "access.log"
    assert lines(path) == [("GET", "/", "200"), ("GET", "/no-such-page?q=shoes&api_key=***&token=***", "404")]
    assert "abc123" not in path.read_text() and "zzz" not in path.read_text()


def test_a_refused_request_is_logged_too(app, settings):
    with serve(app) as c:
        c.get("/", headers={"Host": "evil.example"})
    assert lines(settings.log_dir / "access.log") == [("GET", "/", "400")]


def test_lines_reach_the_file_and_console_while_the_server_runs(live_server):
    with live_server.client() as c:
        c.get("/tasks?password=hunter2")
    path = live_server.data_dir / "logs" / "access.log"
    deadline = time.monotonic() + 10
    while ("GET", "/tasks?password=***", "200") not in lines(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ("GET", "/tasks?password=***", "200") in lines(path)
    assert "GET /tasks?password=*** 200" in live_server.log() and "hunter2" not in live_server.log()


def test_without_a_loop_a_line_is_written_at_once(tmp_path):
    console = io.StringIO()
    log = AccessLog(tmp_path / "logs" / "access.log", console=lambda: console)
    log.line("POST", "/tasks", 303, 1.25)
    assert lines(tmp_path / "logs" / "access.log") == [("POST", "/tasks", "303")]
    assert console.getvalue().endswith("POST /tasks 303 1.2ms\n")


def test_the_file_rotates_and_keeps_five(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(access_log, "ROTATE_AT", 200)
    path = tmp_path / "access.log"
    log = AccessLog(path, console=None)
    for n in range(60):
        log.line("GET", f"/page/{n:03d}", 200, 1.0)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["access.log", *(f"access.log.{n}" for n in range(1, 6))]
    assert all(p.stat().st_size <= 200 for p in tmp_path.iterdir())
    assert lines(path)[-1] == ("GET", "/page/059", "200")  # the newest line is in the live file
    assert "/page/000" not in "".join(p.read_text() for p in tmp_path.iterdir())  # the oldest are gone


def test_a_broken_console_or_disk_loses_the_line_not_the_request(tmp_path):
    def closed() -> io.StringIO:
        stream = io.StringIO()
        stream.close()
        return stream

    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the log folder should be
    log = AccessLog(blocked / "access.log", console=closed)
    log.line("GET", "/", 200, 1.0)  # raises nothing
    assert log._lines == [] and not (blocked / "access.log").exists()


def test_server_errors_also_reach_loguru(app, monkeypatch: pytest.MonkeyPatch):
    from loguru import logger

    seen: list[str] = []
    sink = logger.add(lambda m: seen.append(str(m)), level="WARNING")

    def broken(*a, **k):
        raise RuntimeError("boom")

    try:
        with serve(app) as c:
            monkeypatch.setattr(type(app.state.ctx.db), "query", broken)
            status = c.get("/tasks").status_code
    finally:
        logger.remove(sink)
    assert status == 500
    assert any("GET /tasks 500" in line for line in seen)
