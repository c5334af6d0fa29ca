"""A message that opens with the verb of the app's action that makes a row asks for that row (named.opened)."""

from __future__ import annotations

import json

import pytest

from cardflow.chat import intent, named
from tests.unit._chat_choice_helpers import (
    Scorer,
    ctx_fixture,  # noqa: F401 - the fixture "ctx"
    decide_with,
)

ROWS = ["buy milk", "call Bob", "water the plants"]


def words_of(ctx, text):
    offered = intent.offerable(ctx.actions.for_app("tasks"))
    return named.read(ctx, text, ROWS, offered, offered, app_name="tasks", profile_id=ctx.current_profile_id())


@pytest.mark.parametrize(("text", "name", "read"), [
    ("pls add defrost the chest freezer", "defrost the chest freezer", "chat"),
    ("could you add repot the fern?", "repot the fern", "tasks.list"),  # asked as a request, run as one
    ("add sign the permission slip thanks", "sign the permission slip", "tasks.get"),
])
def test_a_message_opening_with_the_apps_verb_for_a_new_row_adds_it_whatever_the_model_read(ctx, text, name, read):
    backend = Scorer({"N/A": {}, text: {read: -1.0, "tasks.add": -5.0, "chat": -3.0, "question": -3.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": name}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params, decision.offer) == ("tasks.add", {"name": name}, False)


@pytest.mark.parametrize("text", [
    "can you add tasks with due dates?",  # what the app can do: the verb is followed by its own words
    "can you add a reminder?",
    "add water the plants",  # a row: the words name it, nothing new is made
    "should I add the dentist?",  # opens with a question's auxiliary, not the verb
    "adding up the bills takes ages",  # another word
    "add it to my list",  # nothing of its own
    "move it to the top and add nothing else",  # the verb is not the first word
])
def test_words_that_do_not_open_with_the_verb_for_a_new_row_leave_the_choice(ctx, text):
    assert not words_of(ctx, text).opened


def test_a_request_in_question_form_that_opens_with_the_verb_is_a_bid(ctx):
    assert words_of(ctx, "could u add repot the fern?").bid
    assert not words_of(ctx, "can you add tasks with due dates?").bid
