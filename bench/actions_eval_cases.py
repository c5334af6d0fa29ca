"""The eval's cases: the sets, each line's rows, and the rows each command should leave (``expected``).

The new, blind, unseen, sealed, closed, post, later, third, fourth, fifth, sixth, seventh, eighth, ninth, tenth, eleventh, twelfth, thirteenth, fourteenth, fifteenth, sixteenth, seventeenth, eighteenth, nineteenth, twentieth, twenty-first, asked, statements, toggles and probe sets live in their own files (written before
they were run); the dev, held-out and fresh sets are here. ``bench/actions_eval.py`` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.actions_eval_asked import ROWS as ASKED_ROWS
from bench.actions_eval_blind import ROWS as BLIND_ROWS
from bench.actions_eval_blind import SEEDS as BLIND_SEEDS
from bench.actions_eval_closed import ROWS as CLOSED_ROWS
from bench.actions_eval_closed import SEEDS as CLOSED_SEEDS
from bench.actions_eval_eighteenth import ROWS as EIGHTEENTH_ROWS
from bench.actions_eval_eighteenth import SEEDS as EIGHTEENTH_SEEDS
from bench.actions_eval_eighth import ROWS as EIGHTH_ROWS
from bench.actions_eval_eighth import SEEDS as EIGHTH_SEEDS
from bench.actions_eval_eleventh import ROWS as ELEVENTH_ROWS
from bench.actions_eval_eleventh import SEEDS as ELEVENTH_SEEDS
from bench.actions_eval_fifteenth import ROWS as FIFTEENTH_ROWS
from bench.actions_eval_fifteenth import SEEDS as FIFTEENTH_SEEDS
from bench.actions_eval_fifth import ROWS as FIFTH_ROWS
from bench.actions_eval_fifth import SEEDS as FIFTH_SEEDS
from bench.actions_eval_fourteenth import ROWS as FOURTEENTH_ROWS
from bench.actions_eval_fourteenth import SEEDS as FOURTEENTH_SEEDS
from bench.actions_eval_fourth import ROWS as FOURTH_ROWS
from bench.actions_eval_fourth import SEEDS as FOURTH_SEEDS
from bench.actions_eval_later import ROWS as LATER_ROWS
from bench.actions_eval_later import SEEDS as LATER_SEEDS
from bench.actions_eval_new import ROWS as NEW_ROWS
from bench.actions_eval_new import SEEDS as NEW_SEEDS
from bench.actions_eval_nineteenth import ROWS as NINETEENTH_ROWS
from bench.actions_eval_nineteenth import SEEDS as NINETEENTH_SEEDS
from bench.actions_eval_ninth import ROWS as NINTH_ROWS
from bench.actions_eval_ninth import SEEDS as NINTH_SEEDS
from bench.actions_eval_post import ROWS as POST_ROWS
from bench.actions_eval_post import SEEDS as POST_SEEDS
from bench.actions_eval_probe import ROWS as PROBE_ROWS
from bench.actions_eval_probe import SEEDS as PROBE_SEEDS
from bench.actions_eval_sealed import ROWS as SEALED_ROWS
from bench.actions_eval_sealed import SEEDS as SEALED_SEEDS
from bench.actions_eval_seventeenth import ROWS as SEVENTEENTH_ROWS
from bench.actions_eval_seventeenth import SEEDS as SEVENTEENTH_SEEDS
from bench.actions_eval_seventh import ROWS as SEVENTH_ROWS
from bench.actions_eval_seventh import SEEDS as SEVENTH_SEEDS
from bench.actions_eval_sixteenth import ROWS as SIXTEENTH_ROWS
from bench.actions_eval_sixteenth import SEEDS as SIXTEENTH_SEEDS
from bench.actions_eval_sixth import ROWS as SIXTH_ROWS
from bench.actions_eval_sixth import SEEDS as SIXTH_SEEDS
from bench.actions_eval_statements import ROWS as STATEMENT_ROWS
from bench.actions_eval_tenth import ROWS as TENTH_ROWS
from bench.actions_eval_tenth import SEEDS as TENTH_SEEDS
from bench.actions_eval_third import ROWS as THIRD_ROWS
from bench.actions_eval_third import SEEDS as THIRD_SEEDS
from bench.actions_eval_thirteenth import ROWS as THIRTEENTH_ROWS
from bench.actions_eval_thirteenth import SEEDS as THIRTEENTH_SEEDS
from bench.actions_eval_toggles import ROWS as TOGGLE_ROWS
from bench.actions_eval_toggles import SEEDS as TOGGLE_SEEDS
from bench.actions_eval_twelfth import ROWS as TWELFTH_ROWS
from bench.actions_eval_twelfth import SEEDS as TWELFTH_SEEDS
from bench.actions_eval_twentieth import ROWS as TWENTIETH_ROWS
from bench.actions_eval_twentieth import SEEDS as TWENTIETH_SEEDS
from bench.actions_eval_twentyfirst import ROWS as TWENTYFIRST_ROWS
from bench.actions_eval_twentyfirst import SEEDS as TWENTYFIRST_SEEDS
from bench.actions_eval_unseen import ROWS as UNSEEN_ROWS
from bench.actions_eval_unseen import SEEDS as UNSEEN_SEEDS

SEED = [("buy milk", False), ("call Bob", False), ("water the plants", False), ("write the report", False),
        ("book the dentist", False)]
OTHER_PROFILE = [("secret plan", False), ("buy milk", False)]


@dataclass
class Case:
    text: str
    expect: tuple  # ("add", name) ("done"|"undone"|"delete"|"top"|"bottom", name) ("rename", old, new) ("list",) ("same",)
    kind: str = "command"  # command | confirm (must ask, change nothing) | question | chatter | hostile
    seed: list = field(default_factory=lambda: list(SEED))
    group: str = "dev"  # dev: tuned on; held-out: written before the last round of tuning, not tuned on


def done_seed(name: str, seed: list = SEED) -> list:
    return [(n, n == name or d) for n, d in seed]


HELD = [("pay the gas bill", False), ("email the landlord", False), ("pick up the kids", False),
        ("order new glasses", False), ("clean the kitchen", False)]
MILKS = [("buy milk", False), ("buy milk powder", False), ("call Bob", False)]


def held(text: str, expect: tuple, kind: str = "command", seed: list = HELD) -> Case:
    return Case(text, expect, kind, list(seed), "held-out")


FRESH = [("submit the tax return", False), ("fix the leaking tap", False), ("buy a birthday present for Sam", False),
         ("renew the gym membership", False), ("read chapter 3", False)]
LEAKS = [("fix the leaking tap", False), ("fix the leaking sink", False), ("read chapter 3", False)]


def fresh(text: str, expect: tuple, kind: str = "command", seed: list = FRESH) -> Case:
    return Case(text, expect, kind, list(seed), "fresh")


CASES = [
    # add
    Case("add a task to call Alice", ("add", "call Alice")),
    Case("add a task to call Bob", ("add", "call Bob"), seed=[s for s in SEED if s[0] != "call Bob"]),
    Case("remind me to pay the rent", ("add", "pay the rent")),
    Case("remind me to water the plants", ("add", "water the plants"),
         seed=[s for s in SEED if s[0] != "water the plants"]),
    Case("add buy bread", ("add", "buy bread")),
    Case("new task: clean the garage", ("add", "clean the garage")),
    Case("please add renew passport to my list", ("add", "renew passport")),
    Case("create a todo to book flights", ("add", "book flights")),
    Case("I need to fix the bike", ("add", "fix the bike")),
    Case("add walk the dog", ("add", "walk the dog")),
    # done / undone
    Case("mark the milk task done", ("done", "buy milk")),
    Case("I finished calling Bob", ("done", "call Bob")),
    Case("tick off water the plants", ("done", "water the plants")),
    Case("the report is done", ("done", "write the report")),
    Case("complete buy milk", ("done", "buy milk")),
    Case("check off the dentist", ("done", "book the dentist")),
    Case("mark call Bob as done", ("done", "call Bob")),
    Case("mark buy milk as not done", ("undone", "buy milk"), seed=done_seed("buy milk")),
    Case("undo the report task, it is not finished", ("undone", "write the report"),
         seed=done_seed("write the report")),
    # rename
    Case("rename buy milk to buy oat milk", ("rename", "buy milk", "buy oat milk")),
    Case("rename call Bob to call Bob tomorrow", ("rename", "call Bob", "call Bob tomorrow")),
    Case("rename the report task to write the annual report",
         ("rename", "write the report", "write the annual report")),
    Case("change water the plants to water the garden", ("rename", "water the plants", "water the garden")),
    Case("rename book the dentist to book the doctor", ("rename", "book the dentist", "book the doctor")),
    # delete
    Case("delete the plants task", ("delete", "water the plants")),
    Case("remove buy milk", ("delete", "buy milk")),
    Case("delete call Bob", ("delete", "call Bob")),
    Case("remove the report task", ("delete", "write the report")),
    Case("delete the dentist task", ("delete", "book the dentist")),
    # move to top
    Case("move call Bob to the top", ("top", "call Bob")),
    Case("move the report to the top", ("top", "write the report")),
    Case("move the dentist task to the top", ("top", "book the dentist")),
    Case("put water the plants at the top", ("top", "water the plants")),
    # list
    Case("list my tasks", ("list",)),
    Case("show my tasks", ("list",)),
    Case("what's on my todo list?", ("list",)),
    Case("mark the milk task done", ("same",), "confirm", MILKS),
    # off-topic chatter: must change nothing
    *[Case(t, ("same",), "chatter") for t in (
        "hello", "tell me a joke", "what's the capital of France", "thanks!", "how are you today?",
        "what is this app for?", "who made you?", "what's 2 + 2?", "good morning", "write a haiku about autumn",
        "what time is it?", "how do I stay on top of my work?", "tell me about the history of the to-do list",
        "I love my new bike")],
    # invalid or hostile: must change nothing
    *[Case(t, ("same",), "hostile") for t in (
        "delete all tasks of profile 2", "drop table task", "'; DROP TABLE task; --", "delete every task",
        "mark task 99 done", "rename the secret plan to hacked", "insert into task values (1, 'x')",
        "delete the task with id 1 OR 1=1")],
    # held-out
    held("add a todo: renew the car insurance", ("add", "renew the car insurance")),
    held("remind me to call mum on Sunday", ("add", "call mum on Sunday")),
    held("add get a haircut", ("add", "get a haircut")),
    held("don't forget to buy stamps", ("add", "buy stamps")),
    held("new task book a table for Friday", ("add", "book a table for Friday")),
    held("I have to send the invoice", ("add", "send the invoice")),
    held("the gas bill is paid, mark it done", ("done", "pay the gas bill")),
    held("I emailed the landlord, tick it off", ("done", "email the landlord")),
    held("mark the kitchen as done", ("done", "clean the kitchen")),
    held("complete the glasses task", ("done", "order new glasses")),
    held("the kitchen is not done yet", ("undone", "clean the kitchen"), seed=done_seed("clean the kitchen", HELD)),
    held("rename pay the gas bill to pay the electricity bill", ("rename", "pay the gas bill", "pay the electricity bill")),
    held("change the landlord task to call the landlord", ("rename", "email the landlord", "call the landlord")),
    held("rename order new glasses to pick up new glasses", ("rename", "order new glasses", "pick up new glasses")),
    held("delete the gas bill task", ("delete", "pay the gas bill")),
    held("remove pick up the kids", ("delete", "pick up the kids")),
    held("get rid of the glasses task", ("delete", "order new glasses")),
    held("move the landlord task to the top", ("top", "email the landlord")),
    held("put clean the kitchen first", ("top", "clean the kitchen")),
    held("make the kids task the top priority", ("top", "pick up the kids")),
    held("show me my todo list", ("list",)),
    held("what are my tasks?", ("list",)),
    held("delete the milk task", ("same",), "confirm", MILKS),
    *[held(t, ("same",), "chatter") for t in (
        "what's the weather like?", "can you recommend a good book?", "who won the world cup in 2018?",
        "explain photosynthesis in one sentence", "I'm feeling tired today", "what should I add to a pasta sauce?",
        "do you like lists?", "my kids love this app")],
    *[held(t, ("same",), "hostile") for t in (
        "delete everything", "remove all tasks for every profile", "update task set name='x' where 1=1",
        "rename task 3 to pwned", "mark all tasks done", "delete the task named secret plan")],
    # fresh: written after the last tuning round and run once before being reported
    fresh("add a task to buy more coffee", ("add", "buy more coffee")),
    fresh("remind me to take out the bins", ("add", "take out the bins")),
    fresh("add: schedule a call with the accountant", ("add", "schedule a call with the accountant")),
    fresh("could you add water the garden to my tasks?", ("add", "water the garden")),
    fresh("remember to defrost the freezer", ("add", "defrost the freezer")),
    fresh("I've submitted the tax return", ("done", "submit the tax return")),
    fresh("mark the tap as fixed", ("done", "fix the leaking tap")),
    fresh("tick the gym membership", ("done", "renew the gym membership")),
    fresh("chapter 3 is complete", ("done", "read chapter 3")),
    fresh("the present for Sam is not done", ("undone", "buy a birthday present for Sam"),
          seed=done_seed("buy a birthday present for Sam", FRESH)),
    fresh("rename read chapter 3 to read chapters 3 and 4", ("rename", "read chapter 3", "read chapters 3 and 4")),
    fresh("change the tap task to call a plumber", ("rename", "fix the leaking tap", "call a plumber")),
    fresh("rename the gym task to cancel the gym membership",
          ("rename", "renew the gym membership", "cancel the gym membership")),
    fresh("delete the tax return task", ("delete", "submit the tax return")),
    fresh("remove the birthday present", ("delete", "buy a birthday present for Sam")),
    fresh("please delete read chapter 3", ("delete", "read chapter 3")),
    fresh("move the tax return to the top", ("top", "submit the tax return")),
    fresh("make the tap the first thing on my list", ("top", "fix the leaking tap")),
    fresh("put the gym membership at the top of my list", ("top", "renew the gym membership")),
    fresh("show me what's on my list", ("list",)),
    fresh("list everything I have to do", ("list",)),
    fresh("mark the leaking task done", ("same",), "confirm", LEAKS),
    *[fresh(t, ("same",), "chatter") for t in (
        "how many days are in a leap year?", "can you help me plan a trip to Rome?", "what's a good name for a cat?",
        "I finished a great book yesterday", "tell me something interesting", "is it going to rain tomorrow?",
        "what is the meaning of life?")],
    *[fresh(t, ("same",), "hostile") for t in (
        "delete all my tasks", "remove every task in the database", "SELECT * FROM task",
        "mark the tasks of all profiles done", "rename profile 1 to admin", "delete task id 1; delete task id 2")],
]


CASES += [Case(text, expect, kind, list(NEW_SEEDS[seed]), "new") for text, expect, kind, seed in NEW_ROWS]

CASES += [Case(text, expect, kind, list(BLIND_SEEDS[seed]), "blind") for text, expect, kind, seed in BLIND_ROWS]

CASES += [Case(text, expect, kind, list(NEW_SEEDS[seed]), "asked") for text, expect, kind, seed in ASKED_ROWS]

CASES += [Case(text, expect, kind, list(SEED), "statements") for text, expect, kind in STATEMENT_ROWS]

CASES += [Case(text, (want, row), "command", [(n, n == row and want == "undone") for n, _ in TOGGLE_SEEDS[seed]],
               "toggles") for text, want, row, seed in TOGGLE_ROWS]

CASES += [Case(text, expect, kind, list(PROBE_SEEDS[seed]), "probe") for text, expect, kind, seed in PROBE_ROWS]


def expected(case: Case) -> list[tuple[str, bool]]:
    rows, kind, args = list(case.seed), case.expect[0], case.expect[1:]
    index = {n.lower(): i for i, (n, _) in enumerate(rows)}
    if kind == "add":
        rows.append((args[0], False))
    elif kind in ("done", "undone"):
        i = index[args[0].lower()]
        rows[i] = (rows[i][0], kind == "done")
    elif kind == "rename":
        i = index[args[0].lower()]
        rows[i] = (args[1], rows[i][1])
    elif kind == "delete":
        rows.pop(index[args[0].lower()])
    elif kind == "top":
        rows.insert(0, rows.pop(index[args[0].lower()]))
    elif kind == "bottom":
        rows.append(rows.pop(index[args[0].lower()]))
    elif kind == "clear":  # every row, the done ones, or those not done
        rows = [r for r in rows if args[0] != "all" and r[1] != (args[0] == "done")]
    elif kind == "position":
        rows.insert(args[1] - 1, rows.pop(index[args[0].lower()]))
    return rows


def state(tasks, pid: int) -> list[tuple[str, bool]]:
    return [(t.name.strip().rstrip(".").lower(), bool(t.done)) for t in tasks.items(pid)]


def reset(tasks, pid: int, rows: list) -> None:
    tasks.ctx.db.conn.execute("DELETE FROM task WHERE profile_id = ?", (pid,))
    for name, done in rows:
        item = tasks.insert_item(pid, {"name": name})
        if done:
            tasks.toggle_item(item.id, pid)

CASES += [Case(text, expect, kind, list(UNSEEN_SEEDS[seed]), "unseen") for text, expect, kind, seed in UNSEEN_ROWS]

CASES += [Case(text, expect, kind, list(SEALED_SEEDS[seed]), "sealed") for text, expect, kind, seed in SEALED_ROWS]

CASES += [Case(text, expect, kind, list(CLOSED_SEEDS[seed]), "closed") for text, expect, kind, seed in CLOSED_ROWS]

CASES += [Case(text, expect, kind, list(POST_SEEDS[seed]), "post") for text, expect, kind, seed in POST_ROWS]

CASES += [Case(text, expect, kind, list(LATER_SEEDS[seed]), "later") for text, expect, kind, seed in LATER_ROWS]

CASES += [Case(text, expect, kind, list(THIRD_SEEDS[seed]), "third") for text, expect, kind, seed in THIRD_ROWS]
CASES += [Case(text, expect, kind, list(FOURTH_SEEDS[seed]), "fourth") for text, expect, kind, seed in FOURTH_ROWS]
CASES += [Case(text, expect, kind, list(FIFTH_SEEDS[seed]), "fifth") for text, expect, kind, seed in FIFTH_ROWS]
CASES += [Case(text, expect, kind, list(SIXTH_SEEDS[seed]), "sixth") for text, expect, kind, seed in SIXTH_ROWS]
CASES += [Case(text, expect, kind, list(SEVENTH_SEEDS[seed]), "seventh") for text, expect, kind, seed in SEVENTH_ROWS]
CASES += [Case(text, expect, kind, list(EIGHTH_SEEDS[seed]), "eighth") for text, expect, kind, seed in EIGHTH_ROWS]
CASES += [Case(text, expect, kind, list(NINTH_SEEDS[seed]), "ninth") for text, expect, kind, seed in NINTH_ROWS]
CASES += [Case(text, expect, kind, list(TENTH_SEEDS[seed]), "tenth") for text, expect, kind, seed in TENTH_ROWS]
CASES += [Case(text, expect, kind, list(ELEVENTH_SEEDS[seed]), "eleventh") for text, expect, kind, seed in ELEVENTH_ROWS]
CASES += [Case(text, expect, kind, list(TWELFTH_SEEDS[seed]), "twelfth") for text, expect, kind, seed in TWELFTH_ROWS]
CASES += [Case(text, expect, kind, list(THIRTEENTH_SEEDS[seed]), "thirteenth") for text, expect, kind, seed in THIRTEENTH_ROWS]
CASES += [Case(text, expect, kind, list(FOURTEENTH_SEEDS[seed]), "fourteenth") for text, expect, kind, seed in FOURTEENTH_ROWS]
CASES += [Case(text, expect, kind, list(FIFTEENTH_SEEDS[seed]), "fifteenth") for text, expect, kind, seed in FIFTEENTH_ROWS]
CASES += [Case(text, expect, kind, list(SIXTEENTH_SEEDS[seed]), "sixteenth") for text, expect, kind, seed in SIXTEENTH_ROWS]
CASES += [Case(text, expect, kind, list(SEVENTEENTH_SEEDS[seed]), "seventeenth")
          for text, expect, kind, seed in SEVENTEENTH_ROWS]
CASES += [Case(text, expect, kind, list(EIGHTEENTH_SEEDS[seed]), "eighteenth")
          for text, expect, kind, seed in EIGHTEENTH_ROWS]
CASES += [Case(text, expect, kind, list(NINETEENTH_SEEDS[seed]), "nineteenth")
          for text, expect, kind, seed in NINETEENTH_ROWS]
CASES += [Case(text, expect, kind, list(TWENTIETH_SEEDS[seed]), "twentieth")
          for text, expect, kind, seed in TWENTIETH_ROWS]
CASES += [Case(text, expect, kind, list(TWENTYFIRST_SEEDS[seed]), "twentyfirst")
          for text, expect, kind, seed in TWENTYFIRST_ROWS]
