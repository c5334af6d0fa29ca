"""The small-model pass: a grammar over the registry's own schemas, narrowed by the message's words, grounded."""

from __future__ import annotations

import asyncio
import json

import pytest

from cardflow.app import build_app
from cardflow.chat.backends import ScriptedBackend
from cardflow.chat.grounding import match_names
from cardflow.chat.intent import (
    Decision,
    build_messages,
    call_schema,
    candidates,
    decide,
    looks_like_command,
    parse,
)
from cardflow.config import Settings


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def actions(tmp_path_factory):
    app = build_app(Settings(data_dir=tmp_path_factory.mktemp("cf"), open_browser=False, llm="scripted",
                             ollama_host="http://127.0.0.1:9"))
    return app.state.ctx.actions.for_app("tasks")


class Recorder(ScriptedBackend):
    """A scripted backend that also keeps the options of each call."""

    def __init__(self, replies):
        super().__init__(replies)
        self.options: list[dict] = []

    def stream(self, messages, *, model=None, options=None):
        self.options.append(options or {})
        return super().stream(messages, model=model, options=options)


TASKS = ["buy milk", "call Bob", "water the plants", "read chapter 3"]


def reply(action, **params):
    return json.dumps({"action": action, "params": params})


@pytest.mark.parametrize("text, answer, decision", [
    ("add a task to call Alice", reply("tasks.add", name="call Alice"), Decision("tasks.add", {"name": "call Alice"})),
    ("I have to send the invoice", reply("tasks.add", name="send invoice"),
     Decision("tasks.add", {"name": "send the invoice"})),
    ("mark the milk task done", reply("tasks.toggle", item="milk task"),
     Decision("tasks.toggle", {"done": True, "item": "buy milk"})),
    ("mark buy milk as not done", reply("tasks.toggle", item="buy milk", done=True),
     Decision("tasks.toggle", {"done": False, "item": "buy milk"})),
    ("delete the plants task", reply("tasks.delete", item="the cat task"),
     Decision("tasks.delete", {"item": "water the plants"})),
    ("rename buy milk to buy oat milk", reply("tasks.update", item="buy milk", name="buy milk"),
     Decision("tasks.update", {"item": "buy milk", "name": "buy oat milk"})),
    ("rename call Bob to call Bob tomorrow", reply("tasks.update", item="call Bob", name="call Bob"),
     Decision("tasks.update", {"item": "call Bob", "name": "call Bob tomorrow"})),
    ("rename read chapter 3 to read chapters 3 and 4",
     reply("tasks.update", item="read chapter 3", name="read chapter 3 to read chapter 4"),
     Decision("tasks.update", {"item": "read chapter 3", "name": "read chapters 3 and 4"})),
    ("move call Bob to the top", reply("tasks.move", item="call Bob", position="bottom"),
     Decision("tasks.move", {"item": "call Bob", "position": "top"})),
    ("show my tasks", reply("tasks.list", query="my tasks", limit=1), Decision("tasks.list", {})),
    ("delete task 7", reply("tasks.delete", id=1), Decision("tasks.delete", {"item": "7"})),  # ids are never taken
])
def test_decide_with_canned_json_gives_the_grounded_call(actions, text, answer, decision):
    backend = Recorder([answer])
    assert run(decide(backend, text, actions, TASKS, noun="task")) == decision
    options = backend.options[0]
    assert options["temperature"] == 0 and options["max_tokens"] == 120
    offered = [c["properties"]["action"]["enum"][0] for c in options["json_schema"]["anyOf"]]
    assert offered[-1] == "chat" and decision.action in offered
    assert "water the plants" in backend.calls[0][0]["content"]


@pytest.mark.parametrize("text, answer", [
    ("add a task to call Bob", "not json at all"),
    ("add a task to call Bob", '{"action": "explode", "params": {}}'),
    ("add a task to call Bob", '["add"]'),
    ("add a task to call Bob", reply("tasks.delete", item="call Bob")),  # not offered for these words
    ("what should I add to a pasta sauce?", reply("tasks.add", name="add")),
    ("add a task to call Bob", reply("tasks.add", name="Paris")),
    ("add a task to call Bob", '{"action": "chat"}'),
])
def test_decide_falls_back_to_chat(actions, text, answer):
    assert run(decide(ScriptedBackend([answer]), text, actions, TASKS)) is None


@pytest.mark.parametrize("text", ["tell me a joke", "good morning", "what's the capital of France"])
def test_small_talk_never_reaches_the_model(actions, text):
    backend = ScriptedBackend([reply("tasks.add", name="tell me a joke")])
    assert run(decide(backend, text, actions, TASKS)) is None
    assert backend.calls == []


def test_an_sql_looking_message_is_only_ever_data(actions):
    backend = ScriptedBackend([reply("tasks.add", name="Drop table tennis club membership")])
    decision = run(decide(backend, "add Drop table tennis club membership", actions, TASKS))
    assert decision == Decision("tasks.add", {"name": "Drop table tennis club membership"})


def test_ungrounded_task_name_is_replaced_by_the_users_words(actions):
    answer = reply("tasks.update", item="new plan", name="hacked")
    decision = run(decide(ScriptedBackend([answer]), "rename the secret plan to hacked", actions, TASKS))
    assert decision == Decision("tasks.update", {"item": "secret plan", "name": "hacked"})


def test_ambiguous_reference_keeps_the_shared_words_so_the_registry_asks(actions):
    answer = reply("tasks.toggle", item="milk task")
    decision = run(decide(ScriptedBackend([answer]), "mark the milk task done", actions,
                          ["buy milk", "buy milk powder", "call Bob"]))
    assert decision == Decision("tasks.toggle", {"done": True, "item": "milk"})


def test_the_offered_actions_follow_the_words_of_the_message(actions):
    def verbs(text):
        return [a.name for a in candidates(text, actions)]

    assert verbs("remove the report") == ["tasks.delete"]
    assert verbs("mark buy milk as not done") == ["tasks.toggle"]
    assert verbs("todo: buy eggs") == ["tasks.list", "tasks.add"]
    assert verbs("rename a to b") == ["tasks.update"]
    home_only = [a for a in actions if not a.app]
    assert candidates("add a task", home_only) == home_only  # nothing fits: everything on offer


def test_the_grammar_is_a_choice_over_the_actions_own_schemas(actions):
    add = next(a for a in actions if a.name == "tasks.add")
    schema = call_schema([add])
    chat, choice = schema["anyOf"][-1], schema["anyOf"][0]
    assert chat["properties"]["action"]["enum"] == ["chat"]
    assert choice["properties"]["action"]["enum"] == ["tasks.add"] and choice["required"] == ["action", "params"]
    params = choice["properties"]["params"]
    assert set(params["properties"]) == set(add.params["properties"]) and params["required"] == ["name"]
    assert params["properties"]["name"]["maxLength"] == 200  # capped for decoding; the registry checks 500
    move = next(a for a in actions if a.name == "tasks.move")
    assert "id" not in call_schema([move])["anyOf"][0]["properties"]["params"]["properties"]


def test_intent_messages_are_compact_and_show_the_tasks(actions):
    offered = candidates("add eggs", actions)
    messages = build_messages("add eggs", offered, TASKS, "task")
    assert messages[0]["role"] == "system"
    assert "buy milk; call Bob; water the plants" in messages[0]["content"] and "tasks.add:" in messages[0]["content"]
    assert messages[-1] == {"role": "user", "content": "add eggs"}
    assert all(json.loads(m["content"])["action"] in ("chat", "tasks.add", "tasks.list")
               for m in messages[1:-1] if m["role"] == "assistant")
    assert sum(len(m["content"]) for m in messages) < 2500


def test_parse_takes_only_offered_actions(actions):
    assert parse(reply("tasks.add", name=" “milk”. "), actions) == Decision("tasks.add", {"name": "milk"})
    assert parse(reply("hello.submit", key="x"), actions) is None
    assert parse('{"action": "chat"}', actions) is None


@pytest.mark.parametrize("text, expected", [
    ("hello", False), ("what is this app for?", False), ("tell me a joke", False),
    ("what's the capital of France", False), ("thanks!", False),
    ("add a task to call Bob", True), ("remind me to water the plants", True), ("I finished calling Bob", True),
    ("rename buy milk to buy oat milk", True), ("delete the plants task", True), ("move X to the top", True),
    ("show my tasks", True), ("todo: eggs", True), ("tick off the milk", True),
])
def test_looks_like_command(text, expected):
    assert looks_like_command(text) is expected


def test_match_names_is_forgiving_but_not_loose():
    rows = ["buy milk", "buy milk powder", "water the plants", "book the dentist"]
    assert match_names("BUY MILK", rows) == ["buy milk"]
    assert match_names("the dentst task", rows) == ["book the dentist"]
    assert match_names("watering plants", rows) == ["water the plants"]
    assert match_names("secret plan", rows) == []
    assert match_names("all tasks of profile 2", rows) == []
    assert len(match_names("milk", rows)) == 2


@pytest.mark.slow
def test_decide_on_the_real_embedded_model(actions):
    from cardflow.chat.backends import EmbeddedBackend, embedded_available

    available, why = embedded_available()
    if not available:
        pytest.skip(why)
    decision = run(decide(EmbeddedBackend(), "add a task to call Bob", actions, ["buy milk", "water the plants"]))
    assert decision is not None and decision.action == "tasks.add" and "bob" in decision.params["name"].lower()
