"""A run exported as .ipynb, run with nbclient into another data dir, rebuilds the same state."""

import ast
import asyncio
import json

import pytest

from cardflow.db import Database

HX = {"HX-Request": "true"}
TRICKY = "Ada \"O'Brien\" \\ ''' ); import os  # <b>x</b>"


def finish_hello(client, key, name):
    client.post("/hello/init", data={"key": key}, headers=HX)
    client.post(f"/hello/step/name?key={key}", data={"name": name}, headers=HX)
    client.post(f"/hello/step/greeting?key={key}", data={"greeting": f"Hi {name}"}, headers=HX)
    client.post(f"/hello/finalize?key={key}", headers=HX)


def code_cells(nb):
    return [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]


def test_export_has_a_cell_per_step_with_safe_literals(client, app):
    finish_hello(client, "nb key", TRICKY)
    r = client.get("/hello/notebook?key=nb key")
    assert r.status_code == 200 and r.headers["content-disposition"] == 'attachment; filename="hello-nb_key.ipynb"'
    nb = r.json()
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["name"] == "python3"
    cells = code_cells(nb)
    assert "flow = cf.flow('hello')" in cells[0] and "key = 'nb key'" in cells[0]
    submit = cells[1]
    assert submit.startswith("flow.submit(key, 'name', ")
    call = ast.parse(submit).body[0].value  # one call, whose value is a plain literal: no injected code
    assert isinstance(call, ast.Call) and ast.literal_eval(call.args[2]) == TRICKY
    assert cells[3] == "flow.finalize(key)" and "flow.state(key)" in cells[4]
    for source in cells:
        compile(source, "cell", "exec")
    title = nb["cells"][0]["source"]
    assert "<b>" not in title  # markdown shows user text as text
    nbformat = pytest.importorskip("nbformat", reason="install .[notebook] (make test does)")
    nbformat.validate(nbformat.from_dict(nb))
    # The same notebook is an action, so MCP and the CLI get it too.
    out = asyncio.run(app.state.ctx.actions.run("hello.notebook", {"key": "nb key"}, actor="mcp"))
    assert out.result["notebook"] == nb and out.result["filename"] == "hello-nb_key.ipynb"


def test_a_job_steps_result_is_saved_whole(client, app):
    ctx = app.state.ctx
    ctx.pipulate.initialize_if_missing("p1", {"app_name": "poetflow", "profile_id": 1})
    ctx.pipulate.set_step_data("p1", "topic", {"topic": "rain"})
    ctx.pipulate.set_step_data("p1", "poem", {"poem": "Drops\non tin", "tokens": 7})
    nb = client.get("/poetflow/notebook?key=p1").json()
    cells = code_cells(nb)
    assert "flow.submit(key, 'topic', 'rain')" in cells
    assert "flow.save(key, 'poem', {'poem': 'Drops\\non tin', 'tokens': 7})" in cells
    assert "Not done in the exported run." in "".join(c["source"] for c in nb["cells"])


def test_export_of_an_unknown_key_is_a_clear_refusal(client):
    r = client.get("/hello/notebook?key=ghost")
    assert r.status_code == 404 and "no saved run with the key “ghost”" in r.text


@pytest.mark.slow
def test_round_trip_the_exported_notebook_runs_and_rebuilds_the_state(client, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="install .[notebook] (make test does)")
    from nbclient import NotebookClient

    finish_hello(client, "round trip", TRICKY)
    original = client.get("/hello/export?key=round trip").json()["state"]
    nb = nbformat.from_dict(client.get("/hello/notebook?key=round trip").json())
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("CARDFLOW_DATA_DIR", str(elsewhere))  # the kernel inherits it: cf.open() binds there
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "Open this run in the app: http://127.0.0.1:5001/hello?key=round+trip" in printed
    state = json.loads(Database(elsewhere / "cardflow.db").pipelines["round trip"].data)
    for step in ("name", "greeting", "finalize"):
        assert state[step] == original[step]
    assert state["name"] == {"name": TRICKY}


@pytest.mark.slow
def test_a_refused_cell_shows_one_line_not_a_traceback(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="install .[notebook] (make test does)")
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv("CARDFLOW_DATA_DIR", str(tmp_path / "d"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import cardflow.notebook as cf\ncf.open()\ncf.flow('hello').submit('k', 'greeting', 'Hi')")])
    with pytest.raises(CellExecutionError) as info:
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    error = next(o for o in nb.cells[0].outputs if o["output_type"] == "error")
    assert error["ename"] == "CardflowError" and "Save 'name' first" in error["evalue"]
    assert error["traceback"] == ["CardflowError: Save 'name' first: the steps of hello are done in order."]
    assert "pipeline.py" not in str(info.value)
