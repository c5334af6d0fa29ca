"""What the link-graph tests share: an app on the fake Botify, and steps to drive the workflow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cardflow.config import Settings
from tests import waiting
from tests.fakes.botify import ORG, PROJECT, TOKEN

HX = {"HX-Request": "true"}
KEY = "acme shop"
PROJECT_URL = f"https://app.botify.com/{ORG}/{PROJECT}/"
SUCCESSFUL_NEWEST_FIRST = ["20240301-2", "20240301", "20240215", "20240201", "20240105"]


# The fixtures are imported as `bf_fixture` and `lg_fixture`: ruff would read a test's `bf` or `lg`
# parameter as a redefinition of an imported name.
@pytest.fixture(name="bf")
def bf_fixture(botify):
    return botify


def make_client(data_dir: Path, api: str) -> TestClient:
    from cardflow.app import build_app

    app = build_app(Settings(data_dir=data_dir, port=5001, open_browser=False, llm="scripted",
                             ollama_host="http://127.0.0.1:9", botify_api=api))
    c = TestClient(app, base_url="http://127.0.0.1:5001", raise_server_exceptions=False)
    c.headers.update({"Origin": "http://127.0.0.1:5001", **HX})
    c.ctx = app.state.ctx
    c.seen = []  # every response body, to prove the token never comes back

    def record(response, *args, **kwargs):
        response.read()
        c.seen.append(response.text)

    c.event_hooks["response"] = [record]
    return c


@pytest.fixture(name="lg")
def lg_fixture(bf, data_dir, monkeypatch):
    from cardflow.apps.link_graph import LinkGraph

    monkeypatch.setattr(LinkGraph, "poll_interval", 0.02)
    monkeypatch.setattr(LinkGraph, "poll_max", 0.2)
    monkeypatch.setattr(LinkGraph, "backoff_base", 0.01)
    with make_client(data_dir, bf.base_url) as c:
        yield c


def connect(c, token=TOKEN):
    return c.post("/connect_botify/save", data={"token": token})


def wait_step(c, key, step, timeout=30.0):
    """Until the step's job has ended (tests/waiting.py); returns it."""
    return waiting.wait_step(c.ctx, key, step, timeout)


def through_depth(c, key=KEY, depth=None):
    assert c.post("/link_graph/init", data={"key": key}).status_code == 200
    r = c.post("/link_graph/step/project", params={"key": key}, data={"project": PROJECT_URL})
    assert c.ctx.pipulate.get_step_data(key, "project"), r.text
    assert "field-analysis" in c.get("/link_graph/step/analysis", params={"key": key}).text
    c.post("/link_graph/step/analysis", params={"key": key}, data={"analysis": SUCCESSFUL_NEWEST_FIRST[0]})
    r = c.post("/link_graph/counts", params={"key": key})
    assert "field-depth" in r.text, r.text
    counts = c.ctx.pipulate.get_step_data(key, "analysis")["counts"]
    chosen = depth or max(int(d) for d in counts)
    r = c.post("/link_graph/step/depth", params={"key": key}, data={"depth": str(chosen), "export_size": "1000000"})
    assert c.ctx.pipulate.get_step_data(key, "depth")["depth"] == chosen, r.text
    return chosen


def run_step(c, step, key=KEY):
    c.post(f"/link_graph/step/{step}", params={"key": key})
    job = wait_step(c, key, step)
    assert c.ctx.pipulate.get_step_data(key, step), json.loads(job.detail).get("message")
    return job


def detail(job):
    return json.loads(job.detail)
