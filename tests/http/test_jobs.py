import asyncio
import json
import time

import pytest

from cardflow.db import Database
from cardflow.events import Broadcaster
from cardflow.jobs import JobKind, JobManager

HX = {"HX-Request": "true"}


def wait_for(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_simulation_runs_persists_progress_and_publishes(client, app):
    ctx = app.state.ctx
    r = client.post("/stream_simulator/start", data={"duration": "0.3", "updates": "3"}, headers=HX)
    assert 'sse-swap="job-1"' in r.text
    assert wait_for(lambda: ctx.jobs.get(1).status == "done")
    job = ctx.jobs.get(1)
    detail = json.loads(job.detail)
    assert job.progress == 100 and detail["log"][-1] == "tick 3/3" and detail["completions"] == 1
    # The end event is published just after the commit that marks the job done, so this thread can
    # read "done" a moment before it is sent: wait for it rather than race it.
    assert wait_for(lambda: "job-1-end" in [e.name for e in ctx.events._recent])
    names = [e.name for e in ctx.events._recent]
    assert names.count("job-1") >= 3 and "job-1-end" in names


def test_bad_simulation_input_is_refused_at_the_field(client, app):
    for data, msg in (({"duration": "abc", "updates": "3"}, "Duration: Enter a number."),
                      ({"duration": "1", "updates": "0"}, "Updates: The smallest allowed value is 1."),
                      ({"duration": "", "updates": "3"}, "Duration: This field is required.")):
        r = client.post("/stream_simulator/start", data=data, headers=HX)
        assert msg in r.text
    assert app.state.ctx.db.jobs() == []


def test_several_runs_at_once_and_cancel(client, app):
    ctx = app.state.ctx
    client.post("/stream_simulator/start", data={"duration": "5", "updates": "50"}, headers=HX)
    client.post("/stream_simulator/start", data={"duration": "0.3", "updates": "3"}, headers=HX)
    assert wait_for(lambda: ctx.jobs.get(2).status == "done")
    assert ctx.jobs.get(1).status == "running"
    assert client.post("/jobs/1/cancel", headers=HX).status_code == 204
    assert wait_for(lambda: ctx.jobs.get(1).status == "cancelled")
    r = client.post("/jobs/1/cancel", headers=HX)
    assert "not running" in r.text
    assert "not running" in client.post("/jobs/abc/cancel", headers=HX).text


def test_failing_job_ends_failed_with_its_message_and_server_keeps_serving(tmp_path):
    async def scenario():
        db = Database(tmp_path / "j.db")
        jobs = JobManager(db, Broadcaster())

        async def boom(ctx):
            await ctx.progress(10, "working")
            raise RuntimeError("the remote side said no")

        jobs.register(JobKind("boom", boom))
        job = jobs.start("boom")
        await asyncio.sleep(0.1)
        return jobs.get(job.id)

    job = asyncio.run(scenario())
    assert job.status == "failed" and json.loads(job.detail)["message"] == "the remote side said no"


def test_job_raising_a_problem_ends_failed_with_exactly_its_message(tmp_path):
    from cardflow.errors import Problem

    sentence = "The export link expired: revert the export step to make a fresh one. " * 8  # over 500 chars

    async def scenario():
        jobs = JobManager(Database(tmp_path / "p.db"), Broadcaster())

        async def refuse(ctx):
            raise Problem(sentence)

        jobs.register(JobKind("refuse", refuse))
        job = jobs.start("refuse")
        await asyncio.sleep(0.1)
        return jobs.get(job.id)

    job = asyncio.run(scenario())
    assert job.status == "failed" and json.loads(job.detail)["message"] == sentence


def test_recover_resumes_resumable_jobs_and_marks_others_interrupted(tmp_path):
    db = Database(tmp_path / "r.db")
    runs = []

    async def scenario():
        jobs = JobManager(db, Broadcaster())

        async def resumable(ctx):
            runs.append(ctx.resumed)
            return {"ok": True}

        async def plain(ctx):
            return {}

        jobs.register(JobKind("res", resumable, resumable=True))
        jobs.register(JobKind("plain", plain))
        for kind in ("res", "plain"):  # rows left "running" by a process that died
            db.jobs.insert(pipeline_key="", step="", kind=kind, status="running", progress=40,
                           detail="{}", created="", updated="")
        resumed = await jobs.recover()
        await asyncio.sleep(0.1)
        return resumed, jobs

    resumed, jobs = asyncio.run(scenario())
    assert resumed == [1] and runs == [True]
    assert jobs.get(1).status == "done" and jobs.get(2).status == "interrupted"
    assert "Retry" in json.loads(jobs.get(2).detail)["message"]


@pytest.fixture
def doc_client(tmp_path):
    from tests.http.test_docs_workflows import doc_files

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "countdown_doc.py").write_text(doc_files()["countdown_doc.py"])
    from starlette.testclient import TestClient

    from cardflow.app import build_app
    from cardflow.config import Settings

    app = build_app(Settings(data_dir=tmp_path / "data", plugins_dir=plugins, open_browser=False))
    with TestClient(app, base_url="http://127.0.0.1:5001") as c:
        c.headers.update({**HX, "Origin": "http://127.0.0.1:5001"})
        yield c, app.state.ctx


def test_job_step_runs_saves_result_and_chain_continues(doc_client):
    client, ctx = doc_client
    client.post("/countdown_doc/init", data={"key": "j"})
    client.post("/countdown_doc/step/label?key=j", data={"label": "tea"})
    r = client.post("/countdown_doc/step/wait?key=j", data={"wait": "0"})
    assert "smallest allowed value is 1" in r.text and ctx.db.jobs() == []
    r = client.post("/countdown_doc/step/wait?key=j", data={"wait": "1"})
    assert 'hx-trigger="sse:job-1-end, every 3s"' in r.text and "<progress" in r.text
    r2 = client.post("/countdown_doc/step/wait?key=j", data={"wait": "1"})  # a double click
    assert len(ctx.db.jobs()) == 1 and "sse:job-1-end" in r2.text
    assert wait_for(lambda: ctx.pipulate.get_step_data("j", "wait") != {}, timeout=5)
    assert ctx.pipulate.get_step_data("j", "wait")["wait"] == "waited 1 s for tea"
    r = client.get("/countdown_doc/step/wait?key=j")
    assert "step-card locked" in r.text and 'id="countdown_doc-finalize"' in r.text


def test_cancelled_job_step_offers_retry(doc_client):
    client, ctx = doc_client
    client.post("/countdown_doc/init", data={"key": "c"})
    client.post("/countdown_doc/step/label?key=c", data={"label": "x"})
    client.post("/countdown_doc/step/wait?key=c", data={"wait": "20"})
    client.post("/jobs/1/cancel")
    assert wait_for(lambda: ctx.jobs.get(1).status == "cancelled")
    r = client.get("/countdown_doc/step/wait?key=c")
    assert "The last run cancelled" in r.text and ">Retry<" in r.text
