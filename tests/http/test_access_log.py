"""The request log: one line per request, secrets masked, handed to loguru in batches."""

from __future__ import annotations

import re
import time

import pytest
from loguru import logger
from starlette.testclient import TestClient

from cardflow.access_log import AccessLog

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \| INFO     \| (\S+) (\S+) (\d{3}) \d+\.\dms$")


@pytest.fixture
def logged():
    """Every message loguru is given, as written (raw records are not reformatted)."""
    seen: list[str] = []
    sink = logger.add(lambda m: seen.append(str(m)), level="DEBUG", format="{level} {message}")
    yield seen
    logger.remove(sink)


def request_lines(seen: list[str]) -> list[tuple[str, ...]]:
    return [LINE.match(x).groups() for m in seen for x in m.splitlines() if LINE.match(x)]


def serve(app):
    return TestClient(app, base_url="http://127.0.0.1:5001", raise_server_exceptions=False)


def test_requests_are_logged_with_status_and_masked_secrets(app, logged):
    with serve(app) as c:  # leaving it is the app's shutdown, which writes what is still buffered
        c.get("/")
        c.get("/no-such-page?q=shoes&api_key=abc123&token=zzz")
        c.get("/static/app.css")  # assets are not logged
    assert request_lines(logged) == [("GET", "/", "200"),
                                     ("GET", "/no-such-page?q=shoes&api_key=***&token=***", "404")]
    assert not any("abc123" in m or "zzz" in m for m in logged)


def test_lines_of_one_moment_reach_loguru_as_one_record(app, logged):
    with serve(app) as c:
        for _ in range(5):
            c.get("/")
        records = [m for m in logged if LINE.match(m.splitlines()[0])]
        assert len(request_lines(logged)) <= 5
    assert len(request_lines(logged)) == 5 and len(records) < 5  # batched, and nothing lost


def test_a_refused_request_is_logged_too(app, logged):
    with serve(app) as c:
        c.get("/", headers={"Host": "evil.example"})
    assert request_lines(logged) == [("GET", "/", "400")]


def test_a_server_error_is_a_warning_at_once(app, logged, monkeypatch: pytest.MonkeyPatch):
    def broken(*a, **k):
        raise RuntimeError("boom")

    with serve(app) as c:
        monkeypatch.setattr(type(app.state.ctx.db), "query", broken)
        assert c.get("/tasks").status_code == 500
        assert any(m.startswith("WARNING GET /tasks 500") for m in logged)
    assert ("GET", "/tasks", "500") not in request_lines(logged)  # once, not twice


def test_the_running_server_writes_them_to_the_console_and_the_file(live_server):
    with live_server.client() as c:
        c.get("/tasks?password=hunter2")
    logfile = live_server.data_dir / "logs" / "cardflow.log"
    deadline = time.monotonic() + 10
    while "GET /tasks?password=*** 200" not in logfile.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "GET /tasks?password=*** 200" in logfile.read_text()
    assert "GET /tasks?password=*** 200" in live_server.log()
    assert "hunter2" not in logfile.read_text() and "hunter2" not in live_server.log()


def test_without_a_loop_a_line_is_written_at_once(logged):
    AccessLog().line("POST", "/tasks", 303, 1.25)
    assert logged[-1].endswith("POST /tasks 303 1.2ms\n")


def test_the_log_counts_requests_not_yet_answered_and_errors_do_not_leak_the_count() -> None:
    """The group commit asks this count whether anyone else waits for the event loop."""
    import asyncio

    from cardflow.access_log import RequestLogMiddleware
    from cardflow.config import Settings

    log = AccessLog()
    seen: list[int] = []

    async def inner(scope, receive, send) -> None:
        await asyncio.sleep(0)  # both requests are in before either answers
        seen.append(log.unanswered)
        if scope["path"] == "/boom":
            raise RuntimeError("before any answer")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        seen.append(log.unanswered)  # a stream still sending its body no longer counts
        await send({"type": "http.response.body", "body": b"ok"})

    middleware = RequestLogMiddleware(inner, Settings(), log=log)

    async def sink(message) -> None:
        return None

    async def receive():
        return {"type": "http.request", "body": b""}

    async def go() -> None:
        scope = {"type": "http", "method": "GET", "path": "/", "query_string": b""}
        await asyncio.gather(middleware(scope, receive, sink), middleware(dict(scope), receive, sink))
        with pytest.raises(RuntimeError):
            await middleware({**scope, "path": "/boom"}, receive, sink)

    asyncio.run(go())
    log.flush()
    assert seen == [2, 1, 1, 0, 1] and log.unanswered == 0
