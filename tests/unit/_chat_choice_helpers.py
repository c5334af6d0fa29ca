"""What the choice tests share: a Tasks profile with three rows, a table-driven scorer, the real model."""

from __future__ import annotations

import asyncio
import json

import pytest

from cardflow.chat import choice, flags
from cardflow.chat.backends import BackendError, ScriptedBackend
from cardflow.chat.intent import decide
from tests.needs_model import require_model


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(name="ctx")
def ctx_fixture(app):  # imported as `ctx_fixture`: ruff would read a test's `ctx` as a redefinition
    ctx = app.state.ctx
    tasks, pid = ctx.registry.by_name("tasks"), ctx.current_profile_id()
    ctx.db.conn.execute("DELETE FROM task WHERE profile_id = ?", (pid,))
    for name in ("buy milk", "call Bob", "water the plants"):
        tasks.insert_item(pid, {"name": name})
    choice._baselines.clear()
    return ctx


class Scorer(ScriptedBackend):
    """Scores sentences from a table: {message: {label: log-probability}}; unknown labels get -10.

    The "N/A" row is the prior every message is calibrated against.
    """

    supports_scoring = True

    def __init__(self, table, replies=("{}",), fail=False):
        super().__init__(list(replies))
        self.table, self.fail = table, fail
        self.scored: list[str] = []
        self.expected: list[list[str]] = []
        self.options: list[dict] = []
        self.bare: list[str] = []
        self.kinds: list[tuple[str, str]] = []
        self.reply_options: list[list[str]] = []

    async def score(self, messages, lead, options, per_token=False):
        if self.fail:
            raise BackendError("the model is gone")
        if lead.startswith('{"intent"'):  # spans.py: the value the canned reply wrote scores best
            params = json.loads(self.replies[-1]).get("params", {})
            said = [json.dumps(v)[1:] if isinstance(v, str) else json.dumps(v) for v in params.values()]
            return [0.0 if any(o.startswith(s) for s in said) else -10.0 for o in options]
        said = messages[-1]["content"]
        if lead == "" and options != list(choice.REPLIES):  # replies.py: ``self.replied`` {message: {reply: score}}
            self.reply_options.append(options)
            return [getattr(self, "replied", {}).get(said, {}).get(o, 0.0) for o in options]
        if lead in (choice.KIND_LEAD, ""):  # choice.requests: ``self.requests`` {message: (label, reply) log-odds}
            label, reply = getattr(self, "requests", {}).get(said, (-2.0, -2.0))  # else a question
            self.kinds.append((lead, said))
            return [label, 0.0] if lead else [reply, -1.0, 0.0]
        self.scored.append(said)
        labels = {" " + sentence: label for label, sentence in self.sentences}
        return [self.table.get(said, {}).get(labels[o], -10.0) for o in options]

    async def score_turns(self, contexts, text):
        """The message's fit after each expectation: ``self.fits`` ({label: score}, -50 for the others), else 0."""
        if self.fail:
            raise BackendError("the model is gone")
        self.expected.append([c[-1]["content"] for c in contexts])
        if any(", marking it " in c[-1]["content"] for c in contexts):  # flags.py: ``self.states`` (set, clear)
            return list(getattr(self, "states", {}).get(text, (0.0, 0.0))) * len(flags.PAIRS)  # for each pair
        fits = getattr(self, "fits", {})
        return [next((fits[label] for label, sentence in self.sentences
                      if label in fits and f"{choice.ASKED} {sentence[:-1]}" in c[-1]["content"]),
                     -50.0 if fits else 0.0)
                for c in contexts]

    async def score_turn_end(self, messages, text, endings):
        """The user's message read without its end marks: ``self.ends`` says which ending is likeliest ("." unless told)."""
        self.bare.append(text)
        likeliest = getattr(self, "ends", {}).get(text, ".")
        return [0.0 if ending == likeliest else -3.0 for ending in endings]

    def stream(self, messages, *, model=None, options=None):
        self.options.append(options or {})
        return super().stream(messages, model=model, options=options)


def real_model():
    """The embedded model itself (tests marked ``model``): skipped, or failed in CI, when it is not built."""
    from cardflow.chat.backends import EmbeddedBackend

    require_model()
    return EmbeddedBackend(idle_timeout=300)


def tick(ctx, name):
    """Mark the current profile's row ``name`` done, as the page's checkbox does."""
    tasks, pid = ctx.registry.by_name("tasks"), ctx.current_profile_id()
    tasks.toggle_item(next(r for r in tasks.items(pid) if r.name == name).id, pid)


def decide_with(ctx, backend, text):
    offered = ctx.actions.for_app("tasks")
    backend.sentences = choice.options([a for a in offered if a.name != "tasks.reorder"])
    return run(decide(ctx, backend, text, offered, app_name="tasks", profile_id=ctx.current_profile_id(),
                      model=None))
