"""A value that is one of a few words is the one the message makes likelier than "N/A" does (chat/values.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

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
