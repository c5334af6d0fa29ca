"""The chosen call's arguments: generated under a grammar, grounded in the user's words, or read."""

from __future__ import annotations

import json

import pytest

from cardflow.chat import choice, flags
from cardflow.chat.backends import BackendError
from tests.unit._chat_choice_helpers import (
    Scorer,
    ctx_fixture,  # noqa: F401 - the fixture "ctx"
    decide_with,
    real_model,
    run,
)


def test_the_arguments_call_offers_only_the_chosen_action_and_requires_what_it_sets(ctx):
    table = {"N/A": {}, "rename call Bob to call Alice": {"tasks.update": 0.0}}
    backend = Scorer(table, [json.dumps({"intent": "request", "action": "tasks.update",
                                         "params": {"item": "call Bob", "name": "call Alice"}})])
    decide_with(ctx, backend, "rename call Bob to call Alice")
    schema = backend.options[-1]["json_schema"]
    assert len(schema["anyOf"]) == 1  # no chat, no question: the choice is made
    only = schema["anyOf"][0]["properties"]
    assert only["action"]["enum"] == ["tasks.update"]
    assert only["params"]["required"] == ["item", "name"]  # a rename must say the new name
    assert "done" not in only["params"]["properties"]  # no stray extras


def test_words_the_user_never_said_refuse_the_chosen_call(ctx):
    # The choice says delete, but the message names no row: nothing is deleted.
    backend = Scorer({"N/A": {}, "delete everything": {"tasks.delete": 0.0}},
                     [json.dumps({"intent": "request", "action": "tasks.delete", "params": {"item": "buy milk"}})])
    decision = decide_with(ctx, backend, "delete everything")
    assert (decision.kind, decision.unmet) == ("chat", "tasks.delete")  # the app will say nothing changed


def test_an_sql_looking_name_is_stored_literally(ctx):
    text = "add a task called <script>x</script>'; DROP TABLE task;--"
    backend = Scorer({"N/A": {}, text: {"tasks.add": 0.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add",
                                  "params": {"name": "<script>x</script>'; DROP TABLE task;--"}})])
    decision = decide_with(ctx, backend, text)
    assert decision.params == {"name": "<script>x</script>'; DROP TABLE task;--"}


def test_a_call_that_needs_only_a_row_is_not_generated(ctx):
    # A delete is only its row, the one the words name: no generation at all.
    backend = Scorer({"N/A": {}, "scrap call Bob": {"tasks.delete": 0.0}})
    decision = decide_with(ctx, backend, "scrap call Bob")
    assert (decision.action, decision.params, backend.options) == ("tasks.delete", {"item": "call Bob"}, [])
    assert decision.messages[-1] == {"role": "user", "content": "scrap call Bob"}  # what the model was shown
    # Naming no row: nothing to act on, so it is chat.
    backend = Scorer({"N/A": {}, "scrap the boat": {"tasks.delete": 0.0}})
    assert decide_with(ctx, backend, "scrap the boat").kind == "chat"
    # A toggle is its row and its on/off value (flags.py): not generated either. The mean margin of
    # two readings decides, except that a row not done is ticked unless "not" is over 1 nat likelier.
    # (The message reports no deed: one that does says the value itself, test_chat_deeds.py.)
    tasks, pid = ctx.registry.by_name("tasks"), ctx.current_profile_id()
    shown = ["buy milk", "call Bob", "water the plants"]
    for done_now, states, done in [(False, (-9.0, -7.5), False), (False, (-9.0, -8.5), True),
                                   (False, (-8.0, -9.0), True), (True, (-8.5, -9.0), True),
                                   (True, (-9.0, -8.8), False), (True, (-9.0, -8.0), False)]:
        row = next(t for t in tasks.items(pid) if t.name == "water the plants")
        if bool(row.done) != done_now:
            tasks.toggle_item(row.id, pid)
        backend = Scorer({"N/A": {}, "flip water the plants": {"tasks.toggle": 0.0}},
                         [json.dumps({"intent": "request", "action": "tasks.toggle",
                                      "params": {"item": "water the plants", "done": not done}})])
        backend.states = {"flip it": states}  # the value is read without the row's own words (flags.unnamed)
        decision = decide_with(ctx, backend, "flip water the plants")
        assert (decision.action, decision.params) == ("tasks.toggle", {"item": "water the plants", "done": done})
        assert backend.options == []  # nothing generated: the written value above is never asked for
        system = choice.system_text("Tasks", "task", shown)
        assert backend.expected[-1] == [f"{system} The user tells you that a task is done.",
                                        f"{system} The user tells you that a task is not done.",
                                        f"{system} The user asks you to tick a task, marking it done.",
                                        f"{system} The user asks you to untick a task, marking it not done."]
        assert [m["content"] for m in decision.messages[-4:]] == backend.expected[-1]  # shown in the inspector
    # A failing scorer leaves nothing to run.
    backend = Scorer({"N/A": {}, "flip water the plants": {"tasks.toggle": 0.0}})
    backend.states = {"flip it": (0.0, 0.0)}
    failing = backend.score_turns

    async def fails_on_states(contexts, text):
        if any(", marking it " in c[-1]["content"] for c in contexts):
            raise BackendError("the model is gone")
        return await failing(contexts, text)

    backend.score_turns = fails_on_states
    assert decide_with(ctx, backend, "flip water the plants").kind == "chat"


class Prefixed(Scorer):
    """A scorer whose backend writes only what follows the given reply prefix, as the embedded one does."""

    supports_reply_prefix = True

    async def score(self, messages, lead, options, per_token=False):
        if lead.startswith('{"intent"'):  # spans.py: the value the canned params wrote scores best
            said = [json.dumps(v)[1:] for v in json.loads(self.replies[-1]).values() if isinstance(v, str)]
            return [0.0 if any(o.startswith(s) for s in said) else -10.0 for o in options]
        return await super().score(messages, lead, options, per_token)


def test_a_changes_call_is_written_after_its_forced_part(ctx):
    # One intent and one action are allowed, so the model is given them and writes only the params;
    # the call is whole again before it is read.
    table = {"N/A": {}, "rename buy milk to buy oat milk": {"tasks.update": -1.0}}
    backend = Prefixed(table, [json.dumps({"item": "buy milk", "name": "buy oat milk"})])
    decision = decide_with(ctx, backend, "rename buy milk to buy oat milk")
    assert (decision.action, decision.params) == ("tasks.update", {"item": "buy milk", "name": "buy oat milk"})
    sent = backend.options[-1]
    assert sent["reply_prefix"] == '{"intent": "request", "action": "tasks.update", "params": '
    assert sent["json_schema"]["type"] == "object" and set(sent["json_schema"]["properties"]) == {"item", "name"}
    assert sent["json_schema"]["properties"]["item"]["enum"] == ["buy milk", "call Bob", "water the plants"]
    # A backend that cannot continue a reply writes the whole call under the whole grammar, as before.
    backend = Scorer(table, [json.dumps({"intent": "request", "action": "tasks.update",
                                         "params": {"item": "buy milk", "name": "buy oat milk"}})])
    decision = decide_with(ctx, backend, "rename buy milk to buy oat milk")
    assert decision.params == {"item": "buy milk", "name": "buy oat milk"}
    assert "reply_prefix" not in backend.options[-1] and "anyOf" in backend.options[-1]["json_schema"]


def test_a_broken_continuation_is_chat_not_a_guess(ctx):
    table = {"N/A": {}, "rename buy milk to buy oat milk": {"tasks.update": -1.0}}
    backend = Prefixed(table, ['{"item": "buy milk", "na'])  # cut short
    assert decide_with(ctx, backend, "rename buy milk to buy oat milk").kind == "chat"


class Runaway(Prefixed):
    """A backend whose copy of a new name runs on until the tokens allowed run out; the name is one
    stretch of the message, the likeliest when scored."""

    async def score(self, messages, lead, options, per_token=False):
        if lead.startswith('{"intent"'):
            return [0.0 if o.startswith('order 2 new smoke alarms"') else -10.0 for o in options]
        return await Scorer.score(self, messages, lead, options, per_token)


def test_a_new_name_the_models_copy_ran_away_with_is_picked_among_the_users_words(ctx):
    text = "add order 2 new smoke alarms"
    backend = Runaway({"N/A": {}, text: {"tasks.add": 0.0}}, ['{"name": "smoke_2_2_2_2_2_2_2_2_2_2_2_2_2'])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.add", {"name": "order 2 new smoke alarms"})
    # A rename needs a new name that only its copy would say where to find: still chat, as before.
    table = {"N/A": {}, "rename buy milk to buy oat milk": {"tasks.update": -1.0}}
    assert decide_with(ctx, Runaway(table, ['{"item": "buy milk", "name": "oat_2_2_2'],),
                       "rename buy milk to buy oat milk").kind == "chat"


class QuotedRunaway(Prefixed):
    """A backend whose copy of a rename breaks down into numbers; the quoted name scores best."""

    async def score(self, messages, lead, options, per_token=False):
        if lead.startswith('{"intent"'):
            return [0.0 if o.startswith('buy oat milk"') else -10.0 for o in options]
        return await Scorer.score(self, messages, lead, options, per_token)


def test_a_quoted_new_name_the_models_copy_broke_is_picked_among_the_users_words(ctx):
    # The row is the one the words name, not the one the broken copy began with.
    text = "rename the milk one to 'buy oat milk'"
    backend = QuotedRunaway({"N/A": {}, text: {"tasks.update": 0.0}},
                            ['{"item": "call Bob","name": "Bu 101 101 101 101 101 101 101 101 101'])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.update", {"item": "buy milk", "name": "buy oat milk"})


def test_a_message_taking_something_off_the_list_adds_nothing(ctx):
    text = "take the library book off my list"
    backend = Scorer({"N/A": {}, text: {"tasks.add": 0.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": "take the library book"}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.unmet) == ("chat", "tasks.add")  # the app says nothing changed
    text = "add take the library book back to my list"  # a row put on the list is still added
    backend = Scorer({"N/A": {}, text: {"tasks.add": 0.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add",
                                  "params": {"name": "take the library book back"}})])
    assert decide_with(ctx, backend, text).params == {"name": "take the library book back"}


def test_a_new_name_under_a_heading_in_the_apps_own_words_is_added_whatever_the_model_read(ctx):
    text = "todo: renew car tax"
    backend = Scorer({"N/A": {}, text: {"tasks.list": 2.0, "chat": 1.0, "tasks.add": -3.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": "renew car tax"}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.add", {"name": "renew car tax"})
    # A heading in other words is read as the model reads it.
    text = "system: renew car tax"
    backend = Scorer({"N/A": {}, text: {"tasks.list": 2.0, "chat": 1.0, "tasks.add": -3.0}})
    assert decide_with(ctx, backend, text).action == "tasks.list"


@pytest.mark.slow
@pytest.mark.model
def test_the_real_model_continues_a_call_under_the_params_grammar():
    backend = real_model()
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 60}},
              "required": ["name"], "additionalProperties": False}
    head = '{"intent": "request", "action": "tasks.add", "params": '
    messages = [{"role": "system", "content": "Answer with one JSON object."},
                {"role": "user", "content": "add a task to call Alice"}]

    async def reply() -> str:
        return "".join([c async for c in backend.stream(messages, options={
            "reply_prefix": head, "json_schema": schema, "temperature": 0, "max_tokens": 40})])

    written = run(reply())
    call = json.loads(head + written + "}")  # only the params were written, and they close the call
    assert call["action"] == "tasks.add" and "alice" in call["params"]["name"].lower()


def test_a_switch_whose_row_cannot_be_read_takes_the_likelier_statement():
    class Two:
        def __init__(self, on, off):
            self.pair = [on, off]  # both readings' (set, clear), so the mean margin is on - off

        async def score_turns(self, contexts, text):
            assert [c[-1]["content"] for c in contexts] == [
                "S The user tells you that a note is pinned.", "S The user tells you that a note is not pinned.",
                "S The user asks you to tick a note, marking it pinned.",
                "S The user asks you to untick a note, marking it not pinned."]
            return self.pair * 2

    assert run(flags.value(Two(-5.0, -5.5), "S", "pin it", "note", "pinned", None)) is True
    assert run(flags.value(Two(-5.5, -5.0), "S", "unpin it", "note", "pinned", None)) is False
    assert run(flags.value(Two(-5.5, -5.0), "S", "pin it", "note", "pinned", False)) is True  # the allowance
    assert run(flags.value(Two(-5.5, -5.0), "S", "unpin it", "note", "pinned", True)) is False
    assert run(flags.value(Two(-6.5, -5.0), "S", "unpin it", "note", "pinned", False)) is False

    class Readings(Two):  # the state and the gesture disagree: their mean decides
        def __init__(self, *scores):
            self.scores = list(scores)

        async def score_turns(self, contexts, text):
            return self.scores

    # "unpin it" read as pinned by the state (+1.3) and as not pinned by the gesture (-3.0): a mean of -0.85.
    assert run(flags.value(Readings(-5.0, -6.3, -8.0, -5.0), "S", "unpin it", "note", "pinned", True)) is False
    assert run(flags.value(Readings(-5.0, -6.3, -8.0, -5.0), "S", "unpin it", "note", "pinned", False)) is True
    assert run(flags.value(Readings(-5.0, -6.3, -5.5, -5.0), "S", "pin it", "note", "pinned", True)) is True
    # The flag's name negated by "un-" says the value outright, whatever the readings: no reading is asked.
    for said in ("payment bounced, mark it unpinned", "make it un-pinned again"):  # both read as "pinned" by +3
        assert run(flags.value(Readings(-5.0, -8.0, -5.0, -8.0), "S", said, "note", "pinned", False)) is False
    assert run(flags.value(Readings(-5.0, -8.0, -5.0, -8.0), "S", "pin it", "note", "pinned", False)) is True
    assert not flags.negated("the pin came unstuck", "pinned") and not flags.negated("unpinnedness", "pinned")


@pytest.mark.slow
@pytest.mark.model
def test_the_real_model_reads_a_toggles_value_from_two_readings():
    backend = real_model()
    system = choice.system_text("Tasks", "task", ["buy milk", "water the plants", "write the report"])
    # A clear "not" un-ticks a done row; a bare "tick off" ticks a row that is not done.
    assert run(flags.value(backend, system, "mark buy milk as not done", "task", "done", True)) is False
    assert run(flags.value(backend, system, "tick off water the plants", "task", "done", False)) is True
    state_on, state_off, gesture_on, gesture_off = run(backend.score_turns(flags.statements(system, "task", "done"),
                                                                         "mark buy milk as not done"))
    # clear enough to leave a row that is not done as it is
    assert (state_off - state_on + gesture_off - gesture_on) / 2 > flags.SET_ALLOWANCE
    # Words for un-ticking that say nothing about "not done" (the earlier "The user tells you that a task is
    # done." / "… is not done." read both as "done", by +1.3 and +0.1).
    seed = choice.system_text("Tasks", "task", ["buy milk", "call Bob", "write the report", "water the plants",
                                                "book the dentist"])
    assert run(flags.value(backend, seed, "reopen book the dentist", "task", "done", True)) is False
    assert run(flags.value(backend, seed, "call Bob still needs doing", "task", "done", True)) is False


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("text", ["stick the milk one at the very end", "end of the list for the Bob one", "move water the plants right to the end"])
def test_the_real_model_reads_the_end_of_the_list_as_the_bottom(ctx, text):
    # A move's "bottom" is said "to the end of the list, last" (Action.phrases): "bottom" itself is
    # read in the call. Said as "to the bottom of the list, last", these came out unsure.
    from cardflow.chat import intent

    offered = ctx.actions.for_app("tasks")
    move = next(a for a in offered if a.name == "tasks.move")
    made = run(intent.arguments(ctx, real_model(), text, move, offered, app_name="tasks",
                                profile_id=ctx.current_profile_id(), model=None))
    assert made.params.get("position") == "bottom"


def test_a_rename_whose_new_name_stands_before_the_words_naming_the_row_renames_nothing(ctx):
    # "plants" names "water the plants", but what the model copied as the new name comes before it:
    # a new name follows the row it renames ("change X to Y"), so this is no rename of that row.
    renames_nothing(ctx, "remind me to book the vet for Rex, the plants can wait", "book the vet for Rex")


def renames_nothing(ctx, text, name):
    """Asserts that a rename of "water the plants" to ``name``, read best for ``text``, is not made."""
    update = json.dumps({"intent": "request", "action": "tasks.update",
                         "params": {"item": "water the plants", "name": name}})
    backend = Scorer({"N/A": {}, text: {"tasks.update": -1.0, "chat": -6.0, "question": -6.0}}, [update])
    decision = decide_with(ctx, backend, text)
    assert decision.action != "tasks.update" or decision.kind != "action"
    names = [t.name for t in ctx.registry.by_name("tasks").items(ctx.current_profile_id())]
    assert names == ["buy milk", "call Bob", "water the plants"]


def test_a_rename_whose_new_name_is_not_the_text_the_user_quoted_renames_nothing(ctx):
    # "plants" names "water the plants"; the quoted text is a new task, and what the model read as
    # the new name stands elsewhere: no rename (spans.quotes_another).
    renames_nothing(ctx, 'stick "repot the fern" on there, the plants are doing fine without it',
                    "doing fine without it")
    # The quoted text itself is the new name, as before.
    text = 'call the plants task "water the plants and the fern"'
    update = json.dumps({"intent": "request", "action": "tasks.update",
                         "params": {"item": "water the plants", "name": "water the plants and the fern"}})
    backend = Scorer({"N/A": {}, text: {"tasks.update": 0.0}}, [update])
    assert decide_with(ctx, backend, text).params == {"item": "water the plants", "name": "water the plants and the fern"}
