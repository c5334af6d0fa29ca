"""Kill the server mid-export (after Botify's job ids are saved), restart it: polling resumes on the
same Botify jobs, no export is created twice, and the token never reaches a log file or a page."""

from __future__ import annotations

import json
import signal
import time

import pytest

from tests.conftest import LiveServer, open_live_db
from tests.fakes.botify import ORG, PROJECT, TOKEN, run_fake_botify

pytestmark = [pytest.mark.live, pytest.mark.slow]
KEY = "restart run"
HX = {"HX-Request": "true"}


def export_job(data_dir):
    conn = open_live_db(data_dir)
    try:
        row = conn.execute("SELECT status, detail FROM job WHERE step = 'export' ORDER BY id DESC LIMIT 1").fetchone()
        state = conn.execute("SELECT data FROM pipeline WHERE key = ?", (KEY,)).fetchone()
    finally:
        conn.close()
    return (row[0], json.loads(row[1])) if row else (None, {}), json.loads(state[0]) if state else {}


def wait(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def run_job_step(c, data_dir, step):
    c.post(f"/link_graph/step/{step}", params={"key": KEY}, headers=HX)
    wait(lambda: export_job(data_dir)[1].get(step), 30, f"the {step} step")


@pytest.mark.parametrize("sig", [signal.SIGKILL])
def test_export_resumes_after_kill_and_creates_each_export_once(data_dir, sig):
    pages: list[str] = []
    with run_fake_botify() as fake:
        fake.state.status_sequence = ["PROCESSING"] * 10_000  # Botify keeps working until we say so
        server = LiveServer(data_dir, env={"CARDFLOW_BOTIFY_API": fake.base_url})
        server.start()
        try:
            with server.client() as c:
                pages.append(c.post("/connect_botify/save", data={"token": TOKEN}, headers=HX).text)
                c.post("/link_graph/init", data={"key": KEY}, headers=HX)
                c.post("/link_graph/step/project", params={"key": KEY},
                       data={"project": f"https://app.botify.com/{ORG}/{PROJECT}/"}, headers=HX)
                c.post("/link_graph/step/analysis", params={"key": KEY}, data={"analysis": "20240301-2"}, headers=HX)
                pages.append(c.post("/link_graph/counts", params={"key": KEY}, headers=HX).text)
                c.post("/link_graph/step/depth", params={"key": KEY}, data={"depth": "3", "export_size": "1000000"},
                       headers=HX)
                pages.append(c.post("/link_graph/step/export", params={"key": KEY}, headers=HX).text)
            wait(lambda: {"links_job", "meta_job"} <= set(export_job(data_dir)[0][1]), what="both job ids saved")
            wait(lambda: sum(j.polls for j in fake.state.jobs.values()) >= 2, what="a first poll")
            server.stop(sig)
            (status, before), _ = export_job(data_dir)
            assert status == "running" and fake.state.jobs_created == 2

            fake.state.status_sequence = []  # the exports finish while Cardflow is down
            server.start()
            (status, after), state = wait(lambda: (r := export_job(data_dir))[1].get("export") and r, 30,
                                          "the resumed export")
            assert status == "done" and after["completions"] == 1 and after["resumed"]
            assert "Resumed after a restart." in after["log"]
            assert (after["links_job"], after["meta_job"]) == (before["links_job"], before["meta_job"])
            assert fake.state.jobs_created == 2 and fake.state.job_posts == 2  # never a second export
            assert state["export"]["export"]["links_job"] == before["links_job"]

            with server.client() as c:
                run_job_step(c, data_dir, "download")
                run_job_step(c, data_dir, "graph")
                for path in ("/link_graph?key=restart+run", "/connect_botify", "/graph_view"):
                    pages.append(c.get(path).text)
                gid = export_job(data_dir)[1]["graph"]["graph"]["graph"]
                data = c.get("/graph_view/data", params={"graph": gid}).json()
                assert len(data["nodes"]) > 20 and data["edges"]
            assert fake.state.download_auth_rejected == 0
        finally:
            server.stop()
    logs = [p.read_text(errors="replace") for p in (data_dir / "logs").glob("*.log*")]
    assert logs and any("POST /connect_botify/save" in text for text in logs)
    assert all(TOKEN not in text for text in [*logs, server.log(), *pages])
