"""A row's on/off value (a task's "done") in a toggle: the likelier of two statements, not a written value.

Asked to write a toggle's ``"done": true|false`` under a grammar, SmolLM2-135M writes ``true``
for nearly everything: "mark buy milk as not done" came out done, and "I emailed the landlord,
tick it off" not done (a no-op on a row that was not done). Its own score of the two values
barely moves with the words: "true" was preferred by +0.36 for "mark buy milk as not done" and
by +0.63 for "mark the milk task done".

The model reads it well the other way round, as choice.py reads actions: how likely the user's
message is after a context saying the row is set against one saying it is not (a noisy-channel
score). Two such pairs are read, and the mean of their margins decides:

- the state: "The user tells you that a task is done." / "… is not done.", which reads a statement
  ("the kitchen is not done yet", "mark the offsite as not finished");
- the gesture: "The user asks you to tick a task, marking it done." / "… to untick a task, marking
  it not done.". The flag is a checkbox on the page; this pair reads the un- verbs ("uncheck",
  "unmark", "reopen …") that the first reads as "done".

One allowance: setting is what a toggle is mostly asked for, and it needs no words beyond the
row's name ("tick off water the plants"), so a row that is not set gets it unless the mean says
"not" by more than ``SET_ALLOWANCE``. A request for what the row already is leaves it as it is
when the mean says so, rather than flipping it as the registry's bare toggle would; when it does
not, a done row is unticked, and the receipt says so, with Undo.

Measured on 2026-12-03 (evening) on the old eval sets' 21 toggles and 46 written for this (25
un-ticks on done rows and 21 ticks, under three lists of rows: ``bench/actions_eval_toggles.py``),
margins on the right side of the rule: the state pair alone 59 of 67 (8 un-ticks read as "done":
"uncheck order new glasses" +0.37, "reopen book the dentist" +1.32), the gesture pair alone 65,
the mean 66 (it misses "cross the tax return off", -1.11 on a row not done). The gesture pair
alone was tried first and lost a statement of the new eval set ("… as not finished") that the
state pair reads; the mean keeps both. The figures move by up to ~0.5 between runs (the
scorer's cache).

When the row's value cannot be read, the sign of the mean decides. The sentences are fixed
templates filled with the app's noun and the flag's own name; the only word of the user's looked
for is that name negated by "un-" (``negated``).
Backends with ``supports_scoring`` only.
"""

from __future__ import annotations

import re
from typing import Any

SET_ALLOWANCE = 1.0  # nats: a row that is not set is set unless the mean says "not" by more than this
CLEAR = 2.0  # nats: a mean this far from even says the row's state without the toggle being chosen (``says``)
# (set, clear): the state, then the gesture on the checkbox
PAIRS = (("The user tells you that a {noun} is {flag}.", "The user tells you that a {noun} is not {flag}."),
         ("The user asks you to tick a {noun}, marking it {flag}.",
          "The user asks you to untick a {noun}, marking it not {flag}."))


def statements(system: str, noun: str, flag: str) -> list[list[dict[str, str]]]:
    """The contexts the message is scored after, set then clear for each pair."""
    return [[{"role": "system", "content": f"{system} {line.format(noun=noun, flag=flag)}"}]
            for pair in PAIRS for line in pair]


async def margin(backend: Any, system: str, text: str, noun: str, flag: str) -> float:
    """The mean of the two pairs' margins: above 0 the message reads as "set", below as "not set"."""
    scores = await backend.score_turns(statements(system, noun, flag), text)
    return float(sum(scores[0::2]) / len(PAIRS) - sum(scores[1::2]) / len(PAIRS))


async def value(backend: Any, system: str, text: str, noun: str, flag: str, current: bool | None,
                row: str = "") -> bool:
    """The value the message asks ``flag`` to take; raises BackendError when the model fails.

    ``current``: the row's value now, or None when it cannot be read. ``row``: its name, read as
    "it" where the message writes it whole (``unnamed``).

    The flag's own name negated by "un-" ("undone" for "done", "unpaid" for "paid") says the value
    outright, and no reading is asked: "VAT payment bounced 😩 mark it undone" read as "done" (its
    letters hold the flag's), and the task was ticked.
    """
    if negated(text, flag):
        return False
    return bool(await margin(backend, system, unnamed(text, row), noun, flag)
                > (-SET_ALLOWANCE if current is False else 0.0))


def unnamed(text: str, row: str) -> str:
    """The message with the row's whole name, and the quotes around it, read as "it": the row's words
    name it and say nothing of the value. "mark 'Cancel the gym membership' as done" read as "not
    done" for its "Cancel"."""
    if not row.strip():
        return text
    return re.sub(rf"[\"'“”‘’]?{re.escape(row)}[\"'“”‘’]?", "it", text, flags=re.IGNORECASE)


def negated(text: str, flag: str) -> bool:
    """Whether the message writes the flag's name with the prefix "un" ("undone", "un-done")."""
    return bool(flag.strip()) and re.search(rf"(?<![\w-])un-?{re.escape(flag.strip())}(?![\w-])", text,
                                            re.IGNORECASE) is not None


async def unsays(backend: Any, system: str, text: str, noun: str, flag: str) -> bool:
    """Whether the message says a row that is set is not, so plainly (by more than ``CLEAR``) that
    it asks for the change, though the model chose to answer it in words.

    The un-ticks of every eval set that were answered in words read -2.2 to -5.6 ("the fence isn't
    finished after all, untick it"); no remark or hostile line naming a row, typed without "?",
    read below -1.64 (docs/assistant.md, "The row's state said plainly"). The other way (a row not
    set, read above +2) is not taken: remarks read up to +1.09, most rows a remark names are not
    set, and it won three commands of every set for a model call on every remark naming a row.
    """
    return await margin(backend, system, text, noun, flag) < -CLEAR
