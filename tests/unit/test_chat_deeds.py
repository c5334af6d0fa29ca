"""A message reporting the deed a row names as done (chat/deeds.py), and the choice it makes."""

from __future__ import annotations

import pytest

from cardflow.chat import deeds
from tests.unit._chat_choice_helpers import (
    Scorer,
    ctx_fixture,  # noqa: F401 - the fixture "ctx"
    decide_with,
    real_model,
    tick,
)


@pytest.mark.parametrize("verb, forms", [
    ("call", {"called"}), ("bake", {"baked"}), ("tidy", {"tidied"}), ("mop", {"mopped", "moped"}),
    ("cancel", {"cancelled", "canceled"}), ("pay", {"paid"}), ("write", {"wrote", "written"}),
    ("sweep", {"swept"}), ("put", set()), ("read", set()), ("3", set()),
])
def test_a_verbs_past_is_made_by_spelling_or_is_irregular(verb, forms):
    assert set(deeds.past(verb)) == forms


@pytest.mark.parametrize("text, row, reported", [
    # The user did it, and what it was done to follows.
    ("I mopped the hallway floor", "mop the hallway", True),
    ("swept the patio this morning", "sweep the patio", True),
    ("Finally wrote the thank-you notes!", "write thank-you notes", True),
    # It is said to have been done: the verb after a form of "be", adverbs between.
    ("the gutters are cleaned", "clean the gutters", True),
    ("hallway's mopped 🎉", "mop the hallway", True),
    ("the patio has been swept, tick it", "sweep the patio", True),
    ("the gutters are finally cleaned", "clean the gutters", True),
    # "Done", for any deed, when said of it at the end of its clause.
    ("the gutters are done now", "clean the gutters", True),
    ("the hallway's not done yet", "mop the hallway", False),
    ("Jo is done with her exams", "call Jo", None),
    ("I'm done, the gutters are full", "clean the gutters", None),
    # Said not to be done.
    ("I haven't cleaned the gutters yet", "clean the gutters", False),
    ("the gutters never got cleaned", "clean the gutters", False),
    ("the patio isn't actually swept, the wind undid it", "sweep the patio", False),
    ("I didn't mop the hallway after all", "mop the hallway", False),
    # What the row names did it: no report.
    ("Aunt Jo called me about Sunday", "call Aunt Jo", None),
    ("Aunt Jo's called me twice today", "call Aunt Jo", None),  # "'s" is "has" here
    ("Aunt Jo's been called, finally", "call Aunt Jo", True),
    # The row's words without its verb in the past, or an imperative whose past is the same word.
    ("the gutters are full of leaves", "clean the gutters", None),
    ("clean the gutters", "clean the gutters", None),
    ("read chapter 9", "read chapter 9", None),
    # A question, "?" typed or not: the verb comes before its subject.
    ("has the patio been swept", "sweep the patio", None),
    ("have I mopped the hallway yet", "mop the hallway", None),
    ("Was the hallway mopped?", "mop the hallway", None),
    ("isn't the patio swept yet", "sweep the patio", None),
    # "Done" after nothing but the row's words, its "be" left out as in a headline.
    ("gutters done ✅", "clean the gutters", True),
    ("the hallway not done yet", "mop the hallway", False),
    ("Jo done", "call Jo", True),
    ("all done", "clean the gutters", None),
    ("done with the gutters", "clean the gutters", None),
    ("the big gutters done", "clean the gutters", None),  # a word the row does not have
    # "Finished" and "completed" stand for the row's verb, as "done" does.
    ("finished the hallway one, looks great", "mop the hallway", True),
    ("the thank-you notes are completed", "write thank-you notes", True),
    ("haven't finished the gutters yet", "clean the gutters", False),
    ("finished chapter 9 last night", "read chapter 9", True),
    ("Jo finished her exams", "call Jo", None),
    # A compound written open or hyphenated is the row's closed one.
    ("finally fixed the door bell", "fix the doorbell", True),
    ("door-bell done", "fix the doorbell", True),
    # A verb alone names nothing it was done to.
    ("I called", "call", None),
    # In another clause, what it was done to does not follow it.
    ("it rained so I cancelled, the picnic is off", "cancel the picnic", None),
    ("Jo cancelled, sadly", "cancel the picnic", None),
    # Its past mistyped is still its past; the verb itself, or cut short, is a command.
    ("finsihed the hallway one!!", "mop the hallway", True),
    ("cleand the gutters at last", "clean the gutters", True),
    ("complete the gutters task", "clean the gutters", None),
    ("finish the hallway one", "mop the hallway", None),
    # "Done" with what was done after it: the user's own doing, with "have" or opening the clause.
    ("I've done gran's card", "send Gran's birthday card", True),
    ("just done the hallway!", "mop the hallway", True),
    ("done the gutters ✅", "clean the gutters", True),
    ("I haven't done the gutters yet", "clean the gutters", False),
    ("have you done the gutters", "clean the gutters", None),  # asked
    ("I've done nothing but clean all day", "clean the gutters", None),  # not the row's own words after it
    ("Jo's done with the hallway", "mop the hallway", None),  # finished with, not done
])
def test_a_report_is_the_rows_verb_in_the_past_done_to_what_it_names(text, row, reported):
    assert deeds.report(text, row) is reported


def test_only_an_app_whose_rows_are_deeds_records_one(ctx):
    by = {a.name: a for a in ctx.actions.all()}
    assert by["tasks.toggle"].deed_flag == "done"
    # A profile's "active" is no deed: "I worked all day" must not activate the profile "Work".
    assert by["profiles.toggle"].deed_flag == ""
    assert [a.name for a in by.values() if a.deed_flag] == ["tasks.toggle"]


def test_a_deed_reported_done_is_recorded_though_the_model_would_answer_in_words(ctx):
    text = "watered the plants before work"
    table = {"N/A": {}, text: {"question": 0.0, "chat": -0.5, "tasks.toggle": -3.0}}
    decision = decide_with(ctx, Scorer(table), text)
    assert (decision.kind, decision.action, decision.offer) == ("action", "tasks.toggle", False)
    assert decision.params == {"item": "water the plants", "done": True}


@pytest.mark.parametrize("text, ends", [
    ("have I watered the plants?", "."),  # typed as a question
    ("have I watered the plants", "?"),  # read as one: "?" is the likeliest end
])
def test_a_question_about_the_deed_records_nothing(ctx, text, ends):
    backend = Scorer({"N/A": {}, text: {"question": 0.0, "tasks.toggle": -3.0}})
    backend.ends = {text: ends}
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.offer) == ("chat", False)


def test_a_deed_reported_not_done_unticks_a_row_marked_done_and_leaves_one_not_done_alone(ctx):
    text = "I haven't actually watered the plants"
    table = {"N/A": {}, text: {"question": 0.0, "tasks.toggle": -3.0}}
    assert decide_with(ctx, Scorer(table), text).kind == "chat"  # not done: a remark
    tick(ctx, "water the plants")
    backend = Scorer(table)
    backend.states = {text: (-2.0, 2.0)}  # both readings say "not done"
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.toggle", {"item": "water the plants", "done": False})


def test_a_reported_deed_says_the_toggles_value_whatever_the_model_reads(ctx):
    tick(ctx, "water the plants")
    text = "oops, the plants aren't actually watered yet"
    backend = Scorer({"N/A": {}, text: {"question": -3.0, "tasks.toggle": 0.0}})
    backend.states = {text: (2.0, -2.0)}  # the model's two readings both say "done"
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.toggle", {"item": "water the plants", "done": False})


@pytest.mark.parametrize("done, states, ticked", [
    (True, (-3.0, 3.0), False),  # marked done, read plainly as not done: unticked
    (True, (-1.0, 1.0), None),  # read as not done, but not plainly: answered in words
    (False, (3.0, -3.0), None),  # not done, read plainly as done: only words and the row's own verb tick it
    (True, (3.0, -3.0), None),  # read as what it already is: nothing to change
])
def test_a_done_row_said_plainly_not_done_is_unticked_though_the_model_would_answer_in_words(ctx, done, states, ticked):
    # No verb of the row's own is said, so deeds.report reads nothing; the flag's reading decides.
    text = "the plants want more of that, they drooped again"
    if done:
        tick(ctx, "water the plants")
    backend = Scorer({"N/A": {}, text: {"question": 0.0, "tasks.toggle": -3.0}})
    backend.states = {text: states}
    decision = decide_with(ctx, backend, text)
    if ticked is None:
        assert decision.kind == "chat", decision
    else:
        assert (decision.action, decision.params, decision.offer) == \
            ("tasks.toggle", {"item": "water the plants", "done": ticked}, False)


def test_a_state_said_plainly_in_a_question_records_nothing(ctx):
    text = "have the plants drooped again"
    backend = Scorer({"N/A": {}, text: {"question": 0.0, "tasks.toggle": -3.0}})
    backend.states, backend.ends = {text: (3.0, -3.0)}, {text: "?"}
    assert decide_with(ctx, backend, text).kind == "chat"


def test_a_change_the_model_chose_stands(ctx):
    text = "called Bob, he moved, take it off the list"
    table = {"N/A": {}, text: {"question": -1.0, "tasks.delete": 0.0, "tasks.toggle": -3.0}}
    decision = decide_with(ctx, Scorer(table), text)
    assert (decision.action, decision.params) == ("tasks.delete", {"item": "call Bob"})


@pytest.mark.model
@pytest.mark.parametrize("text, ticked", [
    ("watered the plants after lunch", True),
    ("the plants are watered 🌱", True),
    ("have I watered the plants", False),  # a question typed without its "?": the model reads it as one
    ("Bob called me about the plants", False),
])
def test_the_real_model_records_a_deed_reported_done_and_nothing_for_a_question(ctx, text, ticked):
    decision = decide_with(ctx, real_model(), text)
    if ticked:
        assert (decision.action, decision.params, decision.offer) == \
            ("tasks.toggle", {"item": "water the plants", "done": True}, False), decision
    else:
        assert decision.kind == "chat" or decision.offer or decision.action != "tasks.toggle", decision


@pytest.mark.model
def test_the_real_model_unticks_a_deed_reported_not_done(ctx):
    tick(ctx, "water the plants")
    decision = decide_with(ctx, real_model(), "the plants aren't watered after all, the hose was broken")
    assert (decision.action, decision.params, decision.offer) == \
        ("tasks.toggle", {"item": "water the plants", "done": False}, False), decision


@pytest.mark.model
def test_the_real_model_unticks_a_row_whose_state_is_said_plainly_in_other_words(ctx):
    tick(ctx, "water the plants")
    decision = decide_with(ctx, real_model(), "the plants are still bone dry, untick it")
    assert (decision.action, decision.params, decision.offer) == \
        ("tasks.toggle", {"item": "water the plants", "done": False}, False), decision


@pytest.mark.model
def test_the_real_model_renames_a_row_to_a_quoted_new_version_of_it(ctx):
    decision = decide_with(ctx, real_model(), 'make the Bob one "call Bob about the barbecue"')
    assert (decision.action, decision.params, decision.offer) == \
        ("tasks.update", {"item": "call Bob", "name": "call Bob about the barbecue"}, False), decision
