"""Assistant actions: extraction, the whitelist validator, the executor, and the intent pass."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from cardflow.app import build_app
from cardflow.chat.actions import (
    ACTIONS,
    ActionError,
    ActionExecutor,
    Command,
    classify,
    command_schema,
    extract_commands,
    intent_to_command,
    looks_like_command,
    tool_definitions,
    validate,
)
from cardflow.chat.backends import TOOL_CALLS_MARKER, ScriptedBackend
from cardflow.chat.intent import build_intent_messages, candidate_actions, match_rows
from cardflow.config import Settings


def run(coro):
    return asyncio.run(coro)


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
    return SimpleNamespace(app=app, ctx=ctx, tasks=tasks, profiles=profiles, pid=pid, other=other, secret=secret,
                           ex=ActionExecutor({"task": tasks, "profile": profiles}, pid))


def names(w) -> list[str]:
    return [t.name for t in w.tasks.items(w.pid)]


def done(w) -> dict[str, bool]:
    return {t.name: bool(t.done) for t in w.tasks.items(w.pid)}


def oob_count(w) -> int:
    return sum(e.name == "oob" for e in w.ctx.events._recent)


# -- extract ---------------------------------------------------------------------------------
def test_extract_fenced_block_with_prose_around():
    text = 'Sure!\n```json\n{"action": "insert", "target": "task", "name": "buy milk"}\n```\nDone.'
    found = extract_commands(text)
    assert found == [{"action": "insert", "target": "task", "name": "buy milk"}]
    assert found.errors == []


def test_extract_bare_object_with_braces_and_quotes_in_strings():
    text = 'Okay: {"action": "insert", "name": "fix {curly} \\"quoted\\" } thing"} — all set.'
    assert extract_commands(text) == [{"action": "insert", "name": 'fix {curly} "quoted" } thing'}]


def test_extract_several_commands_in_order_without_duplicates():
    text = ('First {"action": "insert", "name": "a"} then\n```json\n[{"action": "toggle", "name": "a"}, '
            '{"action": "delete", "name": "b"}]\n```\nand {"action": "read"}.')
    assert [c["action"] for c in extract_commands(text)] == ["insert", "toggle", "delete", "read"]


def test_extract_ignores_prose_other_json_and_code_examples():
    text = ('Hello {world}! Here is data: {"name": "x"} and an example:\n```python\n'
            'run({"action": "delete", "name": "x"})\n```\n')
    found = extract_commands(text)
    assert found == [] and found.errors == []


@pytest.mark.parametrize("text", [
    '```json\n{"action": "insert",\n```',
    'Try {"action": "insert" "name": "x"} ok',
    'Cut off: {"action": "insert", "name": "x"',
])
def test_extract_reports_malformed_json_without_raising(text):
    found = extract_commands(text)
    assert found == []
    assert len(found.errors) == 1 and "malformed" in found.errors[0]


def test_extract_tool_call_marker_chunk():
    chunk = TOOL_CALLS_MARKER + json.dumps({"tool_calls": [
        {"name": "insert", "arguments": {"target": "task", "name": "call Bob"}},
        {"name": "delete", "arguments": "{not json"},
    ]})
    found = extract_commands("I'll add that." + chunk)
    assert found == [{"target": "task", "name": "call Bob", "action": "insert"}]
    assert len(found.errors) == 1 and "delete" in found.errors[0]


def test_every_tool_definition_round_trips_through_validate():
    tools = tool_definitions()
    assert [t["function"]["name"] for t in tools] == list(ACTIONS)
    assert all(t["type"] == "function" and t["function"]["parameters"]["type"] == "object" for t in tools)
    args = {"insert": {"name": "x"}, "read": {}, "update": {"name": "x", "new_name": "y"},
            "delete": {"id": 3}, "toggle": {"name": "x"}, "sort": {"name": "x", "position": "top"}}
    chunk = TOOL_CALLS_MARKER + json.dumps({"tool_calls": [{"name": n, "arguments": a} for n, a in args.items()]})
    assert [validate(c).action for c in extract_commands(chunk)] == list(ACTIONS)


# -- validate --------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ({"action": "insert", "target": "task", "name": "buy milk"},
     Command("insert", "task", values={"name": "buy milk"})),
    ({"action": "read", "target": "task"}, Command("read", "task")),
    ({"action": "update", "target": "task", "name": "buy milk", "new_name": "buy oat milk"},
     Command("update", "task", match="buy milk", values={"name": "buy oat milk"})),
    ({"action": "update", "table": "task", "id": 4, "name": "renamed"},
     Command("update", "task", id=4, values={"name": "renamed"})),
    ({"action": "update", "target": "task", "name": "milk", "done": True},
     Command("update", "task", match="milk", values={"done": True})),
    ({"action": "delete", "target": "task", "id": 7}, Command("delete", "task", id=7)),
    ({"action": "toggle", "target": "task", "name": "call Bob"}, Command("toggle", "task", match="call Bob")),
    ({"action": "sort", "target": "task", "order": ["call Bob", 3]}, Command("sort", "task", order=("call Bob", 3))),
    ({"action": "sort", "target": "task", "name": "call Bob", "position": "top"},
     Command("sort", "task", match="call Bob", position="top")),
    ({"action": "update", "target": "profile", "id": 1, "values": {"real_name": "Ann", "active": False}},
     Command("update", "profile", id=1, values={"real_name": "Ann", "active": False})),
    ({"action": "add", "name": "call Bob"}, Command("insert", "task", values={"name": "call Bob"})),
    ({"action": "done", "name": "milk"}, Command("update", "task", match="milk", values={"done": True})),
    ({"action": "top", "name": "milk"}, Command("sort", "task", match="milk", position="top")),
    ({"action": "remove", "target": "tasks", "name": "milk"}, Command("delete", "task", match="milk")),
])
def test_validate_accepts(raw, expected):
    assert validate(raw) == expected


@pytest.mark.parametrize("raw, says", [
    ("insert buy milk", "must be a JSON object"),
    ({"target": "task", "name": "x"}, "has no action"),
    ({"action": "DROP TABLE task"}, "not an action I can do"),
    ({"action": "insert", "target": "users", "name": "x"}, "only change tasks and profiles"),
    ({"action": "read", "table": "sqlite_master"}, "only change tasks and profiles"),
    ({"action": "insert", "target": "task", "name": "x", "priority": 0}, "I do not accept: “priority”"),
    ({"action": "update", "target": "task", "id": 1, "profile_id": 2, "sql": "x"}, "“profile_id”, “sql”"),
    ({"action": "update", "target": "task", "id": 1, "values": {"profile_id": 2}}, "no field “profile_id”"),
    ({"action": "insert", "target": "task", "name": "x'; DROP TABLE task; --"}, "database command"),
    ({"action": "insert", "target": "task", "name": "1' OR '1'='1"}, "database command"),
    ({"action": "insert", "target": "task", "name": {"$ne": ""}}, "plain text, not a list or an object"),
    ({"action": "update", "target": "task", "name": "x", "values": {"name": ["a"]}}, "plain text"),
    ({"action": "update", "target": "task", "name": "x", "values": [1]}, "must be an object"),
    ({"action": "delete", "target": "task", "id": "1 OR 1=1"}, "id must be a positive whole number"),
    ({"action": "delete", "target": "task", "id": True}, "id must be a positive whole number"),
    ({"action": "update", "target": "task", "name": "x", "done": "yes"}, "must be true or false"),
    ({"action": "insert", "target": "task", "name": 42}, "must be text"),
    ({"action": "insert", "target": "task", "name": "x" * 501}, "too long: keep it under 500 characters"),
    ({"action": "insert", "target": "profile", "name": "p", "code": "c" * 51}, "under 50 characters"),
    ({"action": "insert", "target": "task", "name": "   "}, "is empty"),
    ({"action": "insert", "target": "task", "name": "a\x00b"}, "control characters"),
    ({"action": "insert", "target": "task", "name": "x", "id": 3}, "does not take “id”"),
    ({"action": "delete", "target": "task", "name": "x", "done": True}, "does not take “done”"),
    ({"action": "update", "target": "task", "name": "x"}, "says nothing to change"),
    ({"action": "delete", "target": "task"}, "Say which task to delete"),
    ({"action": "delete", "target": "profile", "id": 2}, "Profiles cannot be deleted from the chat"),
    ({"action": "sort", "target": "profile", "order": [1, 2]}, "cannot be reordered"),
    ({"action": "sort", "target": "task", "name": "x", "position": "middle"}, "“top” or “bottom”"),
    ({"action": "insert", "target": "task", "name": "x", "target2": "y" * 6000}, "too long"),
])
def test_validate_refuses_with_a_clear_message(raw, says):
    with pytest.raises(ActionError) as err:
        validate(raw)
    assert says in str(err.value)


# -- execute ---------------------------------------------------------------------------------
def test_insert_goes_through_the_crud_app_and_is_broadcast(world):
    before = oob_count(world)
    result = world.ex.execute({"action": "insert", "target": "task", "name": "feed the cat"})
    assert result.ok and result.message == "Added “feed the cat”."
    assert names(world)[-1] == "feed the cat" and result.changed[0].name == "feed the cat"
    assert oob_count(world) > before
    assert "feed the cat" in world.ctx.events._recent[-1].data or any(
        "feed the cat" in e.data for e in world.ctx.events._recent if e.name == "oob")


def test_update_toggle_delete_by_name_and_id(world):
    result = world.ex.execute(validate({"action": "update", "name": "the milk task", "new_name": "buy oat milk"}))
    assert result.ok and result.message == "Renamed “buy milk” to “buy oat milk”."
    bob = next(t for t in world.tasks.items(world.pid) if t.name == "call Bob")
    before = oob_count(world)
    assert world.ex.execute({"action": "toggle", "id": bob.id}).message == "Marked “call Bob” done."
    assert oob_count(world) > before
    assert done(world)["call Bob"] is True
    assert world.ex.execute({"action": "delete", "name": "plants"}).message == "Deleted “water the plants”."
    assert names(world) == ["buy oat milk", "call Bob"]


def test_done_is_idempotent_and_undone_reverts(world):
    assert world.ex.execute({"action": "done", "name": "calling Bob"}).changed
    again = world.ex.execute({"action": "done", "name": "call Bob"})
    assert again.ok and again.changed == [] and "already" in again.message
    assert world.ex.execute({"action": "undone", "name": "bob"}).message == "Marked “call Bob” not done."
    assert done(world)["call Bob"] is False


def test_sort_by_names_and_move_to_top(world):
    before = oob_count(world)
    result = world.ex.execute({"action": "sort", "order": ["water the plants", "buy milk"]})
    assert result.ok and names(world) == ["water the plants", "buy milk", "call Bob"]
    assert oob_count(world) > before
    assert world.ex.execute({"action": "top", "name": "Bob"}).message == "Moved “call Bob” to the top."
    assert names(world) == ["call Bob", "water the plants", "buy milk"]
    assert "already" in world.ex.execute({"action": "top", "name": "call Bob"}).message


def test_read_lists_the_current_profiles_tasks_only(world):
    world.ex.execute({"action": "done", "name": "buy milk"})
    result = world.ex.execute({"action": "read", "target": "task"})
    assert result.ok and not result.changed
    assert result.message == "3 tasks:\n1. buy milk ✓\n2. call Bob\n3. water the plants"
    assert "secret" not in result.message


def test_foreign_profiles_task_cannot_be_touched_by_id_or_name(world):
    secret = world.secret
    for raw in ({"action": "delete", "id": secret.id}, {"action": "toggle", "id": secret.id},
                {"action": "update", "id": secret.id, "name": "hacked"},
                {"action": "sort", "id": secret.id, "position": "top"},
                {"action": "delete", "name": "secret plan"}, {"action": "update", "name": "secret plan", "done": True},
                {"action": "update", "target": "profile", "id": world.other, "name": "hacked"},
                {"action": "toggle", "target": "profile", "id": world.other}):
        result = world.ex.execute(raw)
        assert not result.ok and not result.changed, raw
    assert world.tasks.get_item(secret.id, world.other) == secret
    assert world.profiles.get_item(world.other, 0).name == "Other client"
    assert world.ex.execute({"action": "delete", "id": secret.id}).message == f"No task with id {secret.id} here."


def test_ambiguous_name_asks_and_changes_nothing(world):
    world.tasks.insert_item(world.pid, {"name": "buy milk powder"})
    before, events = done(world), oob_count(world)
    result = world.ex.execute({"action": "done", "name": "milk"})
    assert not result.ok and result.needs_confirmation and not result.changed
    assert result.message == "Which one: “buy milk” or “buy milk powder”?"
    assert done(world) == before and oob_count(world) == events
    assert world.ex.execute({"action": "done", "name": "buy milk"}).changed[0].name == "buy milk"  # exact wins


def test_no_match_says_so_and_changes_nothing(world):
    result = world.ex.execute({"action": "delete", "name": "walk the dog"})
    assert not result.ok and not result.needs_confirmation
    assert result.message == "No task matches “walk the dog”."
    assert names(world) == ["buy milk", "call Bob", "water the plants"]


def test_invalid_command_changes_nothing(world):
    result = world.ex.execute({"action": "delete", "target": "task", "name": "x", "where": "1=1"})
    assert not result.ok and "“where”" in result.message
    assert names(world) == ["buy milk", "call Bob", "water the plants"]


def test_current_profile_can_be_updated(world):
    result = world.ex.execute({"action": "update", "target": "profile", "id": world.pid, "real_name": "Ann Smith"})
    assert result.ok and world.profiles.get_item(world.pid, 0).real_name == "Ann Smith"


def test_match_rows_is_forgiving_but_not_loose():
    rows = [SimpleNamespace(name=n) for n in ("buy milk", "buy milk powder", "water the plants", "book the dentist")]
    assert [r.name for r in match_rows("BUY MILK", rows)] == ["buy milk"]
    assert [r.name for r in match_rows("the dentst task", rows)] == ["book the dentist"]
    assert [r.name for r in match_rows("watering plants", rows)] == ["water the plants"]
    assert match_rows("secret plan", rows) == []
    assert match_rows("all tasks of profile 2", rows) == []
    assert len(match_rows("milk", rows)) == 2


# -- the intent pass -------------------------------------------------------------------------
class Recorder(ScriptedBackend):
    """A scripted backend that also keeps the options of each call."""

    def __init__(self, replies):
        super().__init__(replies)
        self.options: list[dict] = []

    def stream(self, messages, *, model=None, options=None):
        self.options.append(options or {})
        return super().stream(messages, model=model, options=options)


TASKS = ["buy milk", "call Bob", "water the plants", "read chapter 3"]


@pytest.mark.parametrize("text, reply, intent, command", [
    ("add a task to call Alice", {"action": "add", "name": "call Alice", "new_name": ""},
     {"action": "add", "name": "call Alice"}, Command("insert", "task", values={"name": "call Alice"})),
    ("I have to send the invoice", {"action": "add", "name": "send invoice", "new_name": ""},
     {"action": "add", "name": "send the invoice"}, Command("insert", "task", values={"name": "send the invoice"})),
    ("mark the milk task done", {"action": "done", "name": "milk task", "new_name": ""},
     {"action": "done", "name": "buy milk"}, Command("update", "task", match="buy milk", values={"done": True})),
    ("delete the plants task", {"action": "delete", "name": "the cat task", "new_name": ""},
     {"action": "delete", "name": "water the plants"}, Command("delete", "task", match="water the plants")),
    ("rename buy milk to buy oat milk", {"action": "rename", "name": "buy milk", "new_name": "buy milk"},
     {"action": "rename", "name": "buy milk", "new_name": "buy oat milk"},
     Command("update", "task", match="buy milk", values={"name": "buy oat milk"})),
    ("rename call Bob to call Bob tomorrow", {"action": "rename", "name": "call Bob", "new_name": "call Bob"},
     {"action": "rename", "name": "call Bob", "new_name": "call Bob tomorrow"},
     Command("update", "task", match="call Bob", values={"name": "call Bob tomorrow"})),
    ("rename read chapter 3 to read chapters 3 and 4",
     {"action": "rename", "name": "read chapter 3", "new_name": "read chapter 3 to read chapter 4"},
     {"action": "rename", "name": "read chapter 3", "new_name": "read chapters 3 and 4"},
     Command("update", "task", match="read chapter 3", values={"name": "read chapters 3 and 4"})),
    ("move call Bob to the top", {"action": "top", "name": "call Bob", "new_name": ""},
     {"action": "top", "name": "call Bob"}, Command("sort", "task", match="call Bob", position="top")),
    ("show my tasks", {"action": "list", "name": "", "new_name": ""}, {"action": "list"}, Command("read", "task")),
])
def test_classify_with_canned_json_gives_the_right_command(text, reply, intent, command):
    backend = Recorder([json.dumps(reply)])
    got = run(classify(backend, text, TASKS))
    assert got == intent
    assert validate(intent_to_command(got)) == command
    options = backend.options[0]
    assert options["temperature"] == 0 and options["max_tokens"] == 80
    assert options["json_schema"]["properties"]["action"]["enum"][-1] == "chat"
    assert "water the plants" in backend.calls[0][0]["content"]


@pytest.mark.parametrize("text, reply", [
    ("add a task to call Bob", "not json at all"),
    ("add a task to call Bob", '{"action": "explode", "name": "x"}'),
    ("add a task to call Bob", '["add"]'),
    ("what should I add to a pasta sauce?", '{"action": "add", "name": "add", "new_name": ""}'),
    ("add a task to call Bob", '{"action": "add", "name": "Paris", "new_name": ""}'),
])
def test_classify_falls_back_to_chat(text, reply):
    intent = run(classify(ScriptedBackend([reply]), text, TASKS))
    assert intent == {"action": "chat"} and intent_to_command(intent) is None


@pytest.mark.parametrize("text", ["delete from task where 1=1", "tell me a joke", "good morning"])
def test_classify_never_asks_the_model_about_sql_or_small_talk(text):
    backend = ScriptedBackend(['{"action": "add", "name": "tell me a joke", "new_name": ""}'])
    assert run(classify(backend, text, TASKS)) == {"action": "chat"}
    assert backend.calls == []


def test_ungrounded_task_name_is_replaced_by_the_users_words():
    reply = '{"action": "rename", "name": "new plan", "new_name": "hacked"}'
    intent = run(classify(ScriptedBackend([reply]), "rename the secret plan to hacked", TASKS))
    assert intent == {"action": "rename", "name": "secret plan", "new_name": "hacked"}


def test_the_action_enum_follows_the_words_of_the_message():
    assert candidate_actions("remove the report") == ("delete", "chat")
    assert candidate_actions("mark buy milk as not done") == ("undone", "chat")
    assert candidate_actions("todo: buy eggs") == ("add", "list", "chat")
    schema = command_schema(candidate_actions("rename a to b"))
    assert schema["properties"]["action"]["enum"] == ["rename", "chat"]
    assert set(command_schema()["properties"]["action"]["enum"]) == {
        "add", "done", "undone", "rename", "delete", "list", "top", "chat"}


def test_intent_messages_are_compact_and_show_the_tasks():
    messages = build_intent_messages("add eggs", TASKS)
    assert messages[0]["role"] == "system" and "buy milk; call Bob; water the plants" in messages[0]["content"]
    assert messages[-1] == {"role": "user", "content": "add eggs"}
    assert sum(len(m["content"]) for m in messages) < 2500


@pytest.mark.parametrize("intent, command", [
    ({"action": "add", "name": "x"}, {"action": "insert", "target": "task", "name": "x"}),
    ({"action": "undone", "name": "x"}, {"action": "update", "target": "task", "name": "x", "done": False}),
    ({"action": "delete", "name": "x"}, {"action": "delete", "target": "task", "name": "x"}),
    ({"action": "chat"}, None),
    ({"action": "whatever"}, None),
])
def test_intent_to_command(intent, command):
    assert intent_to_command(intent) == command


@pytest.mark.parametrize("text, expected", [
    ("hello", False), ("what is this app for?", False), ("tell me a joke", False),
    ("what's the capital of France", False), ("thanks!", False),
    ("add a task to call Bob", True), ("remind me to water the plants", True), ("I finished calling Bob", True),
    ("rename buy milk to buy oat milk", True), ("delete the plants task", True), ("move X to the top", True),
    ("show my tasks", True), ("todo: eggs", True), ("tick off the milk", True),
])
def test_looks_like_command(text, expected):
    assert looks_like_command(text) is expected


@pytest.mark.slow
def test_classify_on_the_real_embedded_model():
    from cardflow.chat.embedded import EmbeddedBackend, embedded_available

    available, why = embedded_available()
    if not available:
        pytest.skip(why)
    intent = run(classify(EmbeddedBackend(), "add a task to call Bob", ["buy milk", "water the plants"]))
    assert intent["action"] == "add" and "bob" in intent["name"].lower()
    command = validate(intent_to_command(intent))
    assert command.action == "insert" and command.values == {"name": intent["name"]}
