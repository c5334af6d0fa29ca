"""A message that asks: a change it names is only offered, unless it reads as a request."""

from __future__ import annotations

import json

import pytest

from cardflow.chat import choice
from tests.unit._chat_choice_helpers import (
    Scorer,
    ctx_fixture,  # noqa: F401 - the fixture "ctx"
    decide_with,
    real_model,
    run,
    tick,
)


def test_a_change_for_a_message_that_reads_as_a_question_is_only_offered(ctx):
    # No "?" typed, and the channel score favours the toggle ("paid" fits "mark a task done"), but
    # the model would have ended the message with "?": the toggle is only offered, and its
    # arguments wait until the answer is written (no call yet).
    text = "have I paid for the milk."
    backend = Scorer({"N/A": {}, text: {"question": -2.0, "tasks.toggle": -1.0}})
    backend.ends = {"have I paid for the milk": "?"}
    backend.fits = {"question": -30.0, "tasks.toggle": -20.0}
    decision = decide_with(ctx, backend, text)
    assert backend.bare == ["have I paid for the milk"]  # read without the end mark the user typed
    assert (decision.kind, decision.action, decision.question, decision.offer) == ("action", "tasks.toggle",
                                                                                  True, True)
    assert decision.params == {} and backend.options == []
    # Read as a statement, the change is made, even where the direct reading leans to a question.
    text = "tick off buy milk"
    backend = Scorer({"N/A": {}, text: {"question": -1.0, "tasks.toggle": -1.5}},
                     [json.dumps({"intent": "request", "action": "tasks.toggle", "params": {"item": "buy milk"}})])
    backend.fits = {"question": -30.0, "tasks.toggle": -20.0}
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.offer, decision.params) == ("tasks.toggle", False,
                                                                  {"item": "buy milk", "done": True})
    # Chat and read-only choices are never asked about.
    backend = Scorer({"N/A": {}, "hm": {"tasks.list": 0.0}})
    decide_with(ctx, backend, "hm")
    assert backend.bare == []


def test_a_change_close_behind_an_answer_in_words_is_offered_never_run(ctx):
    # Answering a question wins by half a nat over the toggle: the answer comes first, then the
    # toggle is offered (its arguments are filled after the answer, so none are made here).
    text = "check off buy milk"
    table = {"N/A": {}, text: {"question": -1.0, "tasks.toggle": -1.5, "tasks.move": -1.8, "tasks.list": -1.2}}
    backend = Scorer(table)
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.action, decision.offer, decision.unsure) == ("action", "tasks.toggle", True, True)
    assert decision.runners == ("tasks.move",)  # tried after the answer if the toggle's words fail
    assert decision.params == {} and backend.options == []
    # More than a nat behind: the message is answered in words, nothing offered.
    backend = Scorer({"N/A": {}, text: {"question": -1.0, "tasks.toggle": -2.1}})
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.offer, decision.unsure) == ("chat", False, False)
    # Only a change is offered: a read-only action close behind is not.
    backend = Scorer({"N/A": {}, text: {"chat": -1.0, "tasks.list": -1.1}})
    assert decide_with(ctx, backend, text).kind == "chat"
    # A typed "?" gets the row looked up (assist.py), not an offer.
    asked_text = "check off buy milk?"
    backend = Scorer({"N/A": {}, asked_text: {"question": -1.0, "tasks.toggle": -1.5}})
    assert decide_with(ctx, backend, asked_text).kind == "chat"
    # The scorer failed: chat, and nothing offered.
    assert decide_with(ctx, Scorer({}, fail=True), text).kind == "chat"


@pytest.mark.parametrize("margin, offered", [(0.6, True), (0.99, True), (1.0, False), (2.5, False)])
def test_a_new_name_that_barely_beats_an_answer_in_words_is_offered_never_run(ctx, margin, offered):
    # The other side of the test above: a remark naming a row ("the milk went off") whose rename
    # leads answering in words by less than a nat is answered, and the rename offered (its new
    # name would be a stretch of the remark).
    text = "the milk went off"
    backend = Scorer({"N/A": {}, text: {"question": -1.0, "tasks.update": -1.0 + margin, "tasks.add": -1.8}})
    decision = decide_with(ctx, backend, text)
    assert (decision.offer, decision.unsure) == (offered, offered)
    if offered:
        assert (decision.action, decision.params) == ("tasks.update", {})
        assert decision.runners == ("tasks.add",) and backend.options == []  # nothing filled before the answer
    else:
        assert decision.action == "tasks.update" or decision.unmet == "tasks.update"  # its words were looked for


def test_a_tick_the_reply_reading_weighed_runs_however_narrowly_it_won(ctx):
    text = "Bob called me yesterday"
    calls = [json.dumps({"intent": "request", "action": "tasks.toggle", "params": {"item": "call Bob"}})]
    backend = Scorer({"N/A": {}, text: {"question": -1.0, "tasks.toggle": -0.4}}, calls)
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.offer, decision.params) == ("tasks.toggle", False, {"item": "call Bob", "done": True})


def test_a_delete_that_barely_wins_keeps_its_own_confirm(ctx):
    text = "bin call Bob"
    backend = Scorer({"N/A": {}, text: {"question": -1.0, "tasks.delete": -0.5}})
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.offer, decision.unsure, decision.params) == ("tasks.delete", False, False,
                                                                                   {"item": "call Bob"})


@pytest.mark.parametrize("text", ["has the milk been bought?", "is buy milk done yet ?", "done with the milk?!",
                                  "shall I tick off buy milk? thanks"])
def test_a_message_punctuated_as_a_question_gets_only_an_offer_unless_read_as_a_request(ctx, text):
    # The model's reading prefers the change by far, but the user asked: a click decides.
    backend = Scorer({"N/A": {}, text: {"question": -9.0, "tasks.toggle": -1.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.question, decision.offer) == ("tasks.toggle", True, True)
    assert backend.options == [] and {lead for lead, _ in backend.kinds} == {choice.KIND_LEAD, ""}


@pytest.mark.parametrize("label, reply, runs", [(2.0, 1.0, True), (1.5, -0.4, True), (3.0, -3.5, False),
                                                (-1.0, 0.5, False), (0.6, 0.3, False), (0.0, 0.0, False)])
def test_a_request_typed_as_a_question_is_run_when_both_readings_together_say_so(ctx, label, reply, runs):
    # "would it be ok to tick off buy milk?" asks the assistant to act, though its syntax does not
    # say so (no modal before "you": mood.bids): the log-odds of "a request" over "a question", and
    # of a reply opening "Sure" over "Yes"/"No", are added; beyond the margin it runs.
    text = "would it be ok to tick off buy milk?"
    backend = Scorer({"N/A": {}, text: {"question": -9.0, "tasks.toggle": -1.0}})
    backend.requests = {text: (label, reply)}
    decision = decide_with(ctx, backend, text)
    assert decision.action == "tasks.toggle" and decision.offer is not runs
    assert decision.params == ({"item": "buy milk", "done": True} if runs else {})


@pytest.mark.parametrize("text", ["can you tick off buy milk? thanks", "could u tick off the milk one",
                                  "Please can you tick buy milk?"])
def test_a_request_with_a_modal_before_you_that_names_a_row_runs_without_the_request_reading(ctx, text):
    # English asks the listener to act in a question's form ("can you …"): with a row named, it is
    # a command, read as one (the reply reading is weighed, and the change runs), though the
    # model's reading of it would call it a question.
    backend = Scorer({"N/A": {}, text: {"question": -9.0, "tasks.toggle": -1.0}})
    backend.ends = {choice.ENDING.sub("", text): "?"}
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.offer, decision.params) == ("tasks.toggle", False,
                                                                  {"item": "buy milk", "done": True})
    assert backend.kinds == [] and backend.reply_options  # no request reading; the reply reading was made


@pytest.mark.parametrize("text", ["can you tell me if buy milk is done?", "can you tell me whether I bought the milk",
                                  "what can you do with buy milk?", "can you add tasks by voice?"])
def test_a_question_riding_in_a_request_or_a_request_grounding_nothing_is_only_offered(ctx, text):
    # An embedded question ("if", "whether", a wh-word) is asked, not ordered; and "can you add
    # tasks by voice?" names no row and quotes no name: it may ask what the app can do.
    backend = Scorer({"N/A": {}, text: {"question": -9.0, "tasks.toggle": -1.0, "tasks.add": -1.0}})
    backend.ends = {choice.ENDING.sub("", text): "?"}
    decision = decide_with(ctx, backend, text)
    assert decision.offer is True and decision.params == {}


@pytest.mark.parametrize("text", ["could u put 'oil the gate' on there", "can you stick “oil the gate” on it? ta"])
def test_a_request_quoting_a_new_name_and_naming_no_row_makes_a_row_of_it(ctx, text):
    # The model reads opening an app, or an answer in words; the one change that takes a new name
    # and no row is the add, and the request asks for it.
    add = json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": "oil the gate"}})
    backend = Scorer({"N/A": {}, text: {"home.open_app": -1.0, "chat": -2.0, "tasks.add": -6.0}}, [add])
    backend.ends = {choice.ENDING.sub("", text): "?"}
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.action, decision.offer, decision.params) == ("action", "tasks.add", False,
                                                                                 {"name": "oil the gate"})


@pytest.mark.parametrize("text", ["my neighbour says 'oil the gate' every morning",  # no request
                                  "could u put that on there",  # no new name quoted
                                  "can you put 'water the plants' on top"])  # the quote is a row
def test_a_quoted_name_without_a_request_or_a_request_without_a_new_name_adds_nothing_by_itself(ctx, text):
    backend = Scorer({"N/A": {}, text: {"home.open_app": -1.0, "chat": -0.5, "tasks.add": -6.0}})
    decision = decide_with(ctx, backend, text)
    assert decision.action != "tasks.add"


def test_a_request_is_not_read_for_a_message_that_tells_or_for_an_answer_in_words(ctx):
    backend = Scorer({"N/A": {}, "tick off buy milk": {"tasks.toggle": -1.0},
                      "can you recommend a book?": {"chat": -1.0}})
    assert decide_with(ctx, backend, "tick off buy milk").offer is False
    assert decide_with(ctx, backend, "can you recommend a book?").kind == "chat"
    assert backend.kinds == []  # only a change for a message that asks needs it


@pytest.mark.parametrize("text, asks", [("is it done?", True), ("really??", True), ("(is it done?)", True),
                                        ("add what?ever", False), ("add milk", False), ("ok.", False)])
def test_asked_reads_the_question_mark_that_ends_a_sentence(text, asks):
    assert choice.asked(text) is asks


@pytest.mark.slow
@pytest.mark.model
def test_the_real_model_tells_a_question_typed_without_its_mark_from_a_command():
    backend = real_model()
    system = choice.system_text("Tasks", "task", ["send the invoice", "book flights"])
    for text, asks in [("was the invoice sent", True), ("have the flights been booked yet", True),
                       ("send the invoice", False), ("the flights are booked, tick them off", False)]:
        assert run(choice.reads_as_question(backend, system, text)) is asks, text


@pytest.mark.slow
@pytest.mark.model
def test_the_real_model_tells_a_request_typed_as_a_question_from_a_question():
    backend = real_model()
    system = choice.system_text("Tasks", "task", ["buy milk", "water the garden", "pay the water bill"])
    for text, request in [("could you add water the garden to my tasks?", True), ("can u add get a haircut?", True),
                          ("was the water bill paid?", False), ("is buy milk done yet?", False)]:
        assert run(choice.requests(backend, system, text)) is request, text
        assert run(choice.asks(backend, system, text)) is not request, text


@pytest.mark.slow
@pytest.mark.model
def test_the_real_model_does_what_a_request_in_a_questions_form_asks(ctx):
    # A modal before "you", with a row named or a new name quoted (mood.bids): done, not only offered.
    # On 7ff7fd7 the first was only offered (the request reading called it a question), the second
    # answered in words.
    tick(ctx, "water the plants")
    decision = decide_with(ctx, real_model(), "can you mark the plants one as not done again")
    assert (decision.action, decision.params, decision.offer) == \
        ("tasks.toggle", {"item": "water the plants", "done": False}, False), decision
    decision = decide_with(ctx, real_model(), "can u stick 'book the MOT' on there")
    assert (decision.action, decision.params, decision.offer) == \
        ("tasks.add", {"name": "book the MOT"}, False), decision
