"""The "statements" eval set: remarks that name a task's words without asking for anything.

Written on 2026-12-03 (afternoon) to check changes that let statements reach a change: "the
report is done" is a request to tick a task, "I finished a great book yesterday" is small talk
that shares "book" with "book the dentist". Both read alike to the 135M model. Every remark here
must change nothing; the few statements that do ask for a change are kept apart as commands, so
a change that wins them can be weighed against what it writes for the remarks. On the old sets'
first seed (bench/actions_eval.py's SEED). Plain data, as the other sets.
"""

from __future__ import annotations

REMARKS = [
    "I finished a great book yesterday", "I drank some milk this morning", "Bob called me yesterday",
    "the plants look lovely today", "the dentist was nice last time", "writing reports is boring",
    "tell me a joke", "I need a holiday", "don't forget to smile", "my report is better than Bob's",
    "I watered my neighbour's garden", "the milk went off", "I hate calling people",
    "Bob is done with his exams",
]

STATEMENT_COMMANDS: list[tuple[str, tuple[str, ...]]] = [
    ("I called Bob", ("done", "call Bob")), ("the plants are watered", ("done", "water the plants")),
    ("milk is bought", ("done", "buy milk")), ("I booked the dentist", ("done", "book the dentist")),
    ("I have to renew my passport", ("add", "renew my passport")), ("need to buy eggs", ("add", "buy eggs")),
]

ROWS: list[tuple[str, tuple[str, ...], str]] = [
    *[(text, ("same",), "chatter") for text in REMARKS],
    *[(text, expect, "command") for text, expect in STATEMENT_COMMANDS],
]
