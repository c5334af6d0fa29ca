"""A new name is a stretch of the user's own words: the model picks which stretch, by likelihood.

Asked to write a new name under a grammar, the 135M model decodes greedily and stops early or
skips a word: "Bob" for "add a task to call Bob", "annual report" for "rename the report task
to write the annual report". Every stretch of whole words in the message is a candidate instead
(wrapping quotes and end punctuation dropped, as ``grounding.unquote`` does), and the model
scores each one inside the call it already wrote, closing quote included, so "the name ends
here" is part of the score. The candidate with the best mean log-probability per token wins. One batch on a scoring backend
(``supports_scoring``); nothing here knows any word of any language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from cardflow.chat.grounding import unquote, words

MAX_WORDS = 12  # the longest stretch tried; longer names are left to the model's own copy
MAX_CANDIDATES = 120
MARK = "\x00value\x00"


def candidates(text: str, exclude: Sequence[str] = ()) -> list[str]:
    """Every stretch of whole words in ``text``, unquoted, without those in ``exclude`` (case-insensitive).

    Never the whole message: a message that is nothing but the name asks for nothing, and
    grounding refuses such a name (``grounding._adds_something``). Offered, the whole message won
    the pick for "remind me to take out the bins" over the model's own "take out the bins", and the
    add was refused.
    """
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    skip = {e.casefold() for e in exclude} | {unquote(text).casefold()}
    out: dict[str, None] = {}
    for i in range(len(spans)):
        for j in range(i, min(len(spans), i + MAX_WORDS)):
            piece = unquote(text[spans[i][0] : spans[j][1]])
            if piece and piece.casefold() not in skip:
                out.setdefault(piece, None)
    return list(out)[:MAX_CANDIDATES]


def call_with_mark(action: str, params: dict[str, Any], key: str, intent: str = "request") -> tuple[str, str]:
    """The call as the prompt's examples write it, split where ``params[key]`` goes: (before, after)."""
    shown = json.dumps({"intent": intent, "action": action, "params": {**params, key: MARK}}, ensure_ascii=False)
    before, _, after = shown.partition(json.dumps(MARK))
    return before + '"', '"' + after


async def pick(backend: Any, messages: list[dict[str, str]], action: str, params: dict[str, Any], key: str,
               text: str, exclude: Sequence[str] = (), near: str = "") -> str | None:
    """The stretch of ``text`` the model finds likeliest as ``params[key]``, or None with no candidate.

    ``near``: what the model wrote itself; only stretches sharing a word with it are scored (every
    stretch when none does), since what costs is the tokens scored (~200 a second on 2 cores).
    """
    found = candidates(text, exclude)
    said = set(words(near))
    found = [c for c in found if said & set(words(c))] or found
    if not found:
        return None
    before, after = call_with_mark(action, params, key)
    # The value is escaped as JSON would write it, so a quote or a backslash in the name scores as written.
    options = [json.dumps(c, ensure_ascii=False)[1:-1] + after for c in found]
    # The mean per token, not the sum: a sum favours the shortest stretch ("Bob" for "call Bob tomorrow").
    scores = await backend.score(messages, before, options, per_token=True)
    return max(zip(found, scores, strict=True), key=lambda pair: pair[1])[0]

