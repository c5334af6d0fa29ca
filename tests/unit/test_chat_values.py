"""A value that is one of a few words is the one the message makes likelier than "N/A" does (chat/values.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from cardflow.actions import crud_actions
from cardflow.actions.schema import either, integer, string
from cardflow.chat import values

POSITION = either(string(enum=["top", "bottom", "up", "down"]), integer(minimum=1))


class Fake:
    """Scores each shown value from a table per message: (said, prior)."""

    def __init__(self, said: dict[Any, float], prior: dict[Any, float]) -> None:
        self.said, self.prior, self.asked = said, prior, []

    async def score(self, messages: list[dict[str, str]], lead: str, options: list[str], **_: Any) -> list[float]:
        self.asked.append((messages[-1]["content"], lead, options))
        table = self.prior if messages[-1]["content"] == "N/A" else self.said
        return [table.get(json.loads(o.rsplit("}}", 1)[0]), -9.0) for o in options]


def pick(backend: Fake, text: str, written: Any = "top") -> Any:
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": text}]
    return asyncio.run(values.pick(backend, messages, "tasks.move", {"item": "pay rent", "position": written},
                                   "position", POSITION, written))


def test_the_calibrated_word_wins_over_the_one_the_model_favours_anyway():
    # "top" is likeliest after any message; "bottom" gains the most from this one.
    backend = Fake({"top": -1.0, "bottom": -2.0, "up": -4.0, "down": -4.0},
                   {"top": -0.5, "bottom": -3.5, "up": -4.0, "down": -4.0})
    assert pick(backend, "move pay rent to the end") == "bottom"
    said, lead, options = backend.asked[0]
    assert said == "move pay rent to the end" and lead.endswith('"position": ') and options[0] == '"top"}}'
    assert backend.asked[1][0] == "N/A" and backend.asked[1][1:] == (lead, options)  # the same call, nothing said


def test_a_number_competes_only_when_the_message_says_it():
    backend = Fake({2: 0.0}, {2: -5.0})
    assert pick(backend, "move pay rent to position 2") == 2
    assert [o for o in backend.asked[0][2] if not o.startswith('"')] == ["2}}"]
    backend = Fake({7: 0.0}, {7: -5.0})
    assert pick(backend, "move pay rent down", written=7) != 7  # the model's own number is not the user's
    assert all(o.startswith('"') for o in backend.asked[0][2])


def test_free_values_and_the_row_are_left_alone():
    schema = {"properties": {"item": string(enum=["a"]), "name": string(), "position": POSITION}}
    assert values.keys(schema, {"item": "a", "name": "b", "position": "top"}) == ["position"]
    assert values.words_of(string()) == [] and values.takes_numbers(POSITION)
    backend = Fake({}, {})
    assert asyncio.run(values.pick(backend, [{"role": "user", "content": "x"}], "a", {}, "k",
                                   string(enum=["only"]), "only")) == "only" and backend.asked == []


def test_no_value_when_the_message_singles_none_out():
    # A rename scored as a move: every position about as likely as after "N/A".
    near = Fake({"top": -1.0, "bottom": -1.3, "up": -4.0, "down": -4.0},
                {"top": -1.0, "bottom": -1.1, "up": -4.0, "down": -4.0})
    assert pick(near, "change book flights to Lisbon to book flights to Porto") is None
    # Below "N/A" yet well ahead of the rest ("put the library books first"): it is said.
    ahead = Fake({"top": -2.0, "bottom": -4.0, "up": -4.0, "down": -4.0},
                 {"top": -1.5, "bottom": -2.5, "up": -2.5, "down": -2.5})
    assert pick(ahead, "put pay rent first") == "top"
    assert values.DISTINCT > 0


def test_an_ordinal_in_digits_is_the_number_it_ranks():
    # Before, "3rd" offered no number, and the model's "bottom" moved the row to the end instead.
    backend = Fake({3: 0.0, "bottom": -1.0}, {3: -5.0, "bottom": -3.0})
    assert pick(backend, "put pay rent in 3rd place") == 3
    assert [o for o in backend.asked[0][2] if not o.startswith('"')] == ["3}}"]
    for text in ("move pay rent to the 2ND spot", "make it the 21st", "the 4th one"):
        assert values.NUMBER.findall(text) and int(values.NUMBER.findall(text)[0]) in (2, 21, 4)
    for text in ("use 3rdparty", "v2 of the plan", "2x faster", "version 1.5"):  # not a rank
        assert values.NUMBER.findall(text) == []


def pick_among(backend: Fake, text: str, item: str = "pay rent", positions: int = 5) -> Any:
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": text}]
    return asyncio.run(values.pick(backend, messages, "tasks.move", {"item": item, "position": "top"},
                                   "position", POSITION, "top", positions=positions))


def test_a_position_said_in_words_is_the_place_that_clearly_stands_out():
    # "second": each of the rows' places is scored as the value too, in the same two calls; 2 leads
    # the other places by 2 nats. "bottom" is not compared with it (1 and "top" are one place).
    backend = Fake({2: 1.0, "bottom": 5.0}, {2: -1.0, "bottom": -3.0})
    assert pick_among(backend, "move pay rent to second place") == 2
    words = ['"top"}}', '"bottom"}}', '"up"}}', '"down"}}']
    assert backend.asked[0][2] == [*words, "1}}", "2}}", "3}}", "4}}", "5}}"] and len(backend.asked) == 2
    # No place stands out by ``SPELLED``: the words decide, as before.
    backend = Fake({2: 0.0, "bottom": 0.5}, {2: -1.0, "bottom": -3.0})
    assert values.SPELLED > 1.0 and pick_among(backend, "move pay rent to the end") == "bottom"
    # A number written in digits is what the user said: the places are not scored.
    backend = Fake({4: 1.0, 2: 5.0}, {4: -1.0, 2: -5.0})
    assert pick_among(backend, "move pay rent to position 4") == 4
    assert [o for o in backend.asked[0][2] if not o.startswith('"')] == ["4}}"]
    # A single row has no place to choose; and the places stop at MAX_POSITIONS.
    backend = Fake({}, {})
    pick_among(backend, "move pay rent to second place", positions=1)
    assert backend.asked[0][2] == [*words, "1}}"]
    backend = Fake({}, {})
    pick_among(backend, "move pay rent to second place", positions=500)
    assert len(backend.asked[0][2]) == len(words) + values.MAX_POSITIONS


def test_a_number_in_the_rows_own_name_is_no_position():
    # "read chapter 3" is the row; "second" is where it goes. Before, the 3 was the only number
    # offered, and the words were scored against it.
    backend = Fake({2: 1.0}, {2: -1.0})
    assert pick_among(backend, "put read chapter 3 in second position", item="read chapter 3") == 2
    assert "1}}" in backend.asked[0][2]
    backend = Fake({3: 1.0, "bottom": -1.0}, {3: -5.0, "bottom": -3.0})  # said beside it, it counts
    assert pick_among(backend, "put read chapter 3 in 3rd place", item="read chapter 3") == 3
    assert [o for o in backend.asked[0][2] if not o.startswith('"')] == ["3}}"]


class Worded:
    """Scores each phrase after the assistant's lead from a table per message: (said, prior)."""

    def __init__(self, said: dict[str, float], prior: dict[str, float]) -> None:
        self.said, self.prior, self.asked = said, prior, []

    async def score(self, messages: list[dict[str, str]], lead: str, options: list[str], **_: Any) -> list[float]:
        self.asked.append((messages[-1]["content"], lead, options))
        if options[0].startswith('"') or options[0].endswith("}}"):
            return [0.0] * len(options)  # the call's own JSON: says nothing either way here
        table = self.prior if messages[-1]["content"] == "N/A" else self.said
        return [table.get(o.strip().rstrip("."), -9.0) for o in options]


SAID = {"top": "to the top", "bottom": "to the end", "up": "one up", "down": "one down"}


def worded_pick(backend: Worded, text: str) -> Any:
    messages = [{"role": "system", "content": "the call's prompt"}, {"role": "user", "content": text}]
    said = values.Worded(SAID, "the scorer's prompt", "I will move “pay rent”")
    return asyncio.run(values.pick(backend, messages, "tasks.move", {"item": "pay rent", "position": "top"},
                                   "position", POSITION, "top", worded=said))


def test_a_word_the_action_says_in_plain_words_is_read_in_them():
    # As JSON every word scores alike; in words, "to the end" gains the most from the message.
    backend = Worded({"to the end": -1.0, "to the top": -2.0, "one up": -4.0, "one down": -3.0},
                     {"to the end": -3.0, "to the top": -1.5, "one up": -4.0, "one down": -3.0})
    assert worded_pick(backend, "put pay rent last") == "bottom"
    plain = [a for a in backend.asked if not a[2][0].endswith("}}")]
    assert [a[0] for a in plain] == ["put pay rent last", "N/A"]  # calibrated, as the JSON reading is
    assert plain[0][1] == "I will move “pay rent”" and plain[0][2][1] == " to the end."
    # Nothing stands out: no value, as before.
    even = Worded({p: -2.0 for p in SAID.values()}, {p: -2.0 for p in SAID.values()})
    assert worded_pick(even, "change pay rent to pay the rent") is None


def test_a_number_written_in_digits_is_still_read_in_the_call():
    backend = Fake({2: 0.0}, {2: -5.0})
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "move pay rent to 2nd place"}]
    said = values.Worded(SAID, "the scorer's prompt", "I will move “pay rent”")
    assert asyncio.run(values.pick(backend, messages, "tasks.move", {"item": "pay rent", "position": "top"},
                                   "position", POSITION, "top", worded=said)) == 2
    assert all(a[1].endswith('"position": ') for a in backend.asked)  # never the plain-words reading


def test_a_step_said_toward_a_place_is_that_place():
    # Read alone, "up" gains the most from "up to number one"; said toward a place, the value is a
    # place the action says "to …" for: "top" or "bottom", whichever the message makes likelier.
    backend = Worded({"to the end": -3.0, "to the top": -2.0, "one up": 2.0, "one down": -1.0},
                     {p: -2.5 for p in SAID.values()})
    assert worded_pick(backend, "bump pay rent up to number one") == "top"
    assert worded_pick(backend, "bump pay rent up one") == "up"  # a step, with no place to go to
    backend = Worded({"to the end": 1.0, "to the top": -2.0, "one up": -1.0, "one down": 3.0},
                     {p: -2.5 for p in SAID.values()})
    assert worded_pick(backend, "shove pay rent down to the end of the list") == "bottom"
    assert worded_pick(backend, "shove pay rent down a bit") == "down"


def test_a_place_the_readings_leave_unsure_is_the_one_whose_phrase_the_message_writes():
    # Every reading even: the one value whose phrase opens as the message says it ("to the top")
    # is taken; one word alone ("down") is no phrase said, and two heads said leave it unsure.
    even = Worded({p: -2.0 for p in SAID.values()}, {p: -2.0 for p in SAID.values()})
    assert worded_pick(even, "move the keys one to the top") == "top"
    assert even.asked == []  # said in the phrase's own words: nothing to read
    assert worded_pick(even, "put pay rent to the end, it can wait") == "bottom"
    assert worded_pick(even, "put pay rent down as a task") is None
    assert worded_pick(even, "put pay rent one down") is None  # "one" alone is no phrase said
    assert worded_pick(even, "not to the top, to the end") is None
    assert [values.head(p) for p in crud_actions.SAID.values()] == ["to the top", "to the end", "up one", "down"]
    # A reading that stands out still decides, whatever the words.
    clear = Worded({"to the end": 2.0, "to the top": -2.0, "one up": -2.0, "one down": -2.0},
                   {p: -2.0 for p in SAID.values()})
    assert worded_pick(clear, "move pay rent to the top, no, to the end") == "bottom"
