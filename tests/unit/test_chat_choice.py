"""The calibrated choice of an action (choice.py) and the decision built on it (intent.decide)."""

from __future__ import annotations

import asyncio
import json
import math

import pytest

from cardflow.chat import choice, flags
from cardflow.chat.backends import BackendError, ScriptedBackend
from cardflow.chat.intent import decide
from tests.needs_model import require_model


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def ctx(app):
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

    async def score(self, messages, lead, options, per_token=False):
        if self.fail:
            raise BackendError("the model is gone")
        if lead.startswith('{"intent"'):  # spans.py: the value the canned reply wrote scores best
            params = json.loads(self.replies[-1]).get("params", {})
            said = [json.dumps(v)[1:] if isinstance(v, str) else json.dumps(v) for v in params.values()]
            return [0.0 if any(o.startswith(s) for s in said) else -10.0 for o in options]
        said = messages[-1]["content"]
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


def decide_with(ctx, backend, text):
    offered = ctx.actions.for_app("tasks")
    backend.sentences = choice.options([a for a in offered if a.name != "tasks.reorder"])
    return run(decide(ctx, backend, text, offered, app_name="tasks", profile_id=ctx.current_profile_id(),
                      model=None))


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
    table = {"N/A": {}, "scrap call Bob": {"tasks.add": -1.0, "tasks.delete": -2.0}}
    backend = Scorer(table, [json.dumps({"intent": "request", "action": "tasks.delete",
                                         "params": {"item": "call Bob"}})])
    backend.fits = {"tasks.add": -30.0, "tasks.delete": -20.0}
    decision = decide_with(ctx, backend, "scrap call Bob")
    assert (decision.action, decision.params) == ("tasks.delete", {"item": "call Bob"})
    contexts = backend.expected[-1]
    assert any("The user asks you to delete a task, as in “remove the cat task” or “delete feed the cat”." in c
               for c in contexts)
    assert any("just chat with them, as in" in c for c in contexts)
    # Without the channel's say, the first score's favourite wins: the sum is what changed the choice.
    backend = Scorer(table, [json.dumps({"intent": "request", "action": "tasks.add", "params": {"name": "scrap"}})])
    assert decide_with(ctx, backend, "scrap call Bob").action != "tasks.delete"


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


@pytest.mark.parametrize("text", ["has the milk been bought?", "is buy milk done yet ?", "done with the milk?!",
                                  "can you tick off buy milk? thanks"])
def test_a_message_punctuated_as_a_question_gets_only_an_offer_unless_read_as_a_request(ctx, text):
    # The model's reading prefers the change by far, but the user asked: a click decides.
    backend = Scorer({"N/A": {}, text: {"question": -9.0, "tasks.toggle": -1.0}})
    decision = decide_with(ctx, backend, text)
    assert (decision.action, decision.question, decision.offer) == ("tasks.toggle", True, True)
    assert backend.options == [] and {lead for lead, _ in backend.kinds} == {choice.KIND_LEAD, ""}


@pytest.mark.parametrize("label, reply, runs", [(2.0, 1.0, True), (1.5, -0.4, True), (3.0, -3.5, False),
                                                (-1.0, 0.5, False), (0.6, 0.3, False), (0.0, 0.0, False)])
def test_a_request_typed_as_a_question_is_run_when_both_readings_together_say_so(ctx, label, reply, runs):
    # "can you tick off buy milk?" asks the assistant to act: the log-odds of "a request" over "a
    # question", and of a reply opening "Sure" over "Yes"/"No", are added; beyond the margin it runs.
    text = "can you tick off buy milk?"
    backend = Scorer({"N/A": {}, text: {"question": -9.0, "tasks.toggle": -1.0}})
    backend.requests = {text: (label, reply)}
    decision = decide_with(ctx, backend, text)
    assert decision.action == "tasks.toggle" and decision.offer is not runs
    assert decision.params == ({"item": "buy milk", "done": True} if runs else {})


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


def test_actions_a_chat_line_cannot_carry_are_not_offered_to_the_assistant(ctx):
    from cardflow.chat.intent_prompt import offerable

    offered = {a.name for a in offerable(ctx.actions.for_app("hello"))}
    assert {"hello.submit", "hello.revert", "hello.fork", "hello.compare"} <= offered
    hidden = {"hello.batch", "hello.batch_status", "hello.export", "hello.notebook", "hello.receipt"}
    assert not hidden & offered
    for name in hidden:  # still actions, for the UI, MCP and the CLI
        action = ctx.actions.get(name)
        assert action is not None and action.chat is False and action.app == "hello"


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
    tasks, pid = ctx.registry.by_name("tasks"), ctx.current_profile_id()
    shown = ["buy milk", "call Bob", "water the plants"]
    for done_now, states, done in [(False, (-9.0, -7.5), False), (False, (-9.0, -8.5), True),
                                   (False, (-8.0, -9.0), True), (True, (-8.5, -9.0), True),
                                   (True, (-9.0, -8.8), False), (True, (-9.0, -8.0), False)]:
        row = next(t for t in tasks.items(pid) if t.name == "water the plants")
        if bool(row.done) != done_now:
            tasks.toggle_item(row.id, pid)
        backend = Scorer({"N/A": {}, "water the plants is not done": {"tasks.toggle": 0.0}},
                         [json.dumps({"intent": "request", "action": "tasks.toggle",
                                      "params": {"item": "water the plants", "done": not done}})])
        backend.states = {"water the plants is not done": states}
        decision = decide_with(ctx, backend, "water the plants is not done")
        assert (decision.action, decision.params) == ("tasks.toggle", {"item": "water the plants", "done": done})
        assert backend.options == []  # nothing generated: the written value above is never asked for
        system = choice.system_text("Tasks", "task", shown)
        assert backend.expected[-1] == [f"{system} The user tells you that a task is done.",
                                        f"{system} The user tells you that a task is not done.",
                                        f"{system} The user asks you to tick a task, marking it done.",
                                        f"{system} The user asks you to untick a task, marking it not done."]
        assert [m["content"] for m in decision.messages[-4:]] == backend.expected[-1]  # shown in the inspector
    # A failing scorer leaves nothing to run.
    backend = Scorer({"N/A": {}, "water the plants is not done": {"tasks.toggle": 0.0}})
    backend.states = {"water the plants is not done": (0.0, 0.0)}
    failing = backend.score_turns

    async def fails_on_states(contexts, text):
        if any(", marking it " in c[-1]["content"] for c in contexts):
            raise BackendError("the model is gone")
        return await failing(contexts, text)

    backend.score_turns = fails_on_states
    assert decide_with(ctx, backend, "water the plants is not done").kind == "chat"


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
    # A read-only runner-up needing nothing runs as it is ("show my stuff": a get naming no row, then the list).
    backend = Scorer({"N/A": {}, "show my stuff": {"tasks.get": -1.0, "tasks.list": -1.6, "chat": -3.0,
                                                   "question": -3.0}})
    decision = decide_with(ctx, backend, "show my stuff")
    assert (decision.kind, decision.action, decision.params) == ("action", "tasks.list", {})
    # One that changes nothing without a click (a delete asks first), or only reads, is tried from
    # farther ("remove 'buy milk'" chosen as a rename, which needs a new name); a move is not.
    seed_text = "remove 'buy milk'"
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


@pytest.mark.slow
@pytest.mark.model
def test_the_real_model_tells_a_question_typed_without_its_mark_from_a_command():
    backend = real_model()
    system = choice.system_text("Tasks", "task", ["send the invoice", "book flights"])
    for text, asks in [("was the invoice sent", True), ("have the flights been booked yet", True),
                       ("send the invoice", False), ("the flights are booked, tick them off", False)]:
        assert run(choice.reads_as_question(backend, system, text)) is asks, text


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
def test_the_real_model_tells_a_request_typed_as_a_question_from_a_question():
    backend = real_model()
    system = choice.system_text("Tasks", "task", ["buy milk", "water the garden", "pay the water bill"])
    for text, request in [("could you add water the garden to my tasks?", True), ("can u add get a haircut?", True),
                          ("was the water bill paid?", False), ("is buy milk done yet?", False)]:
        assert run(choice.requests(backend, system, text)) is request, text
        assert run(choice.asks(backend, system, text)) is not request, text


def test_every_built_in_action_the_assistant_is_offered_says_what_it_does(app):
    # Its first clause completes "To do what the user said, I will …"; a noun phrase there ("I will
    # the changes made in this profile") was the sentence activity.list was scored on until 2026-12-04.
    offered = [a for a in app.state.ctx.actions.all() if a.chat]
    assert len(offered) > 20
    for action in offered:
        first = choice.phrase(action).split()[0]
        assert first not in {"a", "an", "the", "one", "two", "pages"}, (action.name, choice.phrase(action))
