"""The action registry: schemas, the one execution path, profile scoping, the action log."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from cardflow.actions import Action, Call
from cardflow.actions.schema import either, integer, obj, string, validate
from cardflow.errors import Problem
from cardflow.plugins import AppPlugin, load_plugins


def run(ctx: Any, name: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
    return asyncio.run(ctx.actions.run(name, params or {}, actor=kw.pop("actor", "cli"), **kw))


def log_rows(ctx: Any) -> list[dict[str, Any]]:
    return ctx.db.query("SELECT * FROM action_log ORDER BY id")


@pytest.fixture
def ctx(app: Any) -> Any:
    return app.state.ctx


# -- the schema validator ---------------------------------------------------------------------
SCHEMA = obj({"name": string(max_length=5, min_length=1), "n": integer(minimum=1, maximum=3)}, ["name"])


def test_validator_accepts_and_converts_cli_text() -> None:
    assert validate(SCHEMA, {"name": "ab", "n": "2"}) == {"name": "ab", "n": 2}


@pytest.mark.parametrize(("value", "message"), [
    ({}, "Missing parameter: “name”."),
    ({"name": "ab", "x": 1}, "Unknown parameter “x” (allowed: name, n)."),
    ({"name": 3}, "“name” must be text."),
    ({"name": "abcdef"}, "“name” is too long: at most 5 characters."),
    ({"name": " "}, "“name” is empty."),
    ({"name": "a", "n": 9}, "“n” must be at most 3."),
    ({"name": "a", "n": True}, "“n” must be a whole number."),
    ({"name": "a", "n": 1.5}, "“n” must be a whole number."),
    ([], "The parameters must be an object."),
])
def test_validator_refuses_with_a_sentence(value: Any, message: str) -> None:
    with pytest.raises(Problem) as err:
        validate(SCHEMA, value)
    assert str(err.value) == message


def test_a_value_of_either_kind_fits_the_first_option_it_can() -> None:
    where = either(string(enum=["top", "bottom"]), integer(minimum=1))
    assert [validate(where, v) for v in ("top", "3", 2)] == ["top", 3, 2]  # "3": the CLI's text
    for bad in ("end", 0, True, None):
        with pytest.raises(Problem) as err:
            validate(where, bad, "position")
        assert str(err.value) == "“position” must be top, bottom or a whole number from 1."


# -- tasks through the registry ---------------------------------------------------------------
def test_task_actions_change_rows_and_log_before_and_after(ctx: Any) -> None:
    added = run(ctx, "tasks.add", {"name": "buy milk"}, actor="mcp")
    assert added.summary == "Added task “buy milk”."
    tid = added.result["item"]["id"]
    run(ctx, "tasks.add", {"name": "call Bob"})
    run(ctx, "tasks.update", {"item": "milk", "name": "buy oat milk"})
    run(ctx, "tasks.toggle", {"id": tid})
    run(ctx, "tasks.move", {"item": "call bob", "position": "top"})
    names = [t["name"] for t in run(ctx, "tasks.list").result["items"]]
    assert names == ["call Bob", "buy oat milk"]
    assert run(ctx, "tasks.get", {"id": tid}).result["item"] == {
        "id": tid, "profile_id": ctx.current_profile_id(), "name": "buy oat milk", "done": True, "priority": 1}

    rows = log_rows(ctx)
    assert [r["action"] for r in rows] == ["tasks.add", "tasks.add", "tasks.update", "tasks.toggle", "tasks.move"]
    assert rows[0]["actor"] == "mcp" and rows[1]["actor"] == "cli"
    rename = json.loads(rows[2]["changes"])[0]
    assert rename["before"]["name"] == "buy milk" and rename["after"]["name"] == "buy oat milk"
    assert json.loads(rows[0]["changes"])[0]["before"] is None
    run(ctx, "tasks.delete", {"item": "oat"})
    deleted = json.loads(log_rows(ctx)[-1]["changes"])[0]
    assert deleted["after"] is None and deleted["before"]["name"] == "buy oat milk"
    assert [t["name"] for t in run(ctx, "tasks.list").result["items"]] == ["call Bob"]


def test_read_only_actions_are_not_logged(ctx: Any) -> None:
    run(ctx, "tasks.list")
    run(ctx, "profiles.list")
    assert log_rows(ctx) == []


def snapshot(ctx: Any) -> tuple[Any, ...]:
    return tuple(ctx.db.query(f"SELECT * FROM {t} ORDER BY rowid") for t in ("task", "profile", "action_log"))


@pytest.mark.parametrize(("name", "params", "message"), [
    ("tasks.nope", {}, "There is no action “tasks.nope”"),
    ("tasks.add", {"name": 42}, "“name” must be text."),
    ("tasks.add", {}, "Missing parameter: “name”."),
    ("tasks.add", {"name": "x", "profile_id": 2}, "Unknown parameter “profile_id”"),
    ("tasks.add", {"name": "   "}, "This field is required."),
    ("tasks.toggle", {"id": "not a number"}, "“id” must be a whole number."),
    ("tasks.delete", {"item": "secret plan"}, "No task matches “secret plan”."),
    ("tasks.move", {"item": "mine", "position": "sideways"}, "“position” must be top, bottom, up, down or a whole"),
    ("tasks.move", {"item": "mine", "position": 0}, "or a whole number from 1."),
    ("tasks.move", {"item": "mine", "position": 9}, "The position must be top, bottom, up, down or a number from 1 to 1."),
])
def test_bad_input_changes_nothing(ctx: Any, name: str, params: dict[str, Any], message: str) -> None:
    other = run(ctx, "profiles.add", {"name": "Other client"}).result["item"]["id"]
    run(ctx, "tasks.add", {"name": "secret plan"}, profile_id=other)
    run(ctx, "tasks.add", {"name": "mine"})
    before = snapshot(ctx)
    with pytest.raises(Problem) as err:
        run(ctx, name, params)
    assert message in str(err.value)
    assert snapshot(ctx) == before


def test_an_id_from_another_profile_is_refused(ctx: Any) -> None:
    other = run(ctx, "profiles.add", {"name": "Other client"}).result["item"]["id"]
    secret = run(ctx, "tasks.add", {"name": "secret plan"}, profile_id=other).result["item"]["id"]
    before = snapshot(ctx)
    for action in ("tasks.get", "tasks.toggle", "tasks.delete", "tasks.update"):
        params: dict[str, Any] = {"id": secret, **({"name": "stolen"} if action == "tasks.update" else {})}
        with pytest.raises(Problem, match=f"No task with id {secret} in this profile"):
            run(ctx, action, params)
    assert snapshot(ctx) == before


def test_ambiguous_names_ask_instead_of_guessing(ctx: Any) -> None:
    run(ctx, "tasks.add", {"name": "call Bob"})
    run(ctx, "tasks.add", {"name": "call Bobby"})
    with pytest.raises(Problem) as err:
        run(ctx, "tasks.toggle", {"item": "call bo"})
    assert "“call Bob”" in str(err.value) and "“call Bobby”" in str(err.value)
    assert run(ctx, "tasks.toggle", {"item": "call bob"}).result["item"]["name"] == "call Bob"


def test_deleting_a_profile_records_what_went_with_it(ctx: Any) -> None:
    other = run(ctx, "profiles.add", {"name": "Globex"}).result["item"]["id"]
    run(ctx, "tasks.add", {"name": "globex task"}, profile_id=other)
    run(ctx, "profiles.delete", {"id": other})
    changes = json.loads(log_rows(ctx)[-1]["changes"])
    tables = sorted((c["table"], c["after"]) for c in changes)
    assert ("profile", None) in tables and ("task", None) in tables
    assert next(c for c in changes if c["table"] == "task")["before"]["name"] == "globex task"


def test_switch_profile_and_app(ctx: Any) -> None:
    other = run(ctx, "profiles.add", {"name": "Globex"}).result["item"]["id"]
    run(ctx, "profiles.switch", {"item": "globex"})
    assert ctx.current_profile_id() == other
    assert run(ctx, "home.open_app", {"app": "tasks"}).result == {"app": "tasks", "url": "/tasks"}
    assert ctx.db.store.get("last_app_choice") == "tasks"
    with pytest.raises(Problem, match="No app matches"):
        run(ctx, "home.open_app", {"app": "no such thing"})


def test_a_third_party_app_declares_actions_by_the_plugin_path(ctx: Any) -> None:
    seen: list[dict[str, Any]] = []

    def shout(call: Call) -> dict[str, Any]:
        seen.append(call.params)
        return {"text": call.params["text"].upper()}

    class Shouter(AppPlugin):
        name = "shouter"
        title = "Shouter"

        def actions(self) -> list[Action]:
            return [Action("shouter.shout", "Shout it.", shout, obj({"text": string()}, ["text"]),
                           read_only=True, app=self.name)]

    load_plugins(ctx, [("test plugin", lambda: Shouter)])
    ctx.actions.collect()
    assert run(ctx, "shouter.shout", {"text": "hi"}).result == {"text": "HI"}
    assert seen == [{"text": "hi"}]
    assert any(a.name == "shouter.shout" for a in ctx.actions.for_app("shouter"))
    assert not any(a.name == "shouter.shout" for a in ctx.actions.for_app("tasks"))
    assert ctx.actions.errors and "declared twice" in ctx.actions.errors[0]  # collect() ran a second time


# -- undo ---------------------------------------------------------------------------------------
def test_undo_restores_rows_and_can_itself_be_undone(ctx: Any) -> None:
    run(ctx, "tasks.add", {"name": "buy milk"})
    renamed = run(ctx, "tasks.update", {"item": "milk", "name": "buy oat milk"}, actor="assistant")
    undo = run(ctx, "activity.undo", {"id": renamed.log_id}, actor="ui")
    assert undo.summary == "Undid: Renamed task “buy milk” to “buy oat milk”."
    assert [t["name"] for t in run(ctx, "tasks.list").result["items"]] == ["buy milk"]
    run(ctx, "activity.undo", {"id": undo.log_id})
    assert [t["name"] for t in run(ctx, "tasks.list").result["items"]] == ["buy oat milk"]


def test_undo_of_add_and_delete(ctx: Any) -> None:
    added = run(ctx, "tasks.add", {"name": "call Bob"}, actor="mcp")
    run(ctx, "activity.undo", {"id": added.log_id})
    assert run(ctx, "tasks.list").result["count"] == 0
    again = run(ctx, "tasks.add", {"name": "water plants"})
    run(ctx, "tasks.toggle", {"item": "water"})
    deleted = run(ctx, "tasks.delete", {"item": "water"})
    run(ctx, "activity.undo", {"id": deleted.log_id})
    item = run(ctx, "tasks.list").result["items"][0]
    assert item["id"] == again.result["item"]["id"] and item["done"] is True


def test_undo_refuses_when_the_row_changed_since(ctx: Any) -> None:
    run(ctx, "tasks.add", {"name": "buy milk"})
    renamed = run(ctx, "tasks.update", {"item": "milk", "name": "buy oat milk"})
    run(ctx, "tasks.toggle", {"item": "oat"})
    before = snapshot(ctx)
    with pytest.raises(Problem, match="has changed since"):
        run(ctx, "activity.undo", {"id": renamed.log_id})
    assert snapshot(ctx) == before
    with pytest.raises(Problem, match="no activity #999"):
        run(ctx, "activity.undo", {"id": 999})


def test_undo_brings_back_a_deleted_profile_with_its_tasks(ctx: Any) -> None:
    other = run(ctx, "profiles.add", {"name": "Globex"}).result["item"]["id"]
    run(ctx, "tasks.add", {"name": "globex task"}, profile_id=other)
    deleted = run(ctx, "profiles.delete", {"id": other})
    run(ctx, "activity.undo", {"id": deleted.log_id})
    assert [t["name"] for t in run(ctx, "tasks.list", profile_id=other).result["items"]] == ["globex task"]


def test_undo_of_workflow_steps(ctx: Any) -> None:
    run(ctx, "hello.start", {"key": "k"})
    run(ctx, "hello.submit", {"key": "k", "step": "name", "value": "Ada"})
    submitted = run(ctx, "hello.submit", {"key": "k", "step": "greeting", "value": "Hi"})
    run(ctx, "activity.undo", {"id": submitted.log_id})
    assert run(ctx, "hello.state", {"key": "k"}).result["next_step"] == "greeting"
    reverted = run(ctx, "hello.revert", {"key": "k", "step": "name"})
    run(ctx, "activity.undo", {"id": reverted.log_id})
    assert run(ctx, "hello.state", {"key": "k"}).result["steps"][0]["value"] == "Ada"
    activity = run(ctx, "activity.list", {"actor": "cli"}).result["entries"]
    assert activity[0]["action"] == "activity.undo"


def test_change_listeners_hear_changes_only_and_cannot_undo_them(ctx: Any) -> None:
    heard: list[tuple[str, str]] = []

    def broken(call: Call) -> None:
        raise RuntimeError("a listener that fails")

    ctx.actions.on_change[:0] = [lambda call: heard.append((call.action.name, call.actor)), broken]
    run(ctx, "tasks.add", {"name": "heard"}, actor="mcp")
    run(ctx, "tasks.list")  # a read
    with pytest.raises(Problem):
        run(ctx, "tasks.delete", {"id": 999})  # a refusal
    assert heard == [("tasks.add", "mcp")]
    assert [t.name for t in ctx.registry.by_name("tasks").items(ctx.current_profile_id())] == ["heard"]
