"""The reply that does a change on the row the message names, read as a third score (chat/replies.py)."""

from __future__ import annotations

import pytest

from cardflow.chat import choice, intent, named, replies
from tests.unit._chat_choice_helpers import (
    Scorer,
    ctx_fixture,  # noqa: F401 - the fixture "ctx"
    decide_with,
    real_model,
    run,
)

DONE = "Sure, I will mark task “call Bob” done."


def test_a_change_said_by_its_row_is_read_as_its_own_confirm_line(ctx):
    by = {a.name: a for a in ctx.actions.for_app("tasks")}
    assert replies.sentences(by["tasks.toggle"], "call Bob") == [DONE, "Sure, I will mark task “call Bob” not done."]
    assert replies.sentences(by["tasks.delete"], "call Bob") == ["Sure, I will delete task “call Bob”."]
    # A move's places are words (a number is not read this way); a new name or every row is not said by the row.
    assert replies.sentences(by["tasks.move"], "call Bob")[:2] == ["Sure, I will move task “call Bob” to the top.",
                                                                    "Sure, I will move task “call Bob” to the bottom."]
    assert len(replies.sentences(by["tasks.move"], "call Bob")) == 4
    for name in ("tasks.add", "tasks.update", "tasks.clear", "tasks.list", "tasks.get", "profiles.switch"):
        assert replies.sentences(by[name], "call Bob") == [], name


def test_a_statement_about_a_row_is_taken_as_the_change_its_reply_fits(ctx):
    text = "call Bob is sorted now"
    table = {"N/A": {}, text: {"question": -1.0, "tasks.toggle": -2.5}}
    backend = Scorer(table)
    backend.replied = {text: {DONE: 4.0}}  # far likelier than any plain reply (0): +2 at WEIGHT 0.5
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.action, decision.offer) == ("action", "tasks.toggle", False)
    assert decision.params == {"item": "call Bob", "done": True}
    assert backend.reply_options and DONE in backend.reply_options[0]
    # The same first two readings without it: answered in words, nothing offered or run.
    decision = decide_with(ctx, Scorer(table), text)
    assert (decision.kind, decision.offer) == ("chat", False)


def test_a_remark_a_plain_reply_suits_loses_the_change(ctx):
    text = "Bob called me yesterday"
    table = {"N/A": {}, text: {"question": -1.0, "tasks.toggle": -0.5}}
    backend = Scorer(table)
    backend.replied = {text: {"That's great!": 5.0, DONE: 1.0}}  # 4 below the best plain reply
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.offer) == ("chat", False) and backend.reply_options
    assert decide_with(ctx, Scorer(table), text).action == "tasks.toggle"  # without the reading it would tick


@pytest.mark.parametrize("text", ["is call Bob sorted?", "make me a cake"])
def test_no_reply_is_read_for_a_question_or_a_message_naming_no_row(ctx, text):
    backend = Scorer({"N/A": {}, text: {"question": -1.0}})
    decide_with(ctx, backend, text)
    assert backend.reply_options == []


def test_a_scorer_giving_the_wrong_number_of_scores_changes_nothing(ctx):
    class Short(Scorer):
        async def score(self, messages, lead, options, per_token=False):
            if lead == "" and options != list(choice.REPLIES):
                return [0.0]
            return await super().score(messages, lead, options, per_token)

    text = "call Bob is sorted now"
    decision = decide_with(ctx, Short({"N/A": {}, text: {"tasks.toggle": 0.0}}), text)
    assert (decision.kind, decision.action) == ("chat", "")


@pytest.mark.model
@pytest.mark.parametrize("text, writes", [("check off buy milk", True), ("I finished calling Bob", True),
                                          ("Bob called me yesterday", False), ("milk is so expensive now", False)])
def test_the_real_model_reads_the_reply_on_the_named_row(ctx, text, writes):
    backend = real_model()
    actions = intent.offerable(ctx.actions.for_app("tasks"))
    names = intent.rows(ctx, "tasks", ctx.current_profile_id())
    system = choice.system_text("Tasks", "task", names)
    picked = run(choice.choose(backend, system, text, actions, "tasks", named.Words(named.named_row(text, names, actions))))
    changes = {a.name for a in actions if not a.read_only}
    assert (picked.label == "tasks.toggle") if writes else (picked.label not in changes), picked
