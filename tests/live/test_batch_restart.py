"""A batch survives a killed server: the new one goes on, and no step of any key runs twice."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from collections import Counter

import pytest

from tests.conftest import LiveServer

pytestmark = [pytest.mark.live, pytest.mark.slow]

SLOWFLOW = '''
import asyncio

from cardflow.workflow import Step, Text, Workflow


async def slow(wf, ctx):
    await ctx.progress(10, "working")
    await asyncio.sleep(0.7)
    return {"wait": "slept"}


class Slowflow(Workflow):
    name = "slowflow"
    title = "Slow flow"
    steps = [Step("name", "Name", Text(required=True)), Step("wait", "Wait", job=slow, resumable=RESUMABLE)]
'''


def query(data_dir, sql, args=()):
    # The stdlib driver, not apsw: once cardflow.db is imported in this process, apsw's best-practice
    # hooks run "PRAGMA optimize" on every new connection, before a busy timeout can be set, and
    # that meets the live server's write lock.
    conn = sqlite3.connect(f"file:{data_dir / 'cardflow.db'}?mode=ro", uri=True, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, args).fetchall()]
    finally:
        conn.close()


def rows_by_status(data_dir):
    return Counter(r["status"] for r in query(data_dir, "SELECT status FROM batch_row"))


def wait_for(predicate, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def step_actions(data_dir):
    """(key, action, step) of every logged step change, to count what ran."""
    out = []
    for entry in query(data_dir, "SELECT action, params FROM action_log WHERE action NOT LIKE '%.batch%'"):
        params = json.loads(entry["params"])
        out.append((params.get("key"), entry["action"], params.get("step", "")))
    return out


def test_a_hello_batch_killed_mid_way_resumes_and_runs_nothing_twice(data_dir):
    server = LiveServer(data_dir)
    server.start()
    n = 120
    text = "key,name\n" + "\n".join(f"k{i:03d},Name {i}" for i in range(n))
    with server.client() as c:
        assert c.post("/hello/batch", data={"text": text}, headers={"HX-Request": "true"}).status_code == 204
    wait_for(lambda: rows_by_status(data_dir)["done"] >= 10)
    server.stop(signal.SIGKILL)
    before = rows_by_status(data_dir)
    assert before["done"] < n, "the batch ended before the kill: make it longer"

    server.start()
    try:
        wait_for(lambda: rows_by_status(data_dir) == Counter({"done": n}))
        # The batch itself is marked done just after its last row.
        wait_for(lambda: query(data_dir, "SELECT status FROM batch") == [{"status": "done"}])
        states = {r["key"]: json.loads(r["data"]) for r in query(data_dir, "SELECT key, data FROM pipeline")}
        assert len(states) == n and all(s["finalize"]["finalized"] for s in states.values())
        assert all(states[f"k{i:03d}"]["name"]["name"] == f"Name {i}" for i in range(n))
        twice = [k for k, count in Counter(step_actions(data_dir)).items() if count > 1]
        assert not twice, f"ran twice: {twice[:5]}"
        with server.client() as c:
            exported = c.get("/hello/batch/1/export").text.splitlines()
        assert len(exported) == n + 1 and all(",done,," in line for line in exported[1:])
    finally:
        server.stop()


@pytest.mark.parametrize("resumable", [False, True])
def test_a_job_step_batch_killed_mid_job_resumes_each_job_once(data_dir, resumable):
    plugins = data_dir / "plugins"
    plugins.mkdir()
    (plugins / "slowflow.py").write_text(SLOWFLOW.replace("RESUMABLE", str(resumable)))
    server = LiveServer(data_dir, env={"CARDFLOW_BATCH_CONCURRENCY": "2"})
    server.start()
    keys = [f"s{i}" for i in range(6)]
    text = "key,name\n" + "\n".join(f"{k},{k.upper()}" for k in keys)
    with server.client() as c:
        assert c.post("/slowflow/batch", data={"text": text}, headers={"HX-Request": "true"}).status_code == 204
    wait_for(lambda: rows_by_status(data_dir)["done"] >= 1 and
             query(data_dir, "SELECT count(*) AS n FROM job WHERE status = 'running'")[0]["n"] >= 1)
    server.stop(signal.SIGKILL)
    running_at_kill = {r["pipeline_key"] for r in query(data_dir, "SELECT pipeline_key FROM job WHERE status = 'running'")}
    assert running_at_kill and rows_by_status(data_dir)["done"] < len(keys)

    server.start()
    try:
        wait_for(lambda: rows_by_status(data_dir) == Counter({"done": len(keys)}))
        jobs = query(data_dir, "SELECT pipeline_key, status, detail FROM job ORDER BY id")
        done = Counter(j["pipeline_key"] for j in jobs if j["status"] == "done")
        assert done == Counter(keys)  # each key's job completed exactly once
        assert all(json.loads(j["detail"]).get("completions") == 1 for j in jobs if j["status"] == "done")
        per_key = Counter(j["pipeline_key"] for j in jobs)
        if resumable:  # the job runner resumed it; the batch waited for that run and started none
            assert per_key == Counter(keys)
        else:  # interrupted by the kill, then started once more by the batch: never a third time
            assert {k for k, count in per_key.items() if count > 1} == running_at_kill
            assert max(per_key.values()) == 2
            assert {j["status"] for j in jobs} == {"done", "interrupted"}
        twice = [k for k, count in Counter(step_actions(data_dir)).items() if count > 1 and k[1].endswith("submit")]
        assert not twice, twice
    finally:
        server.stop()
