"""Which action a message asks for, chosen by how likely the model finds each one, calibrated.

SmolLM2-135M is poor at writing an action's name under a grammar: it repeats whichever answer
its examples or its prior favour ("add" for almost anything). It is much better at judging which
of a few sentences continues a reply best. So the first step of the embedded decision scores, for
each offered action, the sentence "To do what the user said, I will <the action's own
description>" (from the registry, so every app gets this for its own actions), plus two sentences
for answering in words. The scores are calibrated: the same sentences are scored after a message
that says nothing ("N/A"), and that prior is subtracted, so a sentence the model likes whatever
was said ("add a task") no longer wins by default. The highest calibrated score is the choice.

The other direction is scored too: how likely the user's message is after "The user asks you
to <description>, as in “<one of the action's examples>”" (a noisy-channel score). It asks the
small model something it is better at, whether the words fit what it was told to expect, and
the action's examples (``Action.examples``, declared by its app) prime it with how people ask
for it. The two scores are added. On the tuning sets (bench/actions_eval.py, 79 commands) the
verb was right for 38 with the first score alone, 61 with both.

A change chosen for a message that asks rather than tells is offered, never run (``Choice.offer``):
the message is punctuated as a question, or, with its own end marks taken off, the model finds
"?" the likeliest way for the user to have ended it (``reads_as_question``). The first is the
form the user chose; the second catches a question typed without its mark. Ending a sentence is
syntax, which a small model knows well: on the eval sets it told every question (58 of 58) from
every command (113) that the first reading below could not ("has the library task been done").
It is asked only about a message whose syntax lets it be a question (mood.py: a wh-word, or an
auxiliary before its subject); on longer messages it had guessed "?" for commands and reports.
A request typed as a question ("can you add milk?", "could you tick it off?") asks the assistant
to act, not to say what is so, so it is run (``requests``): the model reads the message as a
request rather than a question, and expects the reply to open by agreeing ("Sure") rather than by
answering ("Yes", "No"). The two log-odds are added, so neither reading decides alone.

For a message that names one row and is not in question form, a third reading is added for the
changes said by the row alone: how likely the reply doing each on that row is, against a plain
reply (replies.py). When such a message reports the row's deed done in so many words ("I called
Bob" for "call Bob"), or not done while it is marked done, or the flag's own reading is sure a
row marked done is not (flags.unsays), and the model chose no change, the
action that records it is chosen (deeds.py). A message that quotes a new version of the row its
other words name is a rename, whatever the model read (named.requoted); so is one that writes the
row again in another version, over any other change the model read (named.restated). Some words
are read with a dictionary (lexicon.py): a verb that means the delete's ("scrap", "get rid of")
said of a row chooses the delete, and a verb reversed by "un" ("uncheck") said of a done row the
tick's action. An action's verb in the past with no subject ("✓ Marked …") is a receipt pasted,
and its change only offered.

Backends that can score (``supports_scoring``: ``score``, ``score_turns``, ``score_turn_end``) get this; the
arguments are then filled by a grammar-constrained call restricted to the chosen action
(intent.py).
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, NamedTuple

from cardflow.actions.base import Action
from cardflow.chat import deeds, flags, mood, named, replies
from cardflow.chat.intent_prompt import first_clause

LEAD = "To do what the user said, I will"
CHAT = "chat"
QUESTION = "question"
# Answering in words, split as the decision splits it: a question may still run a read-only action.
SPOKEN = {CHAT: "just chat with them.", QUESTION: "answer their question."}
# What a chat message and a question look like, for the channel score (actions bring their own).
SPOKEN_EXAMPLES: dict[str, tuple[str, ...]] = {CHAT: ("hi, how are you?",), QUESTION: ("is that one done yet?",)}
ASKED = "The user asks you to"
KIND_LEAD = "The user's message is"  # then a request or a question (``requests``)
KINDS = (" a request.", " a question.")
REPLIES = ("Sure", "Yes", "No")  # how the reply opens: agreeing to act, or answering
REQUEST_MARGIN = 1.0  # nats by which the two readings together must call a message a request
NEUTRAL = "N/A"  # a message that asks for nothing: the prior the scores are calibrated against
MAX_BASELINES = 16
MAX_EXAMPLES = 3  # of an action's, in its channel prompt
# A message in an app is mostly about that app: an action of another app (switch profile, open an
# app) has to be this much likelier (in nats) to be chosen over the open app's own.
ELSEWHERE = 1.0
# How close (in nats) an option must have come to the choice to be tried when the message's words
# cannot support the choice itself (intent.decide). On the old sets' scores, 1 nat took "show my
# tasks" from a get naming no row to the list, and "remember to defrost the freezer" from a
# delete to an add, and no hostile line anywhere; 3 nats turned "drop table task" into a list.
NEAR = 1.0
# The same for an option that changes nothing without a click: one that only reads, or one that
# asks first (``Action.confirm``: a delete). A wider window for every option wrote for words
# that did not ask: at any distance "remove every task in the database" added "every task in the
# database", and at 3 nats for actions naming a row, "change the tap task to call a plumber" (its
# new name not grounded) moved the tap task to the top (2026-12-04).
FAR = 3.0
# A change to every row at once (``Action.every``: a clear) must lead the best read by this much, or
# the read is chosen: mistaking a request to see the list for one to empty it is the worse error
# ("Can I see all my tasks please?" and "which tasks are still open?" chose a clear by 0.2-1.0
# nats over the list, "how many tasks are left?" by 0.03). The clears asked for in the eval sets
# led by 3 to 30 ("remove everything" 3.2, "delete every task" 28).
SPARE = 2.0
ENDINGS = ("?", ".", "!")  # the question mark first
ENDING = re.compile(r"[\s?!.？！。…]+$")
QUESTION_MARK = re.compile(r"[?？](?=[\s\"'”’)\]!?？]*(?:$|\s))")  # ends a sentence, not inside a word ("what?ever")


class Choice(NamedTuple):
    label: str  # "chat", "question" or an action name
    scores: dict[str, float]  # every option's calibrated score
    offer: bool = False  # a change for a message that asks: shown with Confirm, never run by itself
    said: bool = False  # chosen by what the words say (a quoted new name, a reported deed), not by the scores
    unmet: str = ""  # the action read best, whose row the words do not name (``Words.unreached``), when words were chosen


def asked(text: str) -> bool:
    """Whether the message is punctuated as a question (a sentence of it ends with "?")."""
    return bool(QUESTION_MARK.search(text))


async def reads_as_question(backend: Any, system: str, text: str) -> bool:
    """Whether "?" is the likeliest end of the message, its own end marks taken off."""
    bare = ENDING.sub("", text[:500])
    if not bare or not mood.may_ask(bare):  # no wh-word, no auxiliary before a subject: not a question
        return False
    mark, *others = await backend.score_turn_end([{"role": "system", "content": system}], bare, list(ENDINGS))
    return bool(mark > max(others))

_baselines: OrderedDict[tuple[int, str, tuple[str, ...]], list[float]] = OrderedDict()  # per model


def phrase(action: Action) -> str:
    """The first clause of the action's description, as the end of "I will ...": "add a task."."""
    first = first_clause(action)
    return first[:1].lower() + first[1:] + "."


def options(actions: Sequence[Action]) -> list[tuple[str, str]]:
    """(label, sentence) for answering in words and for each action."""
    return [*SPOKEN.items(), *((a.name, phrase(a)) for a in actions)]


def expectations(system: str, actions: Sequence[Action]) -> list[list[dict[str, str]]]:
    """For each option, the scorer's context saying what the user is about to ask, with an example."""
    examples = {**SPOKEN_EXAMPLES, **{a.name: a.examples for a in actions if a.examples}}
    out = []
    for label, sentence in options(actions):
        said = " or ".join(f"“{e}”" for e in examples.get(label, ())[:MAX_EXAMPLES])
        example = f", as in {said}" if said else ""
        out.append([{"role": "system", "content": f"{system} {ASKED} {sentence[:-1]}{example}."}])
    return out


def system_text(title: str, noun: str, names: Sequence[str]) -> str:
    rows = f" The user's {noun}s: {', '.join(names)}." if names else ""
    return f'You are the assistant of the "{title}" app.{rows}'


def said(system: str, message: str) -> list[dict[str, str]]:
    """What the scorer is shown before "To do what the user said, I will …"."""
    return [{"role": "system", "content": system}, {"role": "user", "content": message[:500]}]


async def requests(backend: Any, system: str, text: str) -> bool:
    """Whether the model reads a message as asking it to act ("can you add milk?"), not to answer.

    Measured on 28 hand-written requests (each with and without "?", under two lists of rows) and
    the eval sets' 48 questions that ask: the label alone put 33 of 48 questions on the request
    side (the model calls most messages requests), the reply alone kept 12 of 27 requests. With
    the sum, every question whose choice was a change stayed below 0 ("should I delete the
    offsite task": -0.05 to -0.89, a yes/no question about a row -1.7 to -3.3), and 41 of the 48
    readings of requests other than deletes were above ``REQUEST_MARGIN``. At 0, two such questions crossed
    it in one eval run: the figures move by up to ~0.7 with the scorer's cache.
    """
    seen = said(system, text)
    request, question = await backend.score(seen, KIND_LEAD, list(KINDS))
    agree, *answers = await backend.score(seen, "", list(REPLIES))
    return bool((request - question) + (agree - max(answers)) > REQUEST_MARGIN)


async def in_question_form(backend: Any, system: str, text: str) -> bool:
    """Whether "?" is typed, or is the model's likeliest end of the message."""
    return asked(text) or await reads_as_question(backend, system, text)


async def asks(backend: Any, system: str, text: str, form: bool | None = None) -> bool:
    """Whether the message asks rather than tells: in question form (``form``, if already read),
    and not read as a request to act."""
    if not (await in_question_form(backend, system, text) if form is None else form):
        return False
    return not await requests(backend, system, text)


def runners_up(picked: Choice, actions: Sequence[Action]) -> list[Action]:
    """The actions scored within ``NEAR`` of the choice (``FAR`` for one that changes nothing without
    a click) and above answering in words, best first."""
    best = picked.scores[picked.label]
    floor = max(picked.scores[CHAT], picked.scores[QUESTION])

    def window(action: Action) -> float:
        return FAR if action.read_only or action.confirm else NEAR

    # A runner-up that would only barely beat answering in words is not tried either (``barely``).
    near = [a for a in actions if a.name != picked.label and floor < picked.scores.get(a.name, -math.inf)
            and best - picked.scores[a.name] <= window(a) and not barely(picked, a)]
    return sorted(near, key=lambda a: -picked.scores[a.name])


def spoken(picked: Choice) -> float:
    """The score of answering in words: the better of chatting and answering a question."""
    return max(picked.scores.get(label, -math.inf) for label in SPOKEN)


def nearly(picked: Choice, actions: Sequence[Action]) -> list[Action]:
    """The changes scored within ``NEAR`` of answering in words, best first, when answering in words won.

    They are offered after the answer, never run: the model's reading of a tick in unseen words
    ("check off call mum", "read chapter 3 is finished now") often puts answering a question a
    fraction of a nat ahead of the toggle. The first whose arguments the words ground is offered
    (assist.py): the closest is often a change that needs words the message lacks (a move with no
    place), with the one meant just behind it.
    """
    if picked.label not in SPOKEN or picked.label not in picked.scores:  # no scores: the scorer failed
        return []
    return _close(picked, actions)


def _close(picked: Choice, actions: Sequence[Action]) -> list[Action]:
    floor = spoken(picked) - NEAR
    close = [a for a in actions if not a.read_only and picked.scores.get(a.name, -math.inf) >= floor]
    return sorted(close, key=lambda a: -picked.scores[a.name])


def unsure(picked: Choice, actions: Sequence[Action], chosen: Action | None) -> list[Action]:
    """The changes to offer after an answer in words rather than run or drop, best first: answering
    in words and a change came within ``NEAR`` of each other, whichever won (``nearly``, ``barely``)."""
    if chosen is None:
        return nearly(picked, actions)
    return _close(picked, actions) if barely(picked, chosen) and not picked.said else []


def barely(picked: Choice, chosen: Action) -> bool:
    """Whether a change that writes the message's own words won by less than ``NEAR`` over answering
    in words: the other side of ``nearly``.

    It is offered after an answer, as a change that nearly won is, not run. These are the changes
    the reply reading does not weigh (``replies.said_by_row`` is None: an add's or a rename's new
    name, a stretch of the message): a near tie writes a stretch of a remark into the list. In the
    sixth set's first run "ugh, renewing car insurance is the worst, every single year" renamed the
    task "worst, every single year" (0.66 nats ahead), and in earlier runs "the milk went off" and
    "thanks, that helps" wrote the same way. On every set's lines (docs/assistant.md, "A change
    that barely won") this stopped the 7 remarks whose change would have run that way and offered
    1 right command. Applied to every change it also offered 6 ticks the reply reading had already
    weighed against a plain reply. A change that asks first anyway (a delete) keeps its Confirm.
    """
    return not chosen.read_only and not chosen.confirm and replies.said_by_row(chosen) is None \
        and picked.scores[chosen.name] - spoken(picked) < NEAR


async def choose(backend: Any, system: str, text: str, actions: Sequence[Action], app: str = "",
                 words: named.Words = named.Words()) -> Choice:
    """The option chosen for ``text``, every calibrated score, and whether a change may only be offered.

    ``words``: what the message's words say (named.read). For a message naming one row
    (``words.row``) that is not in question form, the changes said by the row alone are also read
    as the reply (replies.py). A message quoting a new version of the row it names
    (``words.requoted``) is a rename, whatever the model read. A request in a question's form that
    its words ground (``words.bid``: "can you put the fence one back to not done") is read as a
    command, not a question; one that quotes a new name and names no row ("could u put 'oil the
    gate' on there") asks for the one change that makes a row of a new name (``named.creates``), as
    does a new name under a heading in the app's own words (``words.headed``: "todo: hoover the stairs"),
    and one that names no row and puts what it said on the list (``words.put``: "I have to order
    printer ink, put it on the list", which showed the list).
    """
    row, row_done, noun = words.row, words.row_done, words.noun
    labels = [label for label, _ in options(actions)]
    sentences = tuple(" " + sentence for _, sentence in options(actions))

    key = (id(backend), system, sentences)
    prior = _baselines.get(key)
    if prior is None:
        prior = await backend.score(said(system, NEUTRAL), LEAD, list(sentences))
        _baselines[key] = prior
        while len(_baselines) > MAX_BASELINES:
            _baselines.popitem(last=False)
    _baselines.move_to_end(key)
    raw = await backend.score(said(system, text), LEAD, list(sentences))
    fits = await backend.score_turns(expectations(system, actions), text)
    reading = {label: now - before for label, now, before in zip(labels, raw, prior, strict=True)}
    scores = {label: reading[label] + fit for label, fit in zip(labels, fits, strict=True)}
    for action in actions:
        if action.app != app:
            scores[action.name] -= ELSEWHERE
    form: bool | None = False if words.bid else None
    if row is not None:
        form = form if form is not None else await in_question_form(backend, system, text)
        if not form:
            replied = await replies.fits(backend, said(system, text), said(system, NEUTRAL), row, actions)
            for name, fit in replied.items():
                scores[name] += replies.WEIGHT * fit
    writes = {a.name for a in actions if not a.read_only}
    # An action whose row the words do not name cannot be grounded, so the best of the others is
    # chosen, or answering in words: "show my tasks" was read as a get. A read gives way to another
    # read, never to a change ("let me see every one of them", a get naming no row, had a clear of
    # every task close behind it). A change gives way only to what came close to it, as a runner-up
    # did: another change within ``NEAR``, a read within ``FAR``. At any distance, "mark task 99
    # done" added a task "mark task 99", and "move the dentist one to the top", with no such row,
    # showed the Activity log. Answering in words, the app says what was read best could not be
    # done (``Choice.unmet``).
    top = max(scores, key=lambda label: scores[label])
    unmet = top if top in words.unreached else ""
    by_name = {a.name: a for a in actions}

    def stands_in(label: str) -> bool:
        if label in words.unreached:
            return False
        if not unmet or label in SPOKEN:
            return True
        if unmet not in writes:
            return label not in writes
        if label in writes and barely(Choice(top, scores), by_name[label]):
            return False  # a new name on so narrow a lead over words is not written
        return bool(scores[unmet] - scores[label] <= (NEAR if label in writes else FAR))

    best = max((label for label in scores if stands_in(label)), key=lambda label: scores[label])
    # A row restated in another version unquoted (``words.restated``) is a rename over any other
    # change or read the model chose; answering in words stands (a remark can restate a row).
    renamer = next((a.name for a in actions if a.app == app and named.renames(a)), None) \
        if words.requoted or (words.restated and best not in SPOKEN) else None
    maker = next((a.name for a in actions if a.app == app and named.creates(a)), None) \
        if (words.bid and words.fresh) or words.headed or words.put or words.opened else None
    chosen_by_words = bool(renamer or maker)
    best = renamer or maker or best
    changed_instead = False
    if words.changes and not chosen_by_words and best in by_name and named.creates(by_name[best]):
        # A clause asks, in the app's own verb, for a change to rows ("rename every task to 'hacked
        # lol'" was added as a task "hacked lol"): a new row is not what was asked. The change named
        # is offered if its row is named (the model read it as less likely than an add, so it is not
        # run); otherwise nothing is, and the app says so (``unmet``).
        changed_instead = words.changes in by_name and words.changes not in words.unreached
        best, unmet = (words.changes, unmet) if changed_instead else (
            max(SPOKEN, key=lambda label: scores[label]), words.changes)
    if any(a.every and a.name == best and not a.read_only for a in actions):
        read = max((a.name for a in actions if a.read_only and a.name not in words.unreached),
                   key=lambda label: scores[label], default=None)
        best = read if read is not None and scores[best] - scores[read] < SPARE else best
    deed = next((a for a in actions if a.deed_flag), None)
    remover = next((a.name for a in actions if a.app == app and named.removes(a)), None) \
        if words.off or words.discards else None
    only_offer = changed_instead
    if remover and best != remover:
        # The row named goes off the list in the app's own words ("take the library book off my
        # list", "remove 'X' from the list"), or by a verb the dictionary says means the app's own
        # ("scrap the compost task": ``words.discards``): that asks for the one change that takes a row away,
        # which asks first (a delete's Confirm). It had been moved to the bottom, shown the list, or
        # answered in words. A tick is said so too ("tick X off my list"): the deed's action stands
        # when the model reads it likelier than the delete, but is only offered unless it was the
        # model's own choice by ``NEAR`` or more ("take 'give Dan's drill back' off my list" had
        # the tick 0.4 nats ahead, and ran). A verb that means the delete's means no tick's.
        tick = deed.name if deed is not None else None
        picked, best = best, remover if best != tick or words.discards else best
        chosen_by_words = chosen_by_words or best == remover
        if tick and not words.discards and scores.get(tick, -math.inf) > scores.get(remover, -math.inf):
            best = tick
            only_offer = picked != tick or scores[tick] - scores[remover] < NEAR
    if words.reverses and row_done and deed is not None:
        # "uncheck the expense report", "undo the tick on buy milk": a verb reversed by "un" said of a
        # row marked done asks to reverse its deed, which the model had read as a delete.
        best, chosen_by_words = deed.name, chosen_by_words or best != deed.name
    if row is not None and deed is not None and not form and best not in writes:
        # A report that the row's deed is done ("the plants are watered"), or not done while it is
        # marked done ("the bike isn't serviced yet"), asks to record it, though the model reads it
        # as a question or small talk (deeds.py); so does a row marked done said not to be, so
        # plainly that the flag's own reading is sure of it (flags.unsays: "the fence isn't
        # finished after all, untick it"). A change it chose stands.
        reported = deeds.report(text, row)
        if reported or (reported is False and row_done) or (
                reported is None and row_done and await flags.unsays(backend, system, text, noun, deed.deed_flag)):
            best, chosen_by_words = deed.name, True
    # A question never writes. The channel score is about words ("paid", "at the top" fit a toggle
    # and a move), and the direct reading does not separate "has the report been done" from "mark
    # the report done" (docs/assistant.md), so a change for a message that asks is only offered: the
    # user answers it with a click.
    # Markup outside a new name is formatting copied from elsewhere, not a request typed here ("<b>Task
    # completed:</b> Net the brassicas ✓", a forged receipt, ticked the task): a change that takes
    # no text of the message is only offered. In an add or a rename it is the name, kept as written.
    # So is a message in the app's own receipt voice ("✓ Marked "Redirect the post" as done", "task 'X'
    # marked done by admin": an action's verb in the past, no subject before it, ``words.receipted``).
    if best in writes and (words.receipted or (named.marked_up(text) and not (
            named.creates(by_name[best]) or named.renames(by_name[best])))):
        only_offer = True
    offer = best in writes and (only_offer or await asks(backend, system, text, form))
    if unmet in writes and best in SPOKEN and await asks(backend, system, text, form):
        unmet = ""  # a question about a change to a row that is not there is answered, as any question
    return Choice(best, scores, offer, chosen_by_words, unmet if best in SPOKEN else "")
