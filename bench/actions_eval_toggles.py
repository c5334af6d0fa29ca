"""The "toggles" eval set: ticking and un-ticking a task in other words than the old sets'.

Written on 2026-12-03 (evening) to choose how ``chat/flags.py`` reads a toggle's value, after
the old sets had shown that un- verbs ("untick", "uncheck", "reopen") on a done row left it done.
Tuned on, so not blind: it chose the flag's two sentences. The un-ticks start on a done row, the
ticks on a row that is not done. Many of them also miss at the choice itself (a delete or an
answer chosen instead of the toggle); the set measures both. Plain data, as the other sets.
"""

from __future__ import annotations

SEED = [("buy milk", False), ("call Bob", False), ("write the report", False), ("water the plants", False),
        ("book the dentist", False)]
HELD = [("pay the gas bill", False), ("email the landlord", False), ("pick up the kids", False),
        ("order new glasses", False), ("clean the kitchen", False)]
FRESH = [("submit the tax return", False), ("fix the leaking tap", False), ("buy a birthday present for Sam", False),
         ("renew the gym membership", False), ("read chapter 3", False)]
SEEDS = {"seed": SEED, "held": HELD, "fresh": FRESH}

# (text, "done" or "undone", the row, which rows)
ROWS: list[tuple[str, str, str, str]] = [
    ("untick buy milk", "undone", "buy milk", "seed"),
    ("uncheck call Bob", "undone", "call Bob", "seed"),
    ("unmark water the plants", "undone", "water the plants", "seed"),
    ("reopen book the dentist", "undone", "book the dentist", "seed"),
    ("mark call Bob as not done", "undone", "call Bob", "seed"),
    ("buy milk isn't done after all", "undone", "buy milk", "seed"),
    ("set the report back to open", "undone", "write the report", "seed"),
    ("un-tick the report", "undone", "write the report", "seed"),
    ("uncomplete buy milk", "undone", "buy milk", "seed"),
    ("I haven't actually called Bob", "undone", "call Bob", "seed"),
    ("call Bob still needs doing", "undone", "call Bob", "seed"),
    ("undo the tick on buy milk", "undone", "buy milk", "seed"),
    ("clear the checkbox on call Bob", "undone", "call Bob", "seed"),
    ("untick the dentist one", "undone", "book the dentist", "seed"),
    ("buy milk: not done", "undone", "buy milk", "seed"),
    ("tick off buy milk", "done", "buy milk", "seed"),
    ("check off call Bob", "done", "call Bob", "seed"),
    ("mark water the plants done", "done", "water the plants", "seed"),
    ("the report is done", "done", "write the report", "seed"),
    ("I called Bob", "done", "call Bob", "seed"),
    ("done with buy milk", "done", "buy milk", "seed"),
    ("complete book the dentist", "done", "book the dentist", "seed"),
    ("cross off buy milk", "done", "buy milk", "seed"),
    ("finished the report", "done", "write the report", "seed"),
    ("check the report", "done", "write the report", "seed"),
    ("mark call Bob as complete", "done", "call Bob", "seed"),
    ("buy milk: done", "done", "buy milk", "seed"),
    ("tick the dentist one", "done", "book the dentist", "seed"),
    ("untick pay the gas bill", "undone", "pay the gas bill", "held"),
    ("uncheck order new glasses", "undone", "order new glasses", "held"),
    ("the kitchen isn't clean after all, untick it", "undone", "clean the kitchen", "held"),
    ("set email the landlord back to not done", "undone", "email the landlord", "held"),
    ("mark the glasses task as open again", "undone", "order new glasses", "held"),
    ("reopen fix the leaking tap", "undone", "fix the leaking tap", "fresh"),
    ("I didn't read chapter 3 after all", "undone", "read chapter 3", "fresh"),
    ("unmark the tax return", "undone", "submit the tax return", "fresh"),
    ("uncheck renew the gym membership", "undone", "renew the gym membership", "fresh"),
    ("the tap is still leaking, mark it not fixed", "undone", "fix the leaking tap", "fresh"),
    ("tick pay the gas bill", "done", "pay the gas bill", "held"),
    ("check off order new glasses", "done", "order new glasses", "held"),
    ("kitchen's clean", "done", "clean the kitchen", "held"),
    ("mark email the landlord as done", "done", "email the landlord", "held"),
    ("finished reading chapter 3", "done", "read chapter 3", "fresh"),
    ("cross the tax return off", "done", "submit the tax return", "fresh"),
    ("the gym membership is renewed", "done", "renew the gym membership", "fresh"),
    ("tick off the tap", "done", "fix the leaking tap", "fresh"),
]
