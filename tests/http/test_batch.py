"""Batch runs through the page and the actions: the rows, the refusals, cancel, retry and export."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest

HX = {"HX-Request": "true"}


def start(client, text: str = "", files=None):
    return client.post("/hello/batch", data={"text": text}, files=files, headers=HX)


def wait_done(client, batch: int = 1, app: str = "hello") -> str:
    deadline = time.time() + 20
    while time.time() < deadline:
        html = client.get(f"/{app}/batch/{batch}/grid", headers=HX).text
        if 'data-status="running"' not in html.split(">", 1)[0]:
            return html
        time.sleep(0.05)
    raise AssertionError("the batch did not end")


def run(client, name: str, params: dict, actor: str = "mcp"):
    ctx = client.app.state.ctx
    return client.portal.call(lambda: ctx.actions.run(name, params, actor=actor))


def rows(client, batch: int = 1) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for r in run(client, "hello.batch_status", {"batch": batch}).result["rows"]:
        found.setdefault(r["key"], r)  # a refused duplicate does not hide the row that ran
    return found


def test_the_page_starts_a_batch_and_the_grid_shows_every_row(client):
    page = client.get("/hello").text
    assert 'href="/hello/batch"' in page  # the way in, from the workflow's own page
    assert "name, greeting" in client.get("/hello/batch").text  # the form says which columns
    text = "key,name\nada,Ada\nbad," + "x" * 150 + "\nempty,\n"
    r = start(client, text)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/hello/batch?id=1"
    grid = wait_done(client)
    assert 'data-status="done"' in grid and "Hello, Ada!" in grid
    assert "Keep it under 100 characters (this is 150)." in grid  # the field's own message
    assert "No value for “Your name” in the file" in grid
    assert 'href="/hello?key=ada"' in grid  # a stopped row is finished in the normal page
    page = client.get("/hello/batch?id=1").text
    assert "Batch 1" in page and "1 stopped" not in page and "2 stopped" in page and "1 done" in page
    state = client.app.state.ctx.pipulate.read_state("ada")
    assert state["finalize"]["finalized"] and state["greeting"]["greeting"] == "Hello, Ada!"


def test_a_whole_file_refusal_is_shown_at_the_form_and_creates_nothing(client):
    r = start(client, "key,name,colour\nada,Ada,red\n")
    assert r.status_code == 200 and 'id="batch-form"' in r.text
    assert "Unknown column “colour”. The columns are “key” and the step ids: name, greeting." in r.text
    assert "key,name,colour" in r.text  # what was pasted stays
    r = start(client, "name\nAda\n", )
    assert "no “key” column" not in r.text  # one column and no header: a list of keys, not a refusal
    r = start(client, "")
    assert "Paste some rows or choose a CSV file first." in r.text
    r = start(client, files={"file": ("rows.csv", b"key,name\n\xff\xfe,x\n", "text/csv")})
    assert "rows.csv is not UTF-8 text" in r.text
    r = start(client, "key\n" + "k\n" * 50_000)
    assert "the page takes at most 95,000" in r.text and "cardflow call hello.batch file=rows.csv" in r.text
    assert client.app.state.ctx.db.query("SELECT count(*) AS n FROM batch")[0]["n"] == 1  # only the key list


def test_an_uploaded_csv_runs_and_duplicates_are_refused_row_by_row(client):
    body = "key,greeting,name\nada,Hi Ada,Ada\nada,Again,Ada\nbob,,Bob\n<b>x</b>,Hey,<script>alert(1)</script>\n"
    r = start(client, files={"file": ("people.csv", body.encode(), "text/csv")})
    assert r.status_code == 204
    grid = wait_done(client)
    found = rows(client)
    assert found["ada"]["status"] == "done" and found["ada"]["values"]["greeting"] == "Hi Ada"
    assert found["bob"]["status"] == "stopped" and found["bob"]["step"] == "greeting"
    assert found["<b>x</b>"]["status"] == "done"
    statuses = [r["status"] for r in run(client, "hello.batch_status", {}).result["rows"]]
    assert statuses == ["done", "refused", "stopped", "done"]
    assert "The key “ada” is already on line 2; each key runs once." in grid
    assert "<script>alert(1)" not in grid and "&lt;script&gt;alert(1)&lt;/script&gt;" in grid
    assert "<b>x</b>" not in grid
    assert "people.csv" in client.get("/hello/batch").text


def test_export_matches_the_states(client):
    start(client, "key,name\nada,Ada\nlong," + "y" * 101 + "\nnone,\n")
    wait_done(client)
    r = client.get("/hello/batch/1/export")
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="hello-batch-1.csv"' in r.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(r.text)))
    ctx = client.app.state.ctx
    assert [line["key"] for line in lines] == ["ada", "long", "none"]
    for line in lines:
        state = ctx.pipulate.read_state(line["key"])
        for step in ("name", "greeting"):
            assert line[step] == (state.get(step) or {}).get(step, "")
        assert (line["status"] == "done") == bool(state.get("finalize", {}).get("finalized"))
    assert lines[1]["status"] == "stopped" and lines[1]["step"] == "name"
    assert lines[1]["message"] == "Keep it under 100 characters (this is 101)."
    assert r.text == run(client, "hello.batch_export", {"batch": 1}).result["csv"]


def test_a_stopped_row_finished_by_hand_counts_as_done(client):
    start(client, "key,name\nada,\n")
    wait_done(client)
    client.post("/hello/step/name?key=ada", data={"name": "Ada"}, headers=HX)
    client.post("/hello/step/greeting?key=ada", data={"greeting": "Hi"}, headers=HX)
    client.post("/hello/finalize?key=ada", headers=HX)
    assert rows(client)["ada"]["status"] == "done" and rows(client)["ada"]["message"] == "Finished by hand."


def test_every_step_is_logged_and_a_batch_runs_nothing_twice(client):
    start(client, "key,name\nada,Ada\nbob,Bob\n")
    wait_done(client)
    log = client.app.state.ctx.db.query("SELECT actor, action, params FROM action_log ORDER BY id")
    actions = [e["action"] for e in log]
    assert actions[0] == "hello.batch" and {e["actor"] for e in log} == {"ui"}
    assert actions.count("hello.submit") == 4 and actions.count("hello.finalize") == 2
    # The same rows again: every step is done already, so nothing is submitted again.
    start(client, "key,name\nada,Ada\nbob,Bob\n")
    wait_done(client, 2)
    again = [e["action"] for e in client.app.state.ctx.db.query("SELECT action FROM action_log ORDER BY id")]
    assert again.count("hello.submit") == 4 and again.count("hello.finalize") == 2
    assert {r["status"] for r in rows(client, 2).values()} == {"done"}


def test_a_key_of_another_workflow_fails_and_retry_runs_it_again(client):
    run(client, "poetflow.start", {"key": "taken"})
    start(client, "key,name\ntaken,Ada\nfree,Bo\n")
    wait_done(client)
    assert "already used by the poetflow workflow" in rows(client)["taken"]["message"]
    assert rows(client)["taken"]["status"] == "failed"
    grid = client.get("/hello/batch/1/grid", headers=HX).text
    assert 'id="batch-retry"' in grid
    run(client, "poetflow.delete", {"key": "taken"})
    grid = client.post("/hello/batch/1/retry", headers=HX).text
    assert 'id="batch-' in grid
    wait_done(client)
    assert rows(client)["taken"]["status"] == "done"
    with pytest.raises(Exception, match="no failed or cancelled rows"):
        run(client, "hello.batch_retry", {"batch": 1})


def test_cancel_stops_a_running_batch(client, monkeypatch):
    monkeypatch.setenv("CARDFLOW_SCRIPTED_DELAY", "0.2")
    monkeypatch.setenv("CARDFLOW_SCRIPTED_REPLIES", '["a slow poem of many words to stream"]')
    text = "key,topic\n" + "\n".join(f"p{i},rain {i}" for i in range(6))
    r = client.post("/poetflow/batch", data={"text": text}, headers=HX)
    assert r.status_code == 204
    ctx = client.app.state.ctx
    deadline = time.time() + 10
    while not ctx.jobs.active() and time.time() < deadline:
        time.sleep(0.02)
    grid = client.post("/poetflow/batch/1/cancel", headers=HX).text
    assert 'data-status="cancelled"' in grid
    deadline = time.time() + 10
    while time.time() < deadline and any(r["status"] in ("queued", "running") for r in
                                         run(client, "poetflow.batch_status", {}).result["rows"]):
        time.sleep(0.05)
    found = run(client, "poetflow.batch_status", {}).result
    assert found["status"] == "cancelled" and set(found["counts"]) == {"cancelled"}
    assert not ctx.jobs.active()  # the running jobs were stopped too
    assert re.search(r"Cancelled (before|while) it ran", str(found["rows"]))


def test_bad_input_over_the_actions(client):
    with pytest.raises(Exception, match="either as “csv”"):
        run(client, "hello.batch", {})
    with pytest.raises(Exception, match="Only the command line and MCP clients may name a file"):
        run(client, "hello.batch", {"file": "/etc/passwd"}, actor="assistant")
    with pytest.raises(Exception, match="There is no file"):
        run(client, "hello.batch", {"file": "/nope/rows.csv"})
    with pytest.raises(Exception, match="no batch 9 of this workflow"):
        run(client, "hello.batch_status", {"batch": 9})
    with pytest.raises(Exception, match="There is no batch of Hello workflow"):
        run(client, "hello.batch_export", {})
    assert client.get("/hello/batch/9/grid", headers=HX).status_code == 200  # htmx: the message as a fragment
    assert "no batch 9" in client.get("/hello/batch/9/grid", headers=HX).text
    assert client.get("/hello/batch/abc/export").status_code == 404
    assert client.get("/hello/batch?id=x").status_code == 404
    assert client.post("/hello/batch/1/cancel", headers={"Origin": "http://evil.example"}).status_code == 403


def test_the_mcp_action_starts_in_the_background_and_returns_the_id(client):
    out = run(client, "hello.batch", {"csv": "key,name\nada,Ada\n"})
    assert out.result == {"batch": 1, "status": "running", "rows": 1, "refused": 0}
    wait_done(client)
    assert rows(client)["ada"]["status"] == "done"


def test_a_batch_posts_one_chat_note_when_it_ends_not_one_per_step(client):
    ctx = client.app.state.ctx
    profile = ctx.current_profile_id()
    before = len(ctx.conversation.history(profile))
    start(client, "key,name\n" + "".join(f"k{i},Name {i}\n" for i in range(6)))
    wait_done(client)
    deadline = time.time() + 10
    while time.time() < deadline and len(ctx.conversation.history(profile)) == before:
        time.sleep(0.05)
    added = [m.content for m in ctx.conversation.history(profile)][before:]
    assert len(added) == 1 and "batch 1 finished: 6 done" in added[0], added
    # A step saved by hand still says so in the chat.
    run(client, "hello.start", {"key": "by hand"}, actor="ui")
    run(client, "hello.submit", {"key": "by hand", "step": "name", "value": "Bo"}, actor="ui")
    assert "Bo" in ctx.conversation.history(profile)[-1].content


def test_the_grid_reload_brings_the_batch_list_up_to_date(client):
    start(client, "key,name\nada,Ada\nbo,Bo\n")
    grid = wait_done(client)
    listed = re.search(r'<div[^>]*id="batch-list"[^>]*>.*?</table>', grid, re.S)
    assert listed is not None and 'hx-swap-oob="true"' in listed.group(0)
    assert "<td>done</td>" in listed.group(0) and "2 done" in listed.group(0)
    assert "running" not in listed.group(0)


def test_the_export_never_hands_a_spreadsheet_a_formula(client):
    start(client, 'key,name\nada,"=HYPERLINK(""http://evil.test"",""x"")"\nbob,-3\n')
    wait_done(client)
    lines = list(csv.DictReader(io.StringIO(client.get("/hello/batch/1/export").text)))
    assert lines[0]["name"] == "'=HYPERLINK(\"http://evil.test\",\"x\")"  # shown as text, not run
    assert lines[1]["name"] == "-3"  # a number stays a number
    state = client.app.state.ctx.pipulate.read_state("ada")
    assert state["name"]["name"] == '=HYPERLINK("http://evil.test","x")'  # only the download is guarded
