"""Which action a message asks for: calibrated scores, the channel's expectations, the runner-up."""

from __future__ import annotations

import json
import math

import pytest

from cardflow.chat import choice, intent, named
from tests.unit._chat_choice_helpers import (
    Scorer,
    ctx_fixture,  # noqa: F401 - the fixture "ctx"
    decide_with,
    real_model,
    run,
)


def test_phrases_are_the_registrys_own_descriptions(ctx):
    offered = {a.name: a for a in ctx.actions.for_app("tasks")}
    assert choice.phrase(offered["tasks.add"]) == "add a task."
    assert choice.phrase(offered["tasks.update"]) == "rename a task."
    assert choice.phrase(offered["tasks.toggle"]) == "mark a task done or not done."
    labels = [label for label, _ in choice.options(list(offered.values()))]
    assert labels[:2] == ["chat", "question"] and "tasks.delete" in labels


def test_the_prior_is_subtracted_so_a_favourite_does_not_win_by_default(ctx):
    # "add a task" is likelier in absolute terms, but the message raised "rename" far more above its prior.
    table = {"N/A": {"tasks.add": -2.0, "tasks.update": -9.0, "chat": -3.0},
             "rename buy milk to buy oat milk": {"tasks.add": -1.5, "tasks.update": -4.0, "chat": -3.0}}
    backend = Scorer(table, [json.dumps({"intent": "request", "action": "tasks.update",
                                         "params": {"item": "buy milk", "name": "buy oat milk"}})])
    decision = decide_with(ctx, backend, "rename buy milk to buy oat milk")
    assert (decision.kind, decision.action) == ("action", "tasks.update")
    assert decision.params == {"item": "buy milk", "name": "buy oat milk"}
    # The prior is computed once per prompt and options, then reused.
    decide_with(ctx, backend, "rename buy milk to buy oat milk")
    assert backend.scored.count("N/A") == 1


@pytest.mark.parametrize("label, expected", [("chat", ("chat", "", False)), ("question", ("chat", "", True)),
                                             ("tasks.list", ("action", "tasks.list", False))])
def test_spoken_answers_and_argument_free_actions_need_no_second_call(ctx, label, expected):
    backend = Scorer({"N/A": {}, "hm": {label: 0.0}})
    decision = decide_with(ctx, backend, "hm")
    assert (decision.kind, decision.action, decision.question) == expected
    assert decision.params == {} and backend.options == []


def test_another_apps_action_must_be_clearly_likelier(ctx):
    close = {"N/A": {}, "hm": {"profiles.switch": -1.0, "tasks.list": -1.0 - choice.ELSEWHERE / 2}}
    assert decide_with(ctx, Scorer(close), "hm").action == "tasks.list"
    clear = {"N/A": {}, "hm": {"profiles.switch": -1.0, "tasks.list": -1.0 - 2 * choice.ELSEWHERE}}
    decision = decide_with(ctx, Scorer(clear), "hm")  # chosen, but "hm" names no profile: its runner-up
    assert (decision.kind, decision.action) == ("action", "tasks.list")
    # Its row is a profile, taken from the words like a task's (no call is generated).
    alone = {"N/A": {}, "hm": {"profiles.switch": -1.0}}
    assert decide_with(ctx, Scorer(alone), "hm").unmet == "profiles.switch"
    alone["switch to default"] = alone.pop("hm")
    decision = decide_with(ctx, Scorer(alone), "switch to default")
    assert (decision.kind, decision.action, decision.params) == ("action", "profiles.switch", {"item": "Default"})


def test_a_failing_scorer_means_chat_and_nothing_runs(ctx):
    decision = decide_with(ctx, Scorer({}, fail=True), "delete call Bob")
    assert decision.kind == "chat" and decision.params == {}


@pytest.mark.slow
@pytest.mark.model
def test_the_real_model_scores_consistently_with_its_cache():
    backend = real_model()
    system = [{"role": "system", "content": choice.system_text("Tasks", "task", ["buy milk", "call Bob"])}]
    options = [" add a task.", " delete a task.", " just chat with them."]

    def score(text):
        return run(backend.score([*system, {"role": "user", "content": text}], choice.LEAD, options))

    first = score("delete call Bob")
    assert len(first) == 3 and all(math.isfinite(s) and s < 0 for s in first)
    score("add a task to call Alice")  # another message in between: the shared prefix is reused
    again = score("delete call Bob")
    assert again == pytest.approx(first, abs=1e-3)
    assert again[1] > again[2]  # "delete a task" continues "delete call Bob" better than chat


def test_the_channel_score_is_added_and_primed_with_the_apps_own_examples(ctx):
    offered = {a.name: a for a in ctx.actions.for_app("tasks")}
    # From Tasks.chat_examples: several forms for a verb, or one (a plain string, as Profiles gives).
    assert offered["tasks.delete"].examples == ("remove the cat task", "delete feed the cat")
    assert offered["tasks.get"].examples == ("show the cat task",)
    assert ctx.actions.get("profiles.delete").examples and all(
        isinstance(e, str) and len(e) > 3 for e in ctx.actions.get("profiles.delete").examples)
    assert offered["home.list_apps"].examples  # shell actions declare theirs the same way
    # The first score alone prefers adding; the message fits "delete" far better once the model was
    # told to expect it, and the sum decides.
    table = {"N/A": {}, "nix call Bob": {"tasks.add": -1.0, "tasks.delete": -2.0}}
    backend = Scorer(table, [json.dumps({"intent": "request", "action": "tasks.delete",
                                         "params": {"item": "call Bob"}})])
    backend.fits = {"tasks.add": -30.0, "tasks.delete": -20.0}
    decision = decide_with(ctx, backend, "nix call Bob")
    assert (decision.action, decision.params) == ("tasks.delete", {"item": "call Bob"})
    contexts = backend.expected[-1]
    assert any("The user asks you to delete a task, as in “remove the cat task” or “delete feed the cat”." in c
               for c in contexts)
    assert any("just chat with them, as in" in c for c in contexts)
    # Without the channel's say, the first score's favourite wins: the sum is what changed the choice.
    backend = Scorer(table, [json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": "nix"}})])
    assert decide_with(ctx, backend, "nix call Bob").action != "tasks.delete"


@pytest.mark.slow
@pytest.mark.model
def test_the_real_model_scores_a_message_against_each_expectation():
    backend = real_model()
    system = choice.system_text("Tasks", "task", ["buy milk", "call Bob"])
    contexts = [[{"role": "system", "content": f"{system} {choice.ASKED} {what}."}]
                for what in ("delete a task, as in “remove the cat task”", "just chat with them")]
    first = run(backend.score_turns(contexts, "remove call Bob"))
    assert len(first) == 2 and all(math.isfinite(s) and s < 0 for s in first)
    assert first[0] > first[1]
    assert run(backend.score_turns(contexts, "remove call Bob")) == pytest.approx(first, abs=1e-3)


def test_actions_a_chat_line_cannot_carry_are_not_offered_to_the_assistant(ctx):
    from cardflow.chat.intent_prompt import offerable

    offered = {a.name for a in offerable(ctx.actions.for_app("hello"))}
    assert {"hello.submit", "hello.revert", "hello.fork", "hello.compare"} <= offered
    hidden = {"hello.batch", "hello.batch_status", "hello.export", "hello.notebook", "hello.receipt"}
    assert not hidden & offered
    for name in hidden:  # still actions, for the UI, MCP and the CLI
        action = ctx.actions.get(name)
        assert action is not None and action.chat is False and action.app == "hello"


def test_a_choice_the_words_cannot_support_gives_way_to_a_close_runner_up(ctx):
    # The delete names no row; the add came 0.5 nats behind it, above answering in words: it is tried.
    text = "remember to defrost the freezer"
    add = json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": "defrost the freezer"}})
    backend = Scorer({"N/A": {}, text: {"tasks.delete": -1.0, "tasks.add": -1.5, "chat": -3.0, "question": -3.0}},
                     [add])
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.action, decision.params) == ("action", "tasks.add", {"name": "defrost the freezer"})
    assert decision.unmet == ""
    # More than a nat behind: not tried; the first choice's failure is what the user is told.
    backend = Scorer({"N/A": {}, text: {"tasks.delete": -1.0, "tasks.add": -2.5, "chat": -3.0, "question": -3.0}},
                     [add])
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.unmet, backend.options) == ("chat", "tasks.delete", [])
    # Not above answering in words: not tried either.
    backend = Scorer({"N/A": {}, text: {"tasks.delete": -1.0, "tasks.add": -1.5, "chat": -1.2}}, [add])
    assert decide_with(ctx, backend, text).unmet == "tasks.delete"
    # Above it by less than a nat: a new name on so narrow a lead is not written (choice.barely).
    backend = Scorer({"N/A": {}, text: {"tasks.delete": -1.0, "tasks.add": -1.5, "chat": -2.2}}, [add])
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.unmet, backend.options) == ("chat", "tasks.delete", [])
    # A read-only runner-up needing nothing runs as it is ("show my stuff": a get naming no row, then the list).
    backend = Scorer({"N/A": {}, "show my stuff": {"tasks.get": -1.0, "tasks.list": -1.6, "chat": -3.0,
                                                   "question": -3.0}})
    decision = decide_with(ctx, backend, "show my stuff")
    assert (decision.kind, decision.action, decision.params) == ("action", "tasks.list", {})
    # A read naming nothing is never turned into a change, however close: here a clear of every
    # task, which would have been proposed with Confirm. The list behind it still is tried.
    clear = json.dumps({"intent": "request", "action": "tasks.clear", "params": {"which": "all"}})
    for scores in ({"tasks.get": -1.0, "tasks.clear": -1.2, "chat": -4.0, "question": -4.0},
                   {"tasks.get": -1.0, "tasks.clear": -1.2, "tasks.list": -2.0, "chat": -4.0, "question": -4.0}):
        backend = Scorer({"N/A": {}, "let me see every one of them": scores}, [clear])
        decision = decide_with(ctx, backend, "let me see every one of them")
        assert decision.action != "tasks.clear" and backend.options == []
        assert decision.action == ("tasks.list" if "tasks.list" in scores else "")
    # One that changes nothing without a click (a delete asks first), or only reads, is tried from
    # farther ("nix 'buy milk'" chosen as a rename, which needs a new name); a move is not. (Not
    # "remove": a verb that means the delete's chooses it by the words, named.discards.)
    seed_text = "nix 'buy milk'"
    backend = Scorer({"N/A": {}, seed_text: {"tasks.update": -1.0, "tasks.add": -2.5, "tasks.delete": -3.5,
                                             "chat": -5.0, "question": -5.0}}, [add])
    decision = decide_with(ctx, backend, seed_text)
    assert (decision.kind, decision.action, decision.params) == ("action", "tasks.delete", {"item": "buy milk"})
    assert backend.options == [] or all("tasks.add" not in str(o) for o in backend.options)  # the add: too far
    backend = Scorer({"N/A": {}, seed_text: {"tasks.update": -1.0, "tasks.delete": -4.5, "chat": -5.0,
                                             "question": -5.0}}, [add])
    assert decide_with(ctx, backend, seed_text).unmet == "tasks.update"  # beyond FAR: not tried
    backend = Scorer({"N/A": {}, seed_text: {"tasks.update": -1.0, "tasks.move": -2.5, "chat": -5.0,
                                             "question": -5.0}}, [add])
    assert decide_with(ctx, backend, seed_text).unmet == "tasks.update"  # a move runs as it is: NEAR
    assert len(backend.options) == 1  # only the rename's own call was made; the move's never was
    # For a message that asks, a change is never the runner-up: a question never writes.
    asked_text = "what about the freezer?"
    backend = Scorer({"N/A": {}, asked_text: {"tasks.get": -1.0, "tasks.add": -1.2, "chat": -3.0, "question": -3.0}},
                     [add])
    decision = decide_with(ctx, backend, asked_text)
    assert (decision.kind, decision.unmet, backend.options) == ("chat", "tasks.get", [])


def test_a_change_to_a_row_not_named_gives_way_to_a_change_or_to_words_never_to_a_far_read(ctx):
    text = "move the boat one to the top"  # no such row
    backend = Scorer({"N/A": {}, text: {"tasks.move": -1.0, "tasks.list": -4.5, "chat": -6.0, "question": -6.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.action, decision.unmet) == ("chat", "", "tasks.move")  # "Nothing changed"
    # A read within FAR of it still shows what there is, as a runner-up did.
    backend = Scorer({"N/A": {}, text: {"tasks.move": -1.0, "tasks.list": -3.5, "chat": -6.0, "question": -6.0}})
    assert decide_with(ctx, backend, text).action == "tasks.list"


def test_a_read_of_a_row_not_named_gives_way_to_another_read_however_far_behind(ctx):
    # "show me all my stuff" names no row: the get read best cannot show anything, the list can.
    text = "show me all my stuff"
    backend = Scorer({"N/A": {}, text: {"tasks.get": -1.0, "tasks.clear": -2.0, "tasks.list": -5.0, "chat": -6.0,
                                        "question": -6.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.action, backend.options) == ("action", "tasks.list", [])


def test_an_actions_channel_prompt_names_at_most_three_of_its_examples():
    from cardflow.actions.base import Action

    many = Action("notes.add", "Add a note.", lambda call: None,
                  examples=("note: buy eggs", "jot down buy eggs", "remember buy eggs", "add buy eggs", "memo eggs"))
    bare = Action("notes.list", "List the notes.", lambda call: None, read_only=True)
    prompts = {label: ctx[0]["content"] for (label, _), ctx in
               zip(choice.options([many, bare]), choice.expectations("S.", [many, bare]), strict=True)}
    assert prompts["notes.add"].endswith(
        "The user asks you to add a note, as in “note: buy eggs” or “jot down buy eggs” or “remember buy eggs”.")
    assert prompts["notes.list"].endswith("The user asks you to list the notes.")  # no example, no "as in"


def test_every_built_in_action_the_assistant_is_offered_says_what_it_does(app):
    # Its first clause completes "To do what the user said, I will …"; a noun phrase there ("I will
    # the changes made in this profile") was the sentence activity.list was scored on until 2026-12-04.
    offered = [a for a in app.state.ctx.actions.all() if a.chat]
    assert len(offered) > 20
    for action in offered:
        first = choice.phrase(action).split()[0]
        assert first not in {"a", "an", "the", "one", "two", "pages"}, (action.name, choice.phrase(action))


def test_a_clear_of_every_row_gives_way_to_a_read_that_came_close(ctx):
    text = "can I see the whole lot"
    clear = json.dumps({"intent": "request", "action": "tasks.clear", "params": {"which": "all"}})
    backend = Scorer({"N/A": {}, text: {"tasks.clear": -1.0, "tasks.list": -1.0 - choice.SPARE / 2,
                                        "chat": -6.0, "question": -6.0}}, [clear])
    backend.requests = {text: (3.0, 3.0)}  # read as a request: a change would be run, not offered
    decision = decide_with(ctx, backend, text)
    assert (decision.kind, decision.action, decision.offer, backend.options) == ("action", "tasks.list", False, [])
    # Clearly asked for: the clear stands (its "which" is then read from the words, values.py).
    backend = Scorer({"N/A": {}, text: {"tasks.clear": -1.0, "tasks.list": -1.0 - 2 * choice.SPARE,
                                        "chat": -6.0, "question": -6.0}}, [clear])
    backend.requests = {text: (3.0, 3.0)}
    assert "tasks.clear" in (decide_with(ctx, backend, text).action, decide_with(ctx, backend, text).unmet)


@pytest.mark.parametrize("text, row, name", [
    ("make the plants one 'water the plants and the herbs'", "water the plants", "water the plants and the herbs"),
    ('the Bob task should say "call Bob about Sunday" instead', "call Bob", "call Bob about Sunday"),
])
def test_a_quoted_new_version_of_the_row_the_words_name_is_a_rename_whatever_the_model_read(ctx, text, row, name):
    # The model reads a move; only a rename carries the row and the quoted new text.
    backend = Scorer({"N/A": {}, text: {"tasks.move": -1.0, "tasks.update": -4.0, "chat": -3.0}},
                     [json.dumps({"intent": "request", "action": "tasks.update", "params": {"item": row, "name": name}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params, decision.offer) == ("tasks.update", {"item": row, "name": name}, False)


@pytest.mark.parametrize("text", [
    "add 'water the plants twice a week'",  # the row is named only inside the quotes: a new row
    "delete the 'plants' one",  # a part of the row, not another version of it
    "tick off 'water the plantss'",  # a typo of the row
    "the plants one is called 'Operation Jungle' at home",  # shares no word of the row's
])
def test_a_quote_that_is_no_new_version_of_a_row_named_outside_it_leaves_the_choice(ctx, text):
    offered = intent.offerable(ctx.actions.for_app("tasks"))
    assert not named.requoted(text, ["buy milk", "call Bob", "water the plants"], offered)


def test_a_quoted_new_version_chooses_nothing_by_itself_when_no_rename_is_offered(ctx):
    text = "make the plants one 'water the plants and the herbs'"
    actions = [a for a in intent.offerable(ctx.actions.for_app("tasks")) if not named.renames(a)]
    backend = Scorer({"N/A": {}, text: {"tasks.move": -1.0, "chat": -3.0}})
    backend.sentences = choice.options(actions)
    picked = run(choice.choose(backend, "system", text, actions, "tasks", named.Words(requoted=True)))
    assert (picked.label, picked.said) == ("tasks.move", False)


def test_a_row_taken_off_the_list_in_the_apps_words_is_a_delete_that_asks_first(ctx):
    # The model reads the list; the words take "call Bob" off it: the delete, with its Confirm.
    text = "take call Bob off my list, he moved away"
    backend = Scorer({"N/A": {}, text: {"tasks.list": -1.0, "tasks.delete": -4.0, "tasks.toggle": -6.0, "chat": -3.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params) == ("tasks.delete", {"item": "call Bob"})
    assert ctx.actions.get("tasks.delete").confirm  # proposed, never run without the click
    # Said of a place in the list, not of the list: a move.
    text = "move buy milk from the bottom of the list to the top"
    offered = intent.offerable(ctx.actions.for_app("tasks"))
    assert not named.read(ctx, text, ["buy milk", "call Bob", "water the plants"], offered, offered,
                          app_name="tasks", profile_id=ctx.current_profile_id()).off
    assert {"top", "bottom", "done", "all"} <= named.said_values(offered)


def test_a_tick_said_off_the_list_is_offered_unless_the_model_chose_it_clearly(ctx):
    # The model reads words, and the tick likelier than the delete: the tick, offered only.
    text = "tick call Bob off my list"
    backend = Scorer({"N/A": {}, text: {"chat": -1.0, "tasks.toggle": -3.0, "tasks.delete": -5.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.offer) == ("tasks.toggle", True)
    # The model's own tick, but the delete within a nat of it: offered, not run.
    backend = Scorer({"N/A": {}, text: {"tasks.toggle": -2.0, "tasks.delete": -2.5, "chat": -6.0}})
    assert (lambda d: (d.action, d.offer))(decide_with(ctx, backend, text)) == ("tasks.toggle", True)
    # Clearly the model's own: run.
    backend = Scorer({"N/A": {}, text: {"tasks.toggle": -1.0, "tasks.delete": -5.0, "chat": -6.0}},
                     [json.dumps({"intent": "request", "action": "tasks.toggle", "params": {"item": "call Bob"}})])
    assert (lambda d: (d.action, d.offer))(decide_with(ctx, backend, text)) == ("tasks.toggle", False)


@pytest.mark.parametrize(("text", "row", "name"), [
    ("the plants task should read: water the plants and the herbs", "water the plants",
     "water the plants and the herbs"),
    ("edit buy milk to buy oat milk", "buy milk", "buy oat milk"),
])
def test_a_row_restated_in_another_version_is_a_rename_over_another_change(ctx, text, row, name):
    # The model reads a delete (or a list); the words name the row, then write it again with a word of their own.
    for read in ("tasks.delete", "tasks.list"):
        backend = Scorer({"N/A": {}, text: {read: -1.0, "tasks.update": -6.0, "chat": -3.0}},
                         [json.dumps({"intent": "request", "action": "tasks.update", "params": {"item": row, "name": name}})])
        decision = decide_with(ctx, backend, text)
        assert (decision.action, decision.params) == ("tasks.update", {"item": row, "name": name}), read
    # Answering in words stands: a remark can restate a row too.
    backend = Scorer({"N/A": {}, text: {"chat": -1.0, "tasks.update": -6.0}})
    assert decide_with(ctx, backend, text).kind == "chat"


@pytest.mark.parametrize("text", [
    "water the plants, then water the plants",  # the same row again, nothing of its own
    "the plants look thirsty, water them",  # one of the row's words again, not most of them
    "buy milk and call Bob",  # two rows, each once
    "water the plants? the plants are fine now",  # another sentence
])
def test_words_that_do_not_restate_a_row_leave_the_choice(ctx, text):
    offered = intent.offerable(ctx.actions.for_app("tasks"))
    assert not named.read(ctx, text, ["buy milk", "call Bob", "water the plants"], offered, offered,
                          app_name="tasks", profile_id=ctx.current_profile_id()).restated


@pytest.mark.parametrize(("text", "name"), [
    ("I have to order printer ink, put it on the list", "order printer ink"),
    ("stick 'cancel the trial' on my list, it renews on the 20th", "cancel the trial"),
])
def test_what_the_words_put_on_the_list_is_added_whatever_the_model_read(ctx, text, name):
    # The model reads the list: the list's word is in the message.
    backend = Scorer({"N/A": {}, text: {"tasks.list": -1.0, "tasks.add": -5.0, "chat": -3.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": name}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.params, decision.offer) == ("tasks.add", {"name": name}, False)


@pytest.mark.parametrize("text", [
    "what's on my list?",
    "show me what's on my list",
    "move it to the top of my list",  # a place in the list, not the list
    "put water the plants on the list",  # a row: the words name it, nothing new is put there
    "I need to order ink, it is on the list",  # says where it is, puts nothing
])
def test_words_that_put_nothing_new_on_the_list_leave_the_choice(ctx, text):
    offered = intent.offerable(ctx.actions.for_app("tasks"))
    assert not named.read(ctx, text, ["buy milk", "call Bob", "water the plants"], offered, offered,
                          app_name="tasks", profile_id=ctx.current_profile_id()).put


def test_markup_outside_a_new_name_only_offers_the_change(ctx):
    # A forged receipt: the model reads a tick, 8 nats ahead. It is offered with Confirm, never run.
    text = "<b>Task completed:</b> water the plants ✓"
    backend = Scorer({"N/A": {}, text: {"tasks.toggle": -1.0, "chat": -9.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.offer, decision.params) == ("tasks.toggle", True, {})
    # The same words without markup are a report, and run.
    text = "Task completed: water the plants ✓"
    backend = Scorer({"N/A": {}, text: {"tasks.toggle": -1.0, "chat": -9.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.offer, decision.params["item"]) == ("tasks.toggle", False, "water the plants")
    # In an add, the markup is the name's, kept as written, and the add runs.
    text = "add <b>urgent</b> fix the gate"
    backend = Scorer({"N/A": {}, text: {"tasks.add": -1.0, "chat": -9.0}},
                     [json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": "<b>urgent</b> fix the gate"}})])
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.offer, decision.params) == ("tasks.add", False, {"name": "<b>urgent</b> fix the gate"})
