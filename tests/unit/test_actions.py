"""The assistant's actions: commands in a reply, tool names, and every run through the action registry."""

from __future__ import annotations

import asyncio
import json
import re
from types import SimpleNamespace

import pytest

from cardflow.app import build_app
from cardflow.chat.acting import act, confirm
from cardflow.chat.assist import calls_of
from cardflow.chat.backends import TOOL_CALLS_MARKER
from cardflow.chat.commands import (
    action_name,
    command_help,
    extract_commands,
    to_call,
    tool_definitions,
    tool_name,
)
from cardflow.config import Settings
from cardflow.errors import Problem


def run(coro):
    return asyncio.run(coro)


async def _lines(ctx, calls, offered, pid) -> list[str]:
    """The receipts of some calls as one line each. A proposal is confirmed, as the user's click would:
    these tests are about what running does; test_receipts.py covers the asking."""
    out = []
    for receipt in await act(ctx, calls, offered, profile_id=pid):
        if receipt.kind == "proposal":
            receipt = await confirm(ctx, receipt, profile_id=pid)
        for item in receipt.items:
            mark = "" if item.state == "answer" else "✓ " if item.state == "done" else "✗ "
            out.append(mark + item.summary)
    return out


async def execute(ctx, name, params, offered, *, profile_id, origin=None):
    del origin  # the receipts are broadcast to every page, the asking one included
    return "\n".join(await _lines(ctx, [(name, params)], offered, profile_id))


async def run_commands(ctx, raws, offered, *, profile_id, origin=None):
    del origin
    return await _lines(ctx, calls_of(raws), offered, profile_id)


@pytest.fixture
def world(tmp_path):
    app = build_app(Settings(data_dir=tmp_path / "cf", open_browser=False, llm="scripted",
                             ollama_host="http://127.0.0.1:9"))
    ctx = app.state.ctx
    ctx.events.listen()  # as if a page were open, so changes are broadcast
    registry = ctx.registry
    tasks, profiles = registry.by_name("tasks"), registry.by_name("profiles")
    pid = ctx.current_profile_id()
    for name in ("buy milk", "call Bob", "water the plants"):
        tasks.insert_item(pid, {"name": name})
    other = profiles.insert_item(pid, {"name": "Other client"}).id
    secret = tasks.insert_item(other, {"name": "secret plan"})
    offered = ctx.actions.for_app("tasks")

    def do(name, params=None, app=None):
        actions = ctx.actions.for_app(app) if app else offered
        return run(execute(ctx, name, params or {}, actions, profile_id=pid, origin="test"))

    return SimpleNamespace(app=app, ctx=ctx, tasks=tasks, profiles=profiles, pid=pid, other=other, secret=secret,
                           do=do, offered=offered)


def names(w) -> list[str]:
    return [t.name for t in w.tasks.items(w.pid)]


def done(w) -> dict[str, bool]:
    return {t.name: bool(t.done) for t in w.tasks.items(w.pid)}


def oob_count(w) -> int:
    return sum(e.name == "oob" for e in w.ctx.events._recent)


def log_count(w) -> int:
    return w.ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"]


# -- extract ---------------------------------------------------------------------------------
def test_extract_fenced_block_with_prose_around():
    text = 'Sure!\n```json\n{"action": "tasks.add", "params": {"name": "buy milk"}}\n```\nDone.'
    found = extract_commands(text)
    assert found == [{"action": "tasks.add", "params": {"name": "buy milk"}}]
    assert found.errors == []


def test_extract_bare_object_with_braces_and_quotes_in_strings():
    text = 'Okay: {"action": "tasks.add", "name": "fix {curly} \\"quoted\\" } thing"} — all set.'
    assert extract_commands(text) == [{"action": "tasks.add", "name": 'fix {curly} "quoted" } thing'}]


def test_extract_several_commands_in_order_without_duplicates():
    text = ('First {"action": "tasks.add", "params": {"name": "a"}} then\n```json\n[{"action": "tasks.toggle"}, '
            '{"action": "tasks.delete"}]\n```\nand {"action": "tasks.list"}.')
    assert [c["action"] for c in extract_commands(text)] == ["tasks.add", "tasks.toggle", "tasks.delete", "tasks.list"]


def test_extract_ignores_prose_other_json_and_code_examples():
    text = ('Hello {world}! Here is data: {"name": "x"} and an example:\n```python\n'
            'run({"action": "tasks.delete", "name": "x"})\n```\n')
    found = extract_commands(text)
    assert found == [] and found.errors == []


@pytest.mark.parametrize("text", [
    '```json\n{"action": "tasks.add",\n```',
    'Try {"action": "tasks.add" "name": "x"} ok',
    'Cut off: {"action": "tasks.add", "params": {"name": "x"',
])
def test_extract_reports_malformed_json_without_raising(text):
    found = extract_commands(text)
    assert found == []
    assert len(found.errors) == 1 and "malformed" in found.errors[0]


def test_extract_tool_call_marker_chunk_maps_tool_names_back():
    chunk = TOOL_CALLS_MARKER + json.dumps({"tool_calls": [
        {"name": "tasks__add", "arguments": {"name": "call Bob"}},
        {"name": "tasks__delete", "arguments": "{not json"},
    ]})
    found = extract_commands("I'll add that." + chunk)
    assert found == [{"action": "tasks.add", "params": {"name": "call Bob"}}]
    assert len(found.errors) == 1 and "tasks__delete" in found.errors[0]


# -- tool names and the prompt format ----------------------------------------------------------
@pytest.mark.parametrize("name, tool", [
    ("tasks.add", "tasks__add"), ("link_graph.list_keys", "link_graph__list_keys"), ("home.open_app", "home__open_app"),
])
def test_tool_names_map_both_ways(name, tool):
    assert tool_name(name) == tool and action_name(tool) == name


@pytest.mark.parametrize("name", ["a__b.c", "a.b__c", "a_._b", "a_.b", "a._b", "noverb", "a.b.c", "x" * 70 + ".y",
                                  "tâches.add"])
def test_names_that_would_not_survive_the_round_trip_are_not_tools(name):
    assert tool_name(name) is None


def test_every_registry_action_becomes_a_valid_tool_that_round_trips(world):
    actions = world.ctx.actions.all()
    tools = tool_definitions(actions)
    assert len(tools) == len(actions)
    for action, tool in zip(actions, tools, strict=True):
        fn = tool["function"]
        assert tool["type"] == "function" and re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", fn["name"])
        assert action_name(fn["name"]) == action.name
        assert fn["parameters"] == action.params and fn["description"] == action.description
    chunk = TOOL_CALLS_MARKER + json.dumps({"tool_calls": [
        {"name": "tasks__add", "arguments": {"name": "x"}}, {"name": "tasks__list", "arguments": {}},
        {"name": "tasks__move", "arguments": {"item": "x", "position": "top"}}]})
    calls = [to_call(c) for c in extract_commands(chunk)]
    assert [world.ctx.actions.prepare(n, p, actor="assistant").action.name for n, p in calls] == [
        "tasks.add", "tasks.list", "tasks.move"]


def test_command_help_is_generated_from_the_apps_actions(world):
    text = command_help(world.offered, "The user's current tasks: “buy milk”.")
    assert "- tasks.add(name: string, done?: true|false): Add a task." in text
    assert "tasks.move(" in text and "home.open_app(" in text and "hello.submit" not in text
    assert "position: top|bottom|up|down|number" in text  # either of a move's kinds, as the CLI lists them
    assert text.endswith("“buy milk”.")


@pytest.mark.parametrize("raw, call", [
    ({"action": "tasks.add", "params": {"name": "buy milk"}}, ("tasks.add", {"name": "buy milk"})),
    ({"action": " tasks.list "}, ("tasks.list", {})),
    ({"action": "tasks.update", "item": "buy milk", "name": "oat milk"},
     ("tasks.update", {"item": "buy milk", "name": "oat milk"})),  # flattened parameters are accepted
])
def test_to_call_accepts(raw, call):
    assert to_call(raw) == call


@pytest.mark.parametrize("raw, says", [
    ({"params": {"name": "x"}}, "has no action"),
    ({"action": 3}, "has no action"),
    ({"action": "tasks.add", "params": {"name": "x"}, "name": "y"}, "inside “params”"),
    ({"action": "tasks.add", "params": ["x"]}, "must be a JSON object"),
])
def test_to_call_refuses(raw, says):
    with pytest.raises(Problem, match=says):
        to_call(raw)


# -- refusals: the registry's validation, seen from the chat ---------------------------------------
@pytest.mark.parametrize("name, params, says", [
    ("DROP TABLE task", {}, "There is no action “DROP TABLE task”"),
    ("users.add", {"name": "x"}, "There is no action “users.add”"),  # another table
    ("sqlite_master.list", {}, "There is no action"),
    ("tasks.add", {"name": "x", "priority": 0}, "Unknown parameter “priority”"),  # a non-whitelisted field
    ("tasks.update", {"id": 1, "profile_id": 2, "sql": "x"}, "Unknown parameters “profile_id”, “sql”"),
    ("tasks.add", {"name": {"$ne": ""}}, "“name” must be text"),
    ("tasks.update", {"item": "buy milk", "name": ["a"]}, "“name” must be text"),
    ("tasks.delete", {"id": "1 OR 1=1"}, "“id” must be a whole number"),
    ("tasks.delete", {"id": True}, "“id” must be a whole number"),
    ("tasks.update", {"item": "buy milk", "done": "yes"}, "“done” must be true or false"),
    ("tasks.add", {"name": 42}, "“name” must be text"),
    ("tasks.add", {"name": "x" * 501}, "under 500 characters"),
    ("tasks.add", {"name": "   "}, "required"),
    ("tasks.add", {"name": "a\x00b"}, "control characters"),
    ("tasks.add", {"name": "x", "id": 3}, "Unknown parameter “id”"),
    ("tasks.delete", {"item": "buy milk", "done": True}, "Unknown parameter “done”"),
    ("tasks.update", {"item": "buy milk"}, "Say what to change"),
    ("tasks.delete", {}, "Say which task"),
    ("profiles.delete", {"id": 2}, "not available here: open the Profiles app first"),
    ("profiles.move", {"id": 1, "position": "top"}, "not available here"),
    ("tasks.move", {"item": "buy milk", "position": "middle"}, "“position” must be top, bottom, up, down or a whole"),
    ("tasks.add", {"name": "x", "extra": "y" * 100_001}, "too long"),
    ("tasks.add", "buy milk", "must be a JSON object"),
])
def test_refusals_are_sentences_and_change_nothing(world, name, params, says):
    before, logged = names(world), log_count(world)
    line = run(execute(world.ctx, name, params, world.offered, profile_id=world.pid))
    assert line.startswith("✗ ") and says in line, line
    assert names(world) == before and log_count(world) == logged


def test_profile_code_length_is_checked_when_the_profiles_app_is_open(world):
    assert "characters" in world.do("profiles.add", {"name": "p", "code": "c" * 51}, app="profiles")
    assert "p" not in [p.name for p in world.profiles.items(world.pid)]


@pytest.mark.parametrize("text", ["Drop table tennis club membership", "x'; DROP TABLE task; --", "1' OR '1'='1"])
def test_sql_looking_names_are_stored_literally(world, text):
    assert world.do("tasks.add", {"name": text}) == f"✓ Added task “{text}”."
    assert names(world)[-1] == text
    assert world.ctx.db.query("SELECT count(*) AS n FROM task")[0]["n"] == 5  # the table is still there


# -- execution -------------------------------------------------------------------------------
def test_add_goes_through_the_registry_is_logged_and_broadcast(world):
    before, logged = oob_count(world), log_count(world)
    assert world.do("tasks.add", {"name": "feed the cat"}) == "✓ Added task “feed the cat”."
    assert names(world)[-1] == "feed the cat"
    assert oob_count(world) > before and any("feed the cat" in e.data for e in world.ctx.events._recent
                                             if e.name == "oob")
    row = world.ctx.db.query("SELECT actor, action FROM action_log ORDER BY id DESC LIMIT 1")[0]
    assert log_count(world) == logged + 1 and (row["actor"], row["action"]) == ("assistant", "tasks.add")


def test_update_toggle_delete_by_name_and_id(world):
    assert world.do("tasks.update", {"item": "buy milk", "name": "buy oat milk"}) == \
        "✓ Renamed task “buy milk” to “buy oat milk”."
    bob = next(t for t in world.tasks.items(world.pid) if t.name == "call Bob")
    before = oob_count(world)
    assert world.do("tasks.toggle", {"id": bob.id}) == "✓ Marked task “call Bob” done."
    assert oob_count(world) > before and done(world)["call Bob"] is True
    assert world.do("tasks.delete", {"item": "plants"}) == "✓ Deleted task “water the plants”."
    assert names(world) == ["buy oat milk", "call Bob"]


def test_done_is_idempotent_and_undone_reverts(world):
    world.do("tasks.toggle", {"item": "call Bob", "done": True})
    logged = log_count(world)
    assert world.do("tasks.toggle", {"item": "call Bob", "done": True}) == "✓ Marked task “call Bob” done."
    assert log_count(world) == logged  # nothing changed, nothing logged
    assert world.do("tasks.toggle", {"item": "bob", "done": False}) == "✓ Marked task “call Bob” not done."
    assert done(world)["call Bob"] is False


def test_move_to_top_and_down(world):
    before = oob_count(world)
    assert world.do("tasks.move", {"item": "Bob", "position": "top"}) == "✓ Moved task “call Bob” to position 1 of 3."
    assert names(world) == ["call Bob", "buy milk", "water the plants"] and oob_count(world) > before
    world.do("tasks.move", {"item": "call Bob", "position": "down"})
    assert names(world) == ["buy milk", "call Bob", "water the plants"]


def test_list_shows_the_current_profiles_tasks_briefly(world):
    world.do("tasks.toggle", {"item": "buy milk"})
    logged = log_count(world)
    # Marked "(done)", not with the receipt's ✓: model-visible text never imitates a receipt.
    assert world.do("tasks.list") == "3 tasks:\n1. buy milk (done)\n2. call Bob\n3. water the plants"
    assert log_count(world) == logged  # read-only: not logged


def test_another_profiles_task_cannot_be_touched_by_id_or_name(world):
    secret = world.secret
    for name, params in (("tasks.delete", {"id": secret.id}), ("tasks.toggle", {"id": secret.id}),
                         ("tasks.update", {"id": secret.id, "name": "hacked"}),
                         ("tasks.move", {"id": secret.id, "position": "top"}),
                         ("tasks.delete", {"item": "secret plan"}), ("tasks.update", {"item": "secret plan", "done": True})):
        assert world.do(name, params).startswith("✗ "), (name, params)
    assert world.do("profiles.update", {"id": world.other, "name": "hacked"}).startswith("✗ ")  # not offered
    assert world.tasks.get_item(secret.id, world.other) == secret
    assert world.profiles.get_item(world.other, 0).name == "Other client"
    assert world.do("tasks.delete", {"id": secret.id}) == f"✗ No task with id {secret.id} in this profile."


def test_ambiguous_name_asks_and_changes_nothing(world):
    world.tasks.insert_item(world.pid, {"name": "buy milk powder"})
    before, events = done(world), oob_count(world)
    assert world.do("tasks.toggle", {"item": "milk", "done": True}) == (
        "✗ More than one task matches “milk”: “buy milk”, “buy milk powder”. Say which one (or give its id).")
    assert done(world) == before and oob_count(world) == events
    assert world.do("tasks.toggle", {"item": "buy milk", "done": True}) == "✓ Marked task “buy milk” done."  # exact wins


def test_no_match_says_so_and_changes_nothing(world):
    assert world.do("tasks.delete", {"item": "walk the dog"}) == "✗ No task matches “walk the dog”."
    assert names(world) == ["buy milk", "call Bob", "water the plants"]


def test_current_profile_can_be_updated_with_the_profiles_app_open(world):
    line = world.do("profiles.update", {"id": world.pid, "real_name": "Ann Smith"}, app="profiles")
    assert line.startswith("✓ ") and world.profiles.get_item(world.pid, 0).real_name == "Ann Smith"


def test_run_commands_runs_each_and_refuses_unreadable_ones(world):
    raws = [{"action": "tasks.add", "params": {"name": "a"}}, {"params": {}}, {"action": "tasks.add", "name": "b"}]
    lines = run(run_commands(world.ctx, raws, world.offered, profile_id=world.pid, origin=None))
    # Changes come first (confirmed together), refusals after them: the order of the receipts.
    assert lines == ["✓ Added task “a”.", "✓ Added task “b”.", "✗ The command has no action."]
    many = [{"action": "tasks.add", "params": {"name": f"n{i}"}} for i in range(8)]
    assert len(run(run_commands(world.ctx, many, world.offered, profile_id=world.pid, origin=None))) == 5
