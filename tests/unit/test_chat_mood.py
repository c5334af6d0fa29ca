"""Whether a message's syntax lets it be a question typed without its "?" (chat/mood.py)."""

from __future__ import annotations

import pytest

from cardflow.chat import choice, mood
from tests.unit._chat_choice_helpers import Scorer, run


@pytest.mark.parametrize("text", [
    "have I fed the fish", "is feed the fish done", "whats left", "which one is first",
    "did Aunt Jo get a card", "ok so can you tell me if the fish are fed", "btw did I pay the gardener",
    "the gutters, have they been cleaned", "how's the fence coming along",
])
def test_a_wh_word_or_an_auxiliary_before_its_subject_may_ask(text):
    assert mood.may_ask(text)


@pytest.mark.parametrize("text", [
    "untick the gutters, the rain undid it", "finished the fence one 🎉", "shove the fence up to first",
    "gutters: cleaned ✅", "bin the fish one", "the fence can go last", "I fed the fish",
])
def test_a_message_without_either_is_no_question(text):
    assert not mood.may_ask(text)


def test_the_model_is_not_asked_how_a_message_that_cannot_be_a_question_ends():
    backend = Scorer({})
    backend.ends = {"untick the gutters, the rain undid it": "?", "have I fed the fish": "?"}
    system = choice.system_text("Tasks", "task", ["clean the gutters", "feed the fish"])
    assert run(choice.reads_as_question(backend, system, "untick the gutters, the rain undid it")) is False
    assert backend.bare == []  # its syntax rules it out: no model call
    assert run(choice.reads_as_question(backend, system, "have I fed the fish")) is True
    assert backend.bare == ["have I fed the fish"]


@pytest.mark.parametrize("text", [
    "can you put the gutters one back to not done", "could u call the fish one 'feed the fish and the cat'",
    "Please can you add “oil the gate”? ta", "the fence fell down again, would you untick it",
])
def test_a_modal_before_you_asks_the_listener_to_act(text):
    assert mood.bids(text)


@pytest.mark.parametrize("text", [
    "can you tell me if the fish are fed?", "could you check whether I paid the gardener",
    "what can you do", "which one can you move", "can the fence go last", "can I untick it myself?",
    "is feed the fish done", "untick the gutters",
])
def test_a_question_riding_in_a_request_or_no_modal_before_you_is_no_bid(text):
    assert not mood.bids(text)
