"""A clause that says what something is names no new row; words of the app's phrasing that only
describe can name the rows that share them (chat/clauses.py, spans.py, grounding.py, named.py)."""

from __future__ import annotations

import json
import re

import pytest

from cardflow.chat import clauses, intent, named, spans
from cardflow.chat.grounding import reference
from cardflow.errors import Problem
from tests.unit._chat_choice_helpers import Scorer, ctx_fixture, decide_with, run  # noqa: F401


def described(text):
    tokens = re.findall(r"\S+", text)
    return [tokens[k] for k in sorted(clauses.descriptions(text))]


@pytest.mark.parametrize(("text", "words"), [
    ("thanks, that's really helpful!", ["that's", "really", "helpful!"]),
    ("put 'fix the gate' on my list, it's driving me mad", ["it's", "driving", "me", "mad"]),
    ("buy milk and we're out of bread", ["and", "we're", "out", "of", "bread"]),
    ("there is a leak in the shed", ["there", "is", "a", "leak", "in", "the", "shed"]),
    ("you're a star", ["you're", "a", "star"]),
    ("fix the tap that's dripping", []),  # "that" inside a clause, not its subject
    ("it was a long week; add call the vet", ["it", "was", "a", "long", "week;"]),
    ("add call the vet", []),
    ("we're nearly out - can u add that", ["we're", "nearly", "out", "-"]),  # a dash standing alone ends it
    ("I need to buy milk", []),  # a need, not a description: "need" is no form of "be"
])
def test_the_clauses_that_say_what_something_is(text, words):
    assert described(text) == words


def test_no_new_name_is_taken_from_a_clause_that_describes_unless_quoted():
    assert spans.candidates("thanks, that's really helpful!") == []
    found = spans.candidates("add chase the deposit, it's two weeks late")
    assert "chase the deposit" in found and not any("late" in c or "weeks" in c for c in found)
    assert "it's done" in spans.candidates("add 'it's done' as a task")  # quoted: the user's own name


def test_a_remark_the_model_read_as_an_add_adds_nothing(ctx):
    text = "thanks, that's really helpful!"
    backend = Scorer({"N/A": {}, text: {"tasks.add": -1.0, "chat": -4.0, "question": -4.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add",
                                  "params": {"name": "that's really helpful"}})])
    decision = decide_with(ctx, backend, text)
    assert decision.kind == "chat" and not decision.params
    names = [t.name for t in ctx.registry.by_name("tasks").items(ctx.current_profile_id())]
    assert names == ["buy milk", "call Bob", "water the plants"]


def test_an_add_with_a_reason_that_describes_keeps_its_name(ctx):
    text = "add chase the deposit, it's two weeks late"
    backend = Scorer({"N/A": {}, text: {"tasks.add": -1.0, "chat": -4.0, "question": -4.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": "chase the deposit"}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.add", {"name": "chase the deposit"})


def offered(ctx):
    return intent.offerable(ctx.actions.for_app("tasks"))


def test_the_words_of_the_apps_phrasing_that_only_describe(ctx):
    loose = named.loose_words(offered(ctx))
    assert "order" in loose  # "List the tasks, in order; …": a detail, not what the action does
    # What an action does, a value of a parameter, a function word: none of them.
    assert not {"add", "rename", "delete", "move", "mark", "task", "tasks", "top", "bottom", "done", "the"} & loose


ORDERS = ["Order the cake", "Order the balloons", "Book the bouncy castle"]


def test_rows_sharing_such_a_word_are_named_by_it_together(ctx):
    acts = offered(ctx)
    glue, loose = named.app_phrasing(acts), named.loose_words(acts)
    assert reference("", ORDERS, "tick off the order", glue) is None  # without it: the app's word names nothing
    assert reference("", ORDERS, "tick off the order", glue, loose) == "Order the"
    assert reference("", ORDERS, "delete the order one", glue, loose) == "Order the"
    # One row is not named by such a word alone, and a row named by its own words still is.
    assert reference("", ["Order the cake", "Book the bouncy castle"], "tick off the order", glue, loose) is None
    assert reference("", ORDERS, "tick off the cake order", glue, loose) == "Order the cake"
    # What an action does names no rows, shared or not.
    assert reference("", ["Add oil to the car", "Add salt"], "add milk", glue, loose) is None


def use_rows(ctx, rows):
    tasks, pid = ctx.registry.by_name("tasks"), ctx.current_profile_id()
    ctx.db.conn.execute("DELETE FROM task WHERE profile_id = ?", (pid,))
    for name in rows:
        tasks.insert_item(pid, {"name": name})
    return tasks, pid


def test_a_tick_of_rows_sharing_such_a_word_asks_which_one(ctx):
    tasks, pid = use_rows(ctx, ORDERS)
    text = "tick off the order"
    backend = Scorer({"N/A": {}, text: {"tasks.toggle": -1.0, "chat": -4.0, "question": -4.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params.get("item"), decision.offer) == ("tasks.toggle", "Order the", False)
    with pytest.raises(Problem) as asked:
        run(ctx.actions.run(decision.action, decision.params, actor="assistant", profile_id=pid))
    assert asked.value.status == 409 and "Say which one" in asked.value.message
    assert not any(t.done for t in tasks.items(pid))
