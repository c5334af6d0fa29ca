"""Fork a run from a finished step, and compare two runs: the actions, the routes, the refusals."""

import asyncio
import json

import pytest

from cardflow.errors import Problem

HX = {"HX-Request": "true"}


def run(app, name, actor="cli", **params):
    return asyncio.run(app.state.ctx.actions.run(name, params, actor=actor))


def finish_hello(client, key, name="Ada", greeting=None):
    client.post("/hello/init", data={"key": key}, headers=HX)
    client.post(f"/hello/step/name?key={key}", data={"name": name}, headers=HX)
    client.post(f"/hello/step/greeting?key={key}", data={"greeting": greeting or f"Hello, {name}!"}, headers=HX)


def test_fork_copies_the_steps_up_to_the_chosen_one_into_a_new_open_run(client, app):
    finish_hello(client, "orig")
    run(app, "hello.finalize", key="orig")
    out = run(app, "hello.fork", key="orig", step="name")
    res = out.result
    assert res["key"] == "orig-fork-1" and res["forked_from"] == "orig" and res["forked_at"] == "name"
    assert res["next_step"] == "greeting" and not res["finalized"]
    state = app.state.ctx.pipulate.read_state("orig-fork-1")
    assert state["name"] == {"name": "Ada"} and "greeting" not in state and "finalize" not in state
    assert app.state.ctx.pipulate.read_state("orig")["finalize"] == {"finalized": True}  # untouched
    assert out.summary == "Forked Hello workflow “orig” at Your name into “orig-fork-1”."
    # A second fork gets the next free key; a chosen key is used as it is.
    assert run(app, "hello.fork", key="orig", step="greeting").result["key"] == "orig-fork-2"
    named = run(app, "hello.fork", key="orig", step="greeting", new_key="try b").result
    assert named["key"] == "try b" and named["next_step"] is None
    rows = {r["key"]: r for r in app.state.ctx.pipulate.list_keys("hello")}
    assert rows["try b"]["profile_id"] == app.state.ctx.current_profile_id()


def test_fork_is_logged_and_undo_removes_it(client, app):
    finish_hello(client, "u")
    out = run(app, "hello.fork", key="u", step="name")
    assert out.log_id is not None
    run(app, "activity.undo", id=out.log_id)
    assert not app.state.ctx.pipulate.exists("u-fork-1")
    assert app.state.ctx.pipulate.exists("u")


@pytest.mark.parametrize(("params", "message"), [
    ({"key": "nope", "step": "name"}, "no saved run with the key “nope”"),
    ({"key": "src", "step": "nostep"}, "step"),
    ({"key": "half", "step": "greeting"}, "“Greeting” is not finished in “half”"),
    ({"key": "src", "step": "name", "new_key": "half"}, "“half” is already used"),
    ({"key": "src", "step": "name", "new_key": "bad\x01key"}, "control characters"),
])
def test_fork_refusals_are_clear_and_change_nothing(client, app, params, message):
    finish_hello(client, "src")
    client.post("/hello/init", data={"key": "half"}, headers=HX)
    client.post("/hello/step/name?key=half", data={"name": "Half"}, headers=HX)
    before = app.state.ctx.pipulate.count_keys()
    with pytest.raises(Problem, match=message):
        run(app, "hello.fork", **params)
    assert app.state.ctx.pipulate.count_keys() == before


def test_fork_button_redirects_to_the_new_run_at_its_next_step(client, app):
    finish_hello(client, "web")
    card = client.get("/hello/step/name?key=web", headers=HX).text
    assert 'hx-post="/hello/fork/name?key=web"' in card and "Fork from here" in card
    r = client.post("/hello/fork/name?key=web", headers=HX)
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/hello?key=web-fork-1"
    page = client.get("/hello?key=web-fork-1").text
    assert "web-fork-1" in page
    assert 'value="Hello, Ada!"' in client.get("/hello/step/greeting?key=web-fork-1", headers=HX).text
    # Refused (the step is not done in this run): said under the card, not as an error page.
    r = client.post("/hello/fork/greeting?key=web-fork-1", headers=HX)
    assert r.status_code == 200 and "is not finished" in r.text and 'id="hello-greeting"' in r.text


def test_fork_route_for_an_unknown_key_is_a_message_not_a_500(client):
    r = client.post("/hello/fork/name?key=ghost", headers=HX)
    assert r.status_code == 200 and "no saved run" in r.text


def test_compare_marks_the_differing_steps_and_escapes_values(client, app):
    finish_hello(client, "a", greeting="<script>alert(1)</script>")
    finish_hello(client, "b", greeting="Hi Ada")
    res = run(app, "hello.compare", a="a", b="b").result
    assert res["differences"] == 1
    assert [(r["step"], r["same"]) for r in res["rows"]] == [("name", True), ("greeting", False)]
    assert res["rows"][1]["a"] == "<script>alert(1)</script>" and res["rows"][1]["b"] == "Hi Ada"
    page = client.get("/hello/compare?a=a&b=b").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<tr data-step="greeting" class="differs">' in page and "1 step differs" in page
    assert '<option value="a"></option>' in page  # the key pickers offer the runs
    assert "Compare runs of Hello workflow" in page and "<nav" in page  # a whole page in the shell


def test_compare_with_an_unfinished_run_shows_not_done(client, app):
    finish_hello(client, "full")
    client.post("/hello/init", data={"key": "empty"}, headers=HX)
    res = run(app, "hello.compare", a="full", b="empty").result
    assert res["rows"][0]["b"] is None and res["differences"] == 2 and res["b_status"] == "in progress"
    assert "(not done)" in client.get("/hello/compare?a=full&b=empty", headers=HX).text


def test_compare_bad_input_is_shown_at_the_pickers(client, app):
    finish_hello(client, "one")
    r = client.get("/hello/compare?a=one&b=missing")
    assert r.status_code == 200 and "no saved run with the key “missing”" in r.text
    assert 'aria-invalid="true"' in r.text
    assert "Pick two runs" in client.get("/hello/compare?a=one").text
    assert client.get("/hello/compare").status_code == 200  # just the pickers
    with pytest.raises(Problem, match="missing"):
        run(app, "hello.compare", a="one", b="missing")
    with pytest.raises(Problem, match="b"):
        run(app, "hello.compare", a="one")


def test_the_workflow_page_links_to_compare_and_the_downloads(client):
    finish_hello(client, "k1")
    finish_hello(client, "k2")
    table = client.get("/hello/runs", headers=HX).text
    assert 'href="/hello/compare?a=k2&amp;b=k1"' in table
    page = client.get("/hello?key=k1").text
    for link in ("/hello/notebook?key=k1", "/hello/receipt?key=k1", "/hello/compare?a=k1"):
        assert f'href="{link}"' in page


def test_fork_and_compare_over_the_cli(client, app, settings, capsys):
    from cardflow.cli import main

    finish_hello(client, "cli")
    client.close()
    assert main(["call", "hello.fork", "key=cli", "step=name", "new_key=cli-b", "--data-dir",
                 str(settings.data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["result"]["key"] == "cli-b"
    assert main(["call", "hello.fork", "key=cli", "step=name", "new_key=cli-b", "--data-dir",
                 str(settings.data_dir)]) == 2
    assert "already used" in capsys.readouterr().err
    assert main(["call", "hello.compare", "a=cli", "b=cli-b", "--data-dir", str(settings.data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["result"]["differences"] == 1
