"""Switching app, or the user's own changes, warm the model's prompts in the background
(ChatService.warm: the decision's, intent.warm, then the answer's)."""

from __future__ import annotations

import time
from typing import Any

from cardflow.chat.backends.scripted import ScriptedBackend


class DecidingBackend(ScriptedBackend):
    """A scripted backend that says it decides with an intent pass, and records what it was sent."""

    needs_intent_pass = True

    def __init__(self) -> None:
        super().__init__(["ok"])
        self.sent: list[list[dict[str, Any]]] = []
        self.contexts: list[str] = []  # options["context"] of each call: "decision", or "chat" by default

    async def generate(self, messages, model, options):
        self.sent.append(list(messages))
        self.contexts.append(options.get("context", "chat"))
        async for chunk in super().generate(messages, model, options):
            yield chunk


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_opening_an_app_warms_its_prefix_once_the_model_is_loaded(client, app):
    chat = app.state.ctx.chat
    client.get("/tasks")  # no model loaded yet: a page visit never loads one
    assert chat._backend is None
    backend = DecidingBackend()
    chat._backend = backend
    client.get("/hello")
    assert wait_for(lambda: chat._warming is not None and chat._warming.done() and backend.sent), \
        "the switch did not warm the model"
    assert backend.contexts == ["decision", "chat"]
    system = backend.sent[0][0]["content"]
    assert "hello." in system and "tasks.add" not in system  # the open app's actions, not the last one's
    answer = backend.sent[1][0]["content"]  # then the answer's prompt, with the open app's facts
    assert "Hello" in answer and answer.startswith("You are the assistant inside Cardflow")


def test_a_backend_without_an_intent_pass_is_not_warmed(client, app):
    chat = app.state.ctx.chat
    backend = ScriptedBackend(["ok"])
    calls: list[Any] = []
    original = backend.generate

    async def recording(messages, model, options):
        calls.append(messages)
        async for chunk in original(messages, model, options):
            yield chunk

    backend.generate = recording  # type: ignore[method-assign]
    chat._backend = backend
    client.get("/hello")
    time.sleep(0.3)
    assert calls == []


class ScoringBackend(DecidingBackend):
    """Also scores, as the embedded backend does; records the system texts it scored after."""

    supports_scoring = True

    def __init__(self) -> None:
        super().__init__()
        self.scored: list[str] = []

    async def score(self, messages, lead, options, *, per_token=False):
        self.scored.append(messages[0]["content"])
        return [0.0] * len(options)

    async def score_turns(self, contexts, text):
        self.scored.extend(c[0]["content"] for c in contexts)
        return [0.0] * len(contexts)


def test_the_users_own_changes_warm_the_open_app_once_they_pause(client, app, monkeypatch):
    from cardflow.chat import service

    monkeypatch.setattr(service, "REWARM_AFTER", 60.0)  # the pause is ended by hand below, not by a clock
    chat = app.state.ctx.chat
    backend = ScoringBackend()
    chat._backend = backend
    client.get("/tasks")
    assert wait_for(lambda: chat._warming is not None and chat._warming.done())  # the switch's own warm
    assert backend.sent and backend.scored and not any("buy milk" in s for s in backend.scored)
    backend.sent.clear()
    backend.contexts.clear()
    backend.scored.clear()
    for name in ("buy milk", "call Bob", "water the plants"):  # a burst of clicks
        assert client.post("/tasks/insert", data={"name": name}, headers={"HX-Request": "true"}).status_code == 200
    pending = chat._rewarm
    assert pending is not None and backend.scored == []  # one warm waits for the pause; none ran yet
    client.portal.call(chat.reread_rows)  # the pause is over
    assert wait_for(lambda: chat._warming is not None and chat._warming.done())
    assert any("buy milk, call Bob, water the plants" in s for s in backend.scored), backend.scored[:2]
    # A toggle's value is read after prompts that list the rows too (flags.py): they are read again with them.
    assert any("buy milk, call Bob, water the plants" in s and s.endswith("marking it not done.")
               for s in backend.scored), backend.scored
    # The arguments prompt and the answer's prompt list the rows in their facts: both are read again,
    # each in its own context of the backend.
    assert backend.contexts == ["decision", "chat"]
    assert all("“water the plants”" in "".join(m["content"] for m in sent) for sent in backend.sent)
    assert chat._rewarm is None


def test_the_assistants_own_changes_and_reads_schedule_no_second_warm(client, app):
    chat = app.state.ctx.chat
    chat._backend = DecidingBackend()
    ctx = app.state.ctx
    client.portal.call(lambda: ctx.actions.run("tasks.add", {"name": "from chat"}, actor="assistant"))
    client.portal.call(lambda: ctx.actions.run("tasks.list", {}, actor="ui"))  # a read changes nothing
    assert chat._rewarm is None
    client.portal.call(lambda: ctx.actions.run("tasks.add", {"name": "from MCP"}, actor="mcp"))
    assert chat._rewarm is not None
    chat._rewarm.cancel()


def test_no_warm_is_scheduled_for_a_backend_without_an_intent_pass(client, app):
    chat = app.state.ctx.chat
    chat._backend = ScriptedBackend(["ok"])
    client.post("/tasks/insert", data={"name": "x"}, headers={"HX-Request": "true"})
    assert chat._rewarm is None
