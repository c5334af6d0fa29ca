"""A row's on/off value (a task's "done") in a toggle: the likelier of two statements, not a written value.

Asked to write a toggle's ``"done": true|false`` under a grammar, SmolLM2-135M writes ``true``
for nearly everything: "mark buy milk as not done" came out done, and "I emailed the landlord,
tick it off" not done (a no-op on a row that was not done). Its own score of the two values
barely moves with the words: "true" was preferred by +0.36 for "mark buy milk as not done" and
by +0.63 for "mark the milk task done".

The model reads it well the other way round, as choice.py reads actions: how likely the user's
message is after "The user tells you that a task is done." against after "… is not done." (a
noisy-channel score). On the old eval sets' 23 toggles, run twice (the scorer's cache moves the
figures by up to ~0.7), the messages asking for "not done" had margins of -0.79 to -3.02, the
others -0.60 to +1.99. So the likelier statement decides, with one allowance: setting is what a
toggle is mostly asked for, and it needs no words beyond the row's name ("tick off water the
plants"), so a row that is not set gets it unless the message is more than ``SET_ALLOWANCE``
likelier under "not". Together they get every one of the 23. A request for what the row already
is leaves it as it is when the message is likelier under that ("mark the milk task done": +0.28
and +0.61 in the two runs), rather than flipping it as the registry's bare toggle would; but 4
of the 19 requests to set had margins below 0 in one run or the other (down to -0.60), and such a
message would untick a done row. The receipt says so, with Undo.

When the row's value cannot be read, the likelier statement wins. Nothing here knows a word of
any language: the sentences are built from the app's noun and the flag's own name. Backends with
``supports_scoring`` only.
"""

from __future__ import annotations

from typing import Any

SET_ALLOWANCE = 1.0  # nats: a row that is not set is set unless "not" is this much likelier


def statements(system: str, noun: str, flag: str) -> list[list[dict[str, str]]]:
    """The two contexts the message is scored after: the row is ``flag``, and it is not."""
    return [[{"role": "system", "content": f"{system} The user tells you that a {noun} is {state}."}]
            for state in (flag, f"not {flag}")]


async def value(backend: Any, system: str, text: str, noun: str, flag: str, current: bool | None) -> bool:
    """The value the message asks ``flag`` to take; raises BackendError when the model fails.

    ``current``: the row's value now, or None when it cannot be read.
    """
    on, off = await backend.score_turns(statements(system, noun, flag), text)
    return bool(on - off > (-SET_ALLOWANCE if current is False else 0.0))
