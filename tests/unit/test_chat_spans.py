"""A new name is picked among the stretches of the user's own words (chat/spans.py)."""

from __future__ import annotations

import asyncio
import json

from cardflow.chat import spans


def test_candidates_are_whole_word_stretches_unquoted_and_kept_literally():
    found = spans.candidates("add 'review <b>Q4</b> numbers' please")
    assert "review <b>Q4</b> numbers" in found  # the quotes go, the markup stays as written
    assert "review" in found and "please" in found
    assert "'review <b>Q4</b> numbers'" not in found and "'review" not in found  # wrapping or lone quotes
    assert "call Bob" not in spans.candidates("rename call Bob to call Bob tomorrow", exclude=["CALL BOB"])
    assert spans.candidates("   ") == []
    # The words that name the row being renamed are no new name; its name said again may be.
    renamed = spans.candidates("change buy milk powder to buy milk", row="buy milk powder")
    assert {"buy milk", "to buy milk"} <= set(renamed)
    assert not {"change", "milk powder", "buy milk powder", "milk powder to buy milk"} & set(renamed)
    assert spans.candidates("remove 'cancel the gym membership'", row="cancel the gym membership") == []
    # Its whole name with more, where the words before named the row already: its name extended.
    assert "return the books by Friday" in spans.candidates("rename the books task: return the books by Friday",
                                                            row="return the books")
    assert "call Bob tomorrow" in spans.candidates("rename call Bob to call Bob tomorrow", row="call Bob")
    many = spans.candidates(" ".join(f"w{i}" for i in range(60)))
    assert len(many) == spans.MAX_CANDIDATES and max(len(c.split()) for c in many) <= spans.MAX_WORDS


def test_the_value_is_scored_inside_the_call_as_the_prompt_writes_it():
    before, after = spans.call_with_mark("tasks.update", {"item": "call “Bob”"}, "name")
    assert before == '{"intent": "request", "action": "tasks.update", "params": {"item": "call “Bob”", "name": "'
    assert after == '"}}'
    assert json.loads(before + "x" + after)["params"]["name"] == "x"


class Fake:
    """Scores each option by a table keyed on the candidate; records how it was asked."""

    def __init__(self, table):
        self.table, self.asked = table, []

    async def score(self, messages, lead, options, *, per_token=False):
        self.asked.append((lead, options, per_token))
        return [self.table.get(json.loads('"' + o.rsplit('"}}', 1)[0] + '"'), -9.0) for o in options]


def test_the_best_scoring_stretch_wins_by_its_mean_per_token():
    backend = Fake({"call Bob tomorrow": -1.0, "Bob": -1.5})
    found = asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "call Bob"}, "name",
                                   "rename call Bob to call Bob tomorrow", ["call Bob"]))
    assert found == "call Bob tomorrow"
    lead, options, per_token = backend.asked[0]
    assert per_token and lead.endswith('"name": "') and all(o.endswith('"}}') for o in options)


def test_a_quote_inside_a_name_is_scored_as_json_escapes_it():
    backend = Fake({'say "hi"': 0.0})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", 'add say "hi"')) == 'say "hi"'
    assert any(o.startswith('say \\"hi\\"') for o in backend.asked[0][1])


def test_no_words_no_pick():
    assert asyncio.run(spans.pick(Fake({}), [], "tasks.add", {}, "name", "  ")) is None


def test_only_stretches_sharing_a_word_with_the_models_own_value_are_scored():
    backend = Fake({"call Bob tomorrow": -1.0})
    text = "please rename call Bob to call Bob tomorrow, thanks"
    found = asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "call Bob"}, "name", text,
                                   ["call Bob"], near="Bob"))
    assert found == "call Bob tomorrow"
    scored = [json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]]
    assert all("bob" in s.casefold() for s in scored) and "thanks" not in scored
    # A value sharing no word with the message: every stretch is a candidate again.
    backend = Fake({"thanks": 0.0})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", "add thanks", near="zzz")) == "thanks"


def test_the_whole_message_is_never_a_candidate_so_the_models_own_stretch_can_win():
    text = "“remind me to take out the bins.”"
    found = spans.candidates(text)
    assert "remind me to take out the bins" not in found  # quotes and end mark off, still the whole message
    assert "take out the bins" in found and "remind me to take out the" in found
    # The whole message, scored best, used to win and then be refused as a name: now the next one does.
    backend = Fake({"remind me to take out the bins": -0.1, "take out the bins": -0.5})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", text, near="take out the bins")) \
        == "take out the bins"
    assert asyncio.run(spans.pick(Fake({}), [], "tasks.add", {}, "name", "bins")) is None  # one word: nothing left


def test_only_stretches_around_the_models_own_copy_are_scored():
    text = "edit the Lisbon task so it reads book a train to Lisbon"
    backend = Fake({"book a train to Lisbon": -0.5})
    found = asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "book flights to Lisbon"}, "name", text,
                                   ["book flights to Lisbon"], near="a train to Lisbon"))
    assert found == "book a train to Lisbon"  # a word the model dropped is still a candidate
    scored = {json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]}
    assert "the Lisbon" not in scored and "edit the Lisbon task" not in scored  # a shared word far away
    assert len(scored) < len([c for c in spans.candidates(text) if "lisbon" in c.casefold() or "a" in c.split()])
    # Said twice, the copy stands in both places.
    assert {"call Bob", "call Bob tomorrow"} <= spans.around("rename call Bob to call Bob tomorrow", "Bob")
    assert spans.around("add milk", "zzz") == set()


def test_a_copy_of_the_row_being_renamed_does_not_narrow_the_stretches():
    # The model wrote the old name: where that stands says nothing of where the new name is.
    backend = Fake({"pay the electricity bill": -0.5})
    text = "rename pay the gas bill to pay the electricity bill"
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "pay the gas bill"}, "name", text,
                                  ["pay the gas bill"], near="pay the gas bill")) == "pay the electricity bill"


def test_only_a_copy_of_the_users_words_says_where_the_name_stands():
    # The model wrote "add to list of tasks" for "add mark the exams": only its "add" is in the
    # message. Kept to the stretches around that "add", the pick was "add"; every stretch is scored.
    backend = Fake({"mark the exams": -1.2, "add": -2.4, "exams": -2.2})
    assert asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", "add mark the exams",
                                  near="add to list of tasks")) == "mark the exams"
    scored = [json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]]
    assert "mark the exams" in scored and "exams" in scored
    # A copy, every word of it said, still keeps the pick around it.
    backend = Fake({"mark the exams": -1.2, "add": -2.4})
    asyncio.run(spans.pick(backend, [], "tasks.add", {}, "name", "add mark the exams please", near="exams"))
    scored = [json.loads('"' + o.rsplit('"}}', 1)[0] + '"') for o in backend.asked[0][1]]
    assert "add" not in scored and all("exams" in s for s in scored)


def test_a_rename_whose_model_copied_only_the_rows_words_has_no_new_name():
    # The message writes the row and nothing that could rename it: the leftover word is no name.
    backend = Fake({"remove": 0.0})
    text = "remove 'cancel the gym membership'"
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "cancel the gym membership"}, "name", text,
                                  ["cancel the gym membership"], near="cancel the gym membership",
                                  row="cancel the gym membership")) is None
    assert backend.asked == []
    # The row written, then a new name that shares the model's words: that one.
    backend = Fake({"book flights to Porto": -0.5, "flights to Porto": -0.9})
    text = "change book flights to Lisbon to book flights to Porto"
    assert asyncio.run(spans.pick(backend, [], "tasks.update", {"item": "book flights to Lisbon"}, "name", text,
                                  ["book flights to Lisbon"], near="book flights",
                                  row="book flights to Lisbon")) == "book flights to Porto"
