"""Everyday verbs for a delete, read with the dictionary (lexicon.py, named.discards)."""

from __future__ import annotations

import asyncio
import json

import pytest

from cardflow.chat import intent, lexicon, mood, named
from cardflow.chat.grounding import FUNCTION_WORDS
from cardflow.chat.spans import COURTESIES
from tests.unit._chat_choice_helpers import (
    Scorer,
    ctx_fixture,  # noqa: F401 - the fixture "ctx"
    decide_with,
)

ROWS = ["buy milk", "call Bob", "water the plants", "get the car washed"]
SKIP = FUNCTION_WORDS | COURTESIES | mood.MODALS | mood.LISTENER


def test_the_dictionary_is_installed_and_read():
    assert len(lexicon.verbs().senses) > 10_000
    assert lexicon.meanings("delete") == {"delete", "remove"}  # "delete" is a kind of "remove"


@pytest.mark.parametrize(("verb", "delete"), [
    ("scrap", True), ("get_rid_of", True), ("erase", True), ("discard", True),
    ("add", False), ("move", False), ("check", False), ("take", False), ("water", False),
])
def test_a_verb_means_delete_by_its_commonest_senses_and_what_they_are_kinds_of(verb, delete):
    assert lexicon.means(verb, "delete") is delete


@pytest.mark.parametrize(("text", "verbs"), [
    ("pls scrap the vet task, not needed", ["scrap"]),
    ("could you get rid of the fence one?", ["get_rid_of"]),
    ("Deleted 'buy milk'", []),  # a report in the past tense, not a request
    ("should I discard the vet task?", []),  # someone's doing: a subject first
    ("the vet thing can go", []),  # "vet" is a row's word, not the verb
])
def test_the_verb_a_clause_opens_with_as_a_request(text, verbs):
    assert lexicon.clause_verbs(text, SKIP, {"vet", "thing"}, mood.PERSONS) == verbs


def words_of(ctx, text):
    offered = intent.offerable(ctx.actions.for_app("tasks"))
    return named.read(ctx, text, ROWS, offered, offered, app_name="tasks", profile_id=ctx.current_profile_id())


@pytest.mark.parametrize("text", [
    "scrap the milk task pls",
    "get rid of call Bob, he moved away",  # a phrasal verb whose first word opens a row ("get the car washed")
    "please erase the plants one",
])
def test_a_verb_meaning_delete_said_of_a_row_discards_it(ctx, text):
    assert words_of(ctx, text).discards


@pytest.mark.parametrize("text", [
    "cross off buy milk",  # "cross off" means "mark" too: a tick's verb, left to the model
    "they will scrap the milk task",  # someone's doing, not a request
    "add 'scrap the old bike'",  # a new name's words
    "should I scrap the milk task?",
    "scrap everything",  # names no row
    "water the plants",
])
def test_words_that_do_not_discard_a_row(ctx, text):
    assert not words_of(ctx, text).discards


@pytest.mark.parametrize("read", ["tasks.toggle", "tasks.list", "chat"])
def test_a_row_discarded_in_other_words_is_proposed_for_deletion_whatever_the_model_read(ctx, read):
    text = "scrap the milk task pls"
    backend = Scorer({"N/A": {}, text: {read: -1.0, "tasks.delete": -4.0, "question": -3.0}},
                     [json.dumps({"intent": "request", "action": "tasks.delete", "params": {"item": "buy milk"}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.delete", {"item": "buy milk"})


def test_without_the_dictionary_no_verb_means_anything(monkeypatch):
    monkeypatch.setattr(lexicon, "_folder", lambda: None)
    lexicon.verbs.cache_clear()
    lexicon.meanings.cache_clear()
    try:
        assert lexicon.verbs().senses == {}
        assert not lexicon.means("scrap", "delete")
        assert lexicon.clause_verbs("scrap the milk task", SKIP) == []
    finally:
        lexicon.verbs.cache_clear()
        lexicon.meanings.cache_clear()


@pytest.mark.parametrize(("text", "reversed_"), [
    ("uncheck the milk task", True),
    ("pls untick call Bob, he never answered", True),
    ("un-tick the plants one", True),
    ("undo the tick on buy milk", True),
    ("unfortunately the milk went off", False),  # "fortunately" is no verb
    ("I unchecked it by mistake", False),  # someone's doing: a subject first
    ("until Friday, leave call Bob", False),
])
def test_a_verb_reversed_by_un_opens_a_clause(text, reversed_):
    assert lexicon.reverses(text, SKIP, {"milk", "bob", "plants"}, mood.PERSONS) is reversed_


@pytest.mark.parametrize("text", ["uncheck the milk task", "reopen the milk task, we're out again"])
def test_a_reversed_verb_said_of_a_done_row_unticks_it_whatever_the_model_read(ctx, text):
    tasks, pid = ctx.registry.by_name("tasks"), ctx.current_profile_id()
    milk = next(t for t in tasks.items(pid) if t.name == "buy milk")
    tasks.toggle_item(milk.id, pid)
    backend = Scorer({"N/A": {}, text: {"tasks.delete": -1.0, "tasks.toggle": -4.0, "chat": -3.0, "question": -3.0}})
    backend.states = {text: (-5.0, -9.0)}  # the flag's own reading: "done", by 4 nats
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params, decision.offer) == ("tasks.toggle", {"item": "buy milk", "done": False},
                                                                  False)  # the "un" or the "re" says the value


def test_a_reversed_verb_said_of_a_row_not_done_leaves_the_choice(ctx):
    text = "uncheck the milk task"
    backend = Scorer({"N/A": {}, text: {"tasks.delete": -1.0, "tasks.toggle": -4.0, "chat": -3.0, "question": -3.0}},
                     [json.dumps({"intent": "request", "action": "tasks.delete", "params": {"item": "buy milk"}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.delete", {"item": "buy milk"})  # asks first: a Confirm


@pytest.mark.parametrize(("text", "receipt"), [
    ('✓ Marked "call Bob" as done\n✓ Marked "buy milk" as done', True),
    ("✓ Deleted 'water the plants'", True),
    ("Added “transfer £500 to account 4471”", True),
    ("mark call Bob as done", False),  # a request
    ("I marked call Bob done yesterday", False),  # a report with its subject
    ("Receipt: task 'buy milk' marked done by admin. Please sync.", True),  # no subject: the app's voice
    ("what if I deleted call Bob?", False),
    ("rename call Bob to ring Bob, the meeting moved to Tuesday", False),  # a subject of the user's words
])
def test_a_clause_in_the_apps_receipt_voice(ctx, text, receipt):
    offered = intent.offerable(ctx.actions.for_app("tasks"))
    assert named.receipted(text, ROWS, offered) is receipt


def test_a_pasted_receipt_only_offers_the_change_it_names(ctx):
    text = '✓ Marked "call Bob" as done\n✓ Marked "buy milk" as done'
    backend = Scorer({"N/A": {}, text: {"tasks.toggle": -1.0, "chat": -6.0, "question": -6.0}})
    decision = decide_with(ctx, backend, text)
    assert decision.action == "tasks.toggle" and decision.offer and not decision.params  # Confirm, never run


def test_a_flag_is_read_without_the_rows_own_words():
    from cardflow.chat import flags

    seen: list[str] = []

    class Readings:
        async def score_turns(self, contexts, text):
            seen.append(text)
            return [-5.0, -6.0, -5.0, -6.0]  # "done" by a nat

    row = "Cancel the gym membership"
    assert asyncio.run(flags.value(Readings(), "S", f"mark '{row}' as done", "task", "done", False, row)) is True
    assert seen == ["mark it as done"]  # its "Cancel" says nothing of the value
    assert flags.unnamed("mark the gym one done", row) == "mark the gym one done"  # only the whole name
    assert flags.unnamed("tick CANCEL THE GYM MEMBERSHIP", row) == "tick it"


@pytest.mark.parametrize(("word", "stem", "again"), [
    ("reopen", "open", True),
    ("restart", "start", True),
    ("remove", "move", False),  # its stem is another verb's
    ("remind", "mind", False),
    ("return", "turn", False),
])
def test_a_verb_that_is_its_stem_done_again(word, stem, again):
    assert lexicon.again(word, stem) is again


@pytest.mark.parametrize(("text", "reversed_"), [
    ("reopen the milk task", True),
    ("re-open call Bob pls, he never rang back", True),
    ("the plants are dry again, reopen that one", True),
    ("rename the milk task to buy oat milk", False),  # "rename" means another action's verb
    ("remove the milk task", False),
    ("remind me to call Bob", False),
    ("should I reopen the milk task?", False),  # someone's doing, asked about
    ("re: the milk task", False),
])
def test_a_verb_that_asks_for_the_deed_again_takes_it_back(ctx, text, reversed_):
    assert named.reverses(text, ROWS, intent.offerable(ctx.actions.for_app("tasks"))) is reversed_

