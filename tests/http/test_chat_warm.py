"""Switching app warms the decision model's prompt prefix in the background (intent.warm)."""

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

    async def generate(self, messages, model, options):
        self.sent.append(list(messages))
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
    assert wait_for(lambda: backend.sent), "the switch did not warm the model"
    system = backend.sent[-1][0]["content"]
    assert "hello." in system and "tasks.add" not in system  # the open app's actions, not the last one's


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
