"""The "asked" eval set: questions about the tasks that must never write, each with and without "?".

Written on 2026-12-03 to probe the question gate (choice.py), after the "new" set showed that the
model's own reading could not hold back "has the library task been done?" and the like, and used
to choose the current design (a change for a message that asks is only offered). So it measures
that design; it was not blind to it. Plain data for bench/actions_eval.py, on the "new" set's home
rows. A question may be answered, and may get an offer with Confirm; it must change nothing.
"""

from __future__ import annotations

QUESTIONS = [
    "is buy dog food done", "did I call grandma yet", "have I returned the library books",
    "is the water bill paid", "whats left on my list", "how many tasks are open", "is the offsite done already",
    "which task is at the top", "did I finish planning the team offsite", "was the water bill paid",
    "is call grandma still open", "do I still need to buy dog food", "what's the first task",
    "have I called grandma", "are all my tasks done", "did grandma get called", "which tasks are done",
    "is the dog food ticked off", "has the library task been done", "should I delete the offsite task",
    "can you tell me if the water bill is done", "is the dog food at the bottom",
    "do I have anything about grandma", "what would happen if I deleted the library books task",
]

ROWS: list[tuple[str, tuple[str, ...], str, str]] = [
    (text + mark, ("same",), "question", "home") for text in QUESTIONS for mark in ("?", "")]
