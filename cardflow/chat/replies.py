"""How well a change on the row the user named fits as the assistant's reply: a third reading for the choice.

The choice (choice.py) reads each action in general terms: "I will mark a task done or not
done". For a message that names one of the rows, the model can be asked something more concrete,
which it reads better: how likely is the reply that does the change on *that* row ("Sure, I will
mark task “walk the dog” done.") against a plain reply ("Okay.", "Here's how", "That's great!")?
A statement or command about the row ("tick walk the dog", "the fence is fixed", "untick the
report") makes the first far likelier than a message saying nothing does. A remark that shares the
row's words ("the milk went off", "the dog needs a walk soon") makes a plain reply likely too.

Each reply is calibrated as the choice is: its score after "N/A" is subtracted. The fit of an
action is its best reply's calibrated score less the best plain reply's, and ``choice.choose``
adds ``WEIGHT`` times it to the action's score. A fit below zero lowers the action: a remark that
a plain reply suits better ("Priya is such a good manager") no longer ticks the row it names.

Only for actions whose call is the row and values of a few words (``said_by_row``): a toggle
(done, not done), a move (top, bottom, up, down), a delete. The reply is the action's own preview
(``Action.preview``, the words its Confirm line uses) with the row and each value filled in, so
every app's actions get this without wording of their own. An add or a rename needs a new name,
which is not known yet; and a reply that copies the message's words is likely whatever it says
(“Sure, I will rename task “buy milk” to “went off”.” was 9.8 nats above the best plain reply for
the remark “the milk went off”), so it is not read for them at all. Only for a message that is
not in question form: a question about a row ("did I call grandma?") makes the reply about the
row likely too, and a change for a question is only ever offered (choice.py).

Measured on 2026-12-05 (docs/assistant.md, "The reply that does it"): the choice alone over every
eval set's commands (``bench/actions_choice.py``) picked the right verb for 333 of 459 before and
356 after; no remark of the statements set had a change chosen. Offline, on the dumped scores, a
weight of 1 chose a change for two to four remarks ("walk the dog with me", "draft the report for
me"), 0.5 for none. It cost about 0.35 s for a message that names a row and is not in question
form (two thirds of it the move's four replies); since the scorer decodes the replies' common
starts once (backends/scorer.py), 0.19 s.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from cardflow.actions.base import Action
from cardflow.chat.backends import BackendError

WEIGHT = 0.5
OPENING = "Sure, I will "
# Replies that change nothing, generic on purpose: an answer, an acknowledgement, sympathy, help in
# words. The fit is measured against the likeliest of them, so a message any of them suits well
# keeps its change from being read into it.
PLAIN = ("Okay.", "That's great!", "Here is the answer:", "Yes,", "No,", "Sure! Here's", "Here's how",
         "I'm sorry to hear that.", "Sounds good!", "Thanks for letting me know.", "Let me help you with that.")
MAX_PRIORS = 64

_priors: OrderedDict[tuple[int, str, tuple[str, ...]], list[float]] = OrderedDict()


def _few(schema: dict[str, Any]) -> list[Any] | None:
    """The values a parameter takes when they are a few words or on/off (a move's "top", "bottom",
    …: the words of an enum, also inside an anyOf beside a number), or None."""
    if schema.get("type") == "boolean":
        return [True, False]
    if "enum" in schema:
        return list(schema["enum"])
    words = [value for option in schema.get("anyOf", []) for value in option.get("enum", [])]
    return words or None


def said_by_row(action: Action) -> dict[str, list[Any]] | None:
    """For an action whose call is a row and values of a few words (a toggle: {"done": [True, False]};
    a move: its places; a delete: {}), those values; None when it needs more (a new name) or has no
    preview to say it with."""
    props = action.params.get("properties", {})
    if action.preview is None or "item" not in props or action.every:
        return None
    out = {}
    for key, schema in props.items():
        if key in ("id", "item"):
            continue
        values = _few(schema)
        if values is None:
            return None
        out[key] = values
    return out


def line(action: Action, params: dict[str, Any]) -> str:
    """The reply doing ``action`` with ``params``, in its preview's words ("Sure, I will add task “x”.")."""
    said = action.preview(params).strip().rstrip(".") if action.preview else ""
    return f"{OPENING}{said[:1].lower()}{said[1:]}." if said else ""


def sentences(action: Action, row: str) -> list[str]:
    """The replies doing ``action`` on ``row``: one per value of each such parameter, or one."""
    said = said_by_row(action)
    if said is None or action.preview is None:
        return []
    calls = [{"item": row, key: value} for key, values in said.items() for value in values] or [{"item": row}]
    return [line(action, call) for call in calls]


async def _calibrated(backend: Any, messages: list[dict[str, str]], neutral: list[dict[str, str]],
                      options: list[str]) -> list[float]:
    key = (id(backend), neutral[0]["content"], tuple(options))
    prior = _priors.get(key)
    if prior is None:
        prior = await backend.score(neutral, "", options)
        _priors[key] = prior
        while len(_priors) > MAX_PRIORS:
            _priors.popitem(last=False)
    _priors.move_to_end(key)
    now = await backend.score(messages, "", options)
    if not len(now) == len(prior) == len(options):
        raise BackendError(f"The model scored {len(now)} replies of {len(options)}.")
    return [a - b for a, b in zip(now, prior, strict=True)]


async def fits(backend: Any, messages: list[dict[str, str]], neutral: list[dict[str, str]], row: str,
               actions: Sequence[Action]) -> dict[str, float]:
    """For each action said by the row alone: its best reply on ``row`` less the best plain reply,
    both calibrated (``messages``: the system prompt and the user's message; ``neutral``: the same
    with "N/A" for the message)."""
    own = {a.name: sentences(a, row) for a in actions}
    own = {name: lines for name, lines in own.items() if lines}
    if not own:
        return {}
    options = [*PLAIN, *(line for lines in own.values() for line in lines)]
    scores = await _calibrated(backend, messages, neutral, options)
    plain = max(scores[:len(PLAIN)])
    out, at = {}, len(PLAIN)
    for name, lines in own.items():
        out[name] = max(scores[at:at + len(lines)]) - plain
        at += len(lines)
    return out

