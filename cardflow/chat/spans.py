"""A new name is a stretch of the user's own words: the model picks which stretch, by likelihood.

Asked to write a new name under a grammar, the 135M model decodes greedily and stops early or
skips a word: "Bob" for "add a task to call Bob", "annual report" for "rename the report task
to write the annual report". Every stretch of whole words in the message is a candidate instead
(wrapping quotes and end punctuation dropped, as ``grounding.unquote`` does), and the model
scores each one inside the call it already wrote, closing quote included, so "the name ends
here" is part of the score. The candidate with the best mean log-probability per token wins. One batch on a scoring backend
(``supports_scoring``); nothing here knows any word of any language.

That reading favours what the model would have written itself, often the object without its verb
("insurance company" for "can you add a task to call the insurance company", "babysitter" for
"can you add a task to text the babysitter"). So the best few are read a second way
(``said_as``): the message with the stretch swapped for a name of the same kind the user already
has (one of their rows), scored as the user's message. Only the stretch that is the whole name
leaves a message that reads as one ("can you add a task to water the plants", not "… to text the
water the plants"). Both readings are per-token means, and they are added. On 39 adds and
renames written for it (in no eval set), of the 30 read as an add or a rename, the first reading
alone named 24 right, the two added 28, and none went the other way.

Neither reading is asked where the user already said it: a stretch in quotes among the candidates
is the value as written, and with several in quotes the model picks among those only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from typing import Any

from cardflow.chat.clauses import crossings, descriptions, next_clause, with_noun
from cardflow.chat.grounding import FUNCTION_WORDS, MIN_OWN, QUOTES, quoted, reference, unquote, words

MAX_WORDS = 12  # the longest stretch tried; longer names are left to the model's own copy
MAX_CANDIDATES = 120
# How far (in words) a stretch may start or end from the model's own copy: it drops or adds a word
# or two ("Bob" for "call Bob"), and every stretch scored costs (a 12-word rename had 60 of them).
WIDEN = 3
MARK = "\x00value\x00"
SHORTLIST = 5  # the first reading's best stretches, read again as the message (``said_as``)
# The words of courtesy a request opens or closes with ("add pick up the parcel pls", "thanks"):
# English's closed class of them, as the function words are (grounding.py). A name the user did
# not quote neither starts nor ends with one: "… dry cleaning pls" was stored with its "pls".
COURTESIES = frozenset({"please", "pls", "plz", "plez", "thanks", "thx", "ty", "ta", "cheers"})
# The prepositions that say where a new row goes ("add X to my list", "put X on the list"): a name
# the user did not quote does not end with one and the app's own words for itself (``_destination``).
WHERE_TO = frozenset({"to", "on", "onto", "in", "into"})
# What stands for a row said elsewhere in the message ("…, put it on the list"): English's closed class.
STAND_INS = frozenset({"it", "that", "this", "them", "these", "those"})
OFF = frozenset({"off", "from"})  # the prepositions that say where a row is taken from
# A token with a letter or a digit in it. One without (an emoji, "—", "→") at a name's edge is
# decoration: "new task: exchange euros for the holiday 💶" was stored with its 💶.
WORDLIKE = re.compile(r"\w")
# The user speaking of themselves: "I", "we" and their contractions open a sentence about the user,
# never a thing to do ("I need to pick up my glasses, add that to the list" was stored whole).
# Their subject left out, English's semi-modals of need say the same ("need to give the neighbours
# our new address, pop that on my list" was stored with its "need to"): no name opens with one.
NEEDS = r"(?:need|needs|have|has|got|ought)\s+to|gotta|must"
SPEAKER = re.compile(rf"(?:(?:i|we)(?:['’](?:m|ve|ll|d|re))?|{NEEDS})(?=\s|$)", re.IGNORECASE)

# What the user says they are to do starts where saying so ends: after a semi-modal of need ("I
# have to", "need to", "must") or a verb that has the user do it ("remind me to", "help us to"),
# and after each further verb chained to it by "to" ("need to remember to buy …").
NEED = re.compile(rf"(?:(?:i|we)\s+)?(?:{NEEDS}|(?:\w+\s+)?(?:me|us)\s+to)(?=\s|$)", re.IGNORECASE)


def todo_starts(text: str) -> list[int]:
    """Where a thing the user says they are to do may start (``NEED``), as offsets in ``text``."""
    found = list(re.finditer(r"\S+", text))
    out: list[int] = []
    for need in NEED.finditer(text):
        if need.start() and not text[need.start() - 1].isspace():
            continue  # inside a word
        k = next((i for i, m in enumerate(found) if m.start() >= need.end()), len(found))
        while k < len(found):
            out.append(found[k].start())
            chained = [words(m.group()) for m in found[k + 1 : k + 3]]
            step = 2 if chained[:1] == [["to"]] else 3 if chained in ([["me"], ["to"]], [["us"], ["to"]]) else 0
            if not step:
                break
            k += step
    return out


def _stretches(text: str) -> list[tuple[int, int, str]]:
    """(first word, last word, the stretch unquoted) for every stretch of up to ``MAX_WORDS`` whole words."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    return [(i, j, unquote(text[spans[i][0] : spans[j][1]]))
            for i in range(len(spans)) for j in range(i, min(len(spans), i + MAX_WORDS))]


def _words_of(text: str, part: str) -> tuple[set[int], bool]:
    """The positions of the words the first literal occurrence of ``part`` in ``text`` covers, and
    whether the words before it already name it ("rename the library task: return the library …").

    Where ``part`` is not written whole, the first run of its words the message writes that has a
    word of its own (not a function word): "the expense report" in "reword the expense report task
    to file the expense report" for "submit the expense report". Not the longest run: a new name
    that repeats the row's words is often longer than what named the row before it ("the charity
    task: donate the old clothes and shoes to charity" for "donate the old clothes to charity"),
    and taking its run for the row cut the new name to what followed it ("and shoes to charity")."""
    written = _occurrences(text, part)
    if not written:
        found = list(re.finditer(r"\S+", text))
        own = set(words(part))
        run: list[int] = []
        for k, m in enumerate([*found, None]):
            said = words(m.group()) if m else []
            if said and set(said) <= own:
                run.append(k)
                continue
            if any(len(w) >= MIN_OWN and w not in FUNCTION_WORDS for i in run for w in words(found[i].group())):
                return set(run), False
            run = []
        return set(), False
    at, covered = written[0]
    return covered, reference("", [part], text[:at]) is not None


def glued(word: str, glue: Collection[str]) -> bool:
    """A function word, a word of the app's phrasing, or two of them written as one ("todo")."""
    def known(part: str) -> bool:
        return part in FUNCTION_WORDS or part in glue

    return known(word) or any(known(word[:k]) and known(word[k:]) for k in range(1, len(word)))


def app_words(said: Sequence[str], glue: Collection[str]) -> bool:
    """Whether the words are the app's own (``glued``), at least one of them more than a function word:
    "my to-do list", "new task"; not "to my", nor "the landlord"."""
    return all(glued(w, glue) for w in said) and any(w not in FUNCTION_WORDS for w in said)


def _destination(said: Sequence[str], glue: Collection[str]) -> bool:
    """Whether the words end by saying where the row goes, in the app's words: "… to my to-do list",
    "… on the list", "… onto my tasks" (a preposition of ``WHERE_TO``, then function words and the
    app's phrasing only, at least one of those)."""
    return any(said[k] in WHERE_TO and app_words(said[k + 1:], glue) for k in range(1, len(said)))


def puts_on(text: str, glue: Collection[str], fresh: Sequence[str] = ()) -> bool:
    """Whether a clause puts what the message said elsewhere on the app's list, in its own words:
    "I have to order printer ink, put it on the list", "stick 'cancel the trial' on my list" (a
    pronoun standing for it, ``STAND_INS``, or a quoted new name of ``fresh``, then a preposition
    of ``WHERE_TO``, then only function words, courtesies and the app's phrasing, at least one of
    those, to the clause's end). "what's on my list" and "show me what's on my list" put nothing."""
    for name in fresh:
        text = text.replace(name, " it ", 1)
    for clause in re.split(r"[,;!?.]", text):
        said = [w for w in words(clause) if w not in COURTESIES]
        if any(w in WHERE_TO and said[k - 1] in STAND_INS and app_words(said[k + 1:], glue)
               for k, w in enumerate(said) if k):
            return True
    return False


def takes_off(text: str, glue: Collection[str]) -> bool:
    """Whether the message says something goes off the app's list, in its own words: "take X off my
    list", "… from the list" (``OFF``, then only function words, courtesies and the app's phrasing,
    at least one of those, to the clause's end). Such a message asks for no new row."""
    for clause in re.split(r"[,;!?.]", text):
        said = [w for w in words(clause) if w not in COURTESIES]
        if any(w in OFF and app_words(said[k + 1:], glue) for k, w in enumerate(said)):
            return True
    return False


def candidates(text: str, exclude: Sequence[str] = (), row: str = "", limit: int | None = MAX_CANDIDATES,
               glue: Collection[str] = (), verb: str = "", named: str = "") -> list[str]:
    """Every stretch of whole words in ``text``, unquoted, without those in ``exclude`` (case-insensitive).

    Never one that opens or closes with a word of courtesy (``COURTESIES``) unless the user quoted
    it so, nor one that ends by saying where the row goes in the app's own words (``glue``, its
    phrasing: "add sort out the loft to my to-do list" was stored with its "to my to-do list").
    Nor, unless quoted, one that opens the message with ``verb``, the action's own (its
    description's first word): that word asks for the action ("add <b>urgent</b> fix the gate
    latch" was stored as "add <b>urgent</b>"). Nor, unless quoted, one that opens with the user
    speaking of themselves (``SPEAKER``: "I need to …", "we're …", "need to …").
    Nor, unless quoted, one that opens or ends with a token of symbols alone (``WORDLIKE``).
    Nor, unless quoted, one with words of a clause that says what something is (``clauses.descriptions``).
    Never the whole message: a message that is nothing but the name asks for nothing, and
    grounding refuses such a name (``grounding._adds_something``). Offered, the whole message won
    the pick for "remind me to take out the bins" over the model's own "take out the bins", and the
    add was refused.

    ``row``: the row a rename changes. Where the message writes its name, those words name it, and
    the new name comes after them ("change X to Y", "X should say Y"): no stretch with any of them
    or before them is a new name. "change book flights to Lisbon to book flights to Porto" was
    renamed "flights to Lisbon", and with only the stretches apart from the row, "remove 'cancel
    the gym membership'", chosen as a rename, was renamed "remove". Unless the words before already
    name the row and the stretch has all of its words: "rename the library task: return the library
    books by Friday" extends the name. The first occurrence only: "rename call Bob to call Bob
    tonight" writes it twice. Nor, unless quoted, a stretch in a clause after the one naming the
    row: "drop the boiler service, the landlord is sorting it" was renamed "landlord is sorting it".

    ``named``: for a new row, an existing one the message names. No stretch in a clause after the
    one naming it is the new name, unless quoted: "get rid of net the brassicas, the pigeons already
    won lol", read as an add, added "pigeons already won lol".
    """
    # The whole message is also the whole of its words, its edge's emoji aside (``WORDLIKE``).
    kept = re.findall(r"\S+", text)
    while kept and not WORDLIKE.search(kept[-1]):
        kept.pop()
    while kept and not WORDLIKE.search(kept[0]):
        kept.pop(0)
    skip = {e.casefold() for e in exclude} | {unquote(text).casefold(), unquote(" ".join(kept)).casefold()}
    taken, named_before = _words_of(text, row)
    taken = with_noun(text, taken, glue)
    crossing = crossings(text, glue)
    describing = descriptions(text)
    # Where the words before it named the row, a name that extends the row starts after them:
    # "rename gran's card to send Gran's birthday card and flowers" was renamed "rename gran's card
    # to send Gran's birthday card", which holds all of the row and the words that named it.
    after = _last_naming(text, row, min(taken)) if named_before and taken else -1
    beyond = next_clause(text, taken) if taken else None
    if named and not row:
        other = with_noun(text, _words_of(text, named)[0], glue)
        beyond = next_clause(text, other) if other else None
    # A stretch in quotes that holds the row's words and more is a new name written out whole,
    # whatever named the row before it ('change the gym one to say "cancel the gym membership by
    # the 31st"').
    marked = {q.casefold() for q in quoted(text)}
    # Where the message writes an existing row's name, a new name has all of it or none of it:
    # "teach me to water" cuts "water the plants" apart and is no name anyone said.
    written = [where for name in exclude for _, where in _occurrences(text, name)]
    tokens = re.findall(r"\S+", text)
    out: dict[str, None] = {}
    for i, j, piece in _stretches(text):
        said = words(piece)
        if not (WORDLIKE.search(tokens[i]) and WORDLIKE.search(tokens[j])) and piece.casefold() not in marked:
            continue  # opens or ends with a token of symbols alone: an emoji's decoration, a dash
        if said and ({said[0], said[-1]} & COURTESIES or _destination(said, glue)) and piece.casefold() not in marked:
            continue
        if i == 0 and verb and said[:1] == [verb] and piece.casefold() not in marked:
            continue
        if SPEAKER.match(piece) and piece.casefold() not in marked:
            continue
        if glue and all(glued(w, glue) for w in said) and piece.casefold() not in marked:
            continue  # the app's own words alone name nothing new (grounding.ground refuses them too)
        if beyond is not None and i >= beyond and piece.casefold() not in marked:
            continue  # in a clause of its own after the row's: a reason, not a new name
        if any(k in crossing for k in range(i, j)) and piece.casefold() not in marked:
            continue  # runs on past a sentence's end, or into a clause that speaks of the list
        inside = set(range(i, j + 1))
        if inside & describing and piece.casefold() not in marked:
            continue  # in a clause that says what something is ("that's really helpful"): no thing to do
        extends = taken <= inside and ((named_before and i > after) or (piece.casefold() in marked and taken < inside))
        if piece and piece.casefold() not in skip and (not taken or i > max(taken) or extends) \
                and not any(inside & where and not where <= inside for where in written):
            out.setdefault(piece, None)
    return list(out)[:limit]


def quotes_another(text: str, value: str, names: Sequence[str]) -> bool:
    """Whether the message puts in quotes a text that names none of ``names`` (a new name written
    out), and ``value`` is not that text: the user said where the name is, and it is not there.
    "Stick "Clean the oven before handover" on there, the landlord is fussy about it", chosen as a
    rename of the landlord task, renamed it "fussy about it"."""
    fresh = {unquote(q).casefold().rstrip(".") for q in quoted(text) if reference("", list(names), q) is None}
    return bool(fresh) and unquote(value).casefold().rstrip(".") not in fresh


def _last_naming(text: str, row: str, before: int) -> int:
    """The position of the last word before word ``before`` that is one of ``row``'s own words (not
    a function word): where the words naming the row end. -1 when none is."""
    own = {w for w in words(row) if w not in FUNCTION_WORDS}
    found = re.findall(r"\S+", text)[:before]
    return max((k for k, piece in enumerate(found) if own & set(words(piece))), default=-1)


def outside(text: str, value: str, exclude: Sequence[str], row: str) -> bool:
    """Whether ``value`` is a stretch of ``text`` no new name for ``row`` may be (``candidates``):
    it stands before or within the words that name the row."""
    value = unquote(value)
    if not _occurrences(text, value) or len(value.split()) > MAX_WORDS:
        return False
    return value.casefold() not in {c.casefold() for c in candidates(text, exclude, row, limit=None)}


def _occurrences(text: str, part: str) -> list[tuple[int, set[int]]]:
    """Where each literal occurrence of ``part`` in ``text`` starts, and the word positions it covers."""
    if not part.strip():
        return []
    found = list(re.finditer(r"\S+", text))
    low, want, out, at = text.casefold(), part.casefold(), [], 0
    while (at := low.find(want, at)) >= 0:
        out.append((at, {k for k, m in enumerate(found) if m.start() < at + len(part) and m.end() > at}))
        at += len(part)
    return out


def around(text: str, near: str) -> set[str]:
    """The stretches that start and end within ``WIDEN`` words of where the model's own value stands.

    Where it stands: the stretches sharing the most of its words, the shortest of those (each, when
    it stands twice). Empty when it shares no word with the message.
    """
    said = set(words(near))
    found = _stretches(text)
    shared = [(len(said & set(words(piece))), j - i, i, j) for i, j, piece in found]
    best = max((n for n, *_ in shared), default=0)
    if not best:
        return set()
    shortest = min(size for n, size, _, _ in shared if n == best)
    spots = [(i, j) for n, size, i, j in shared if n == best and size == shortest]
    return {piece for i, j, piece in found
            if any(abs(i - a) <= WIDEN and abs(j - b) <= WIDEN for a, b in spots)}


def said_as(text: str, piece: str, stand_in: str) -> str:
    """The message with ``piece`` (where it first stands) swapped for ``stand_in``."""
    at = text.casefold().find(piece.casefold()) if piece else -1
    return text if at < 0 else text[:at] + stand_in + text[at + len(piece) :]


def call_with_mark(action: str, params: dict[str, Any], key: str, intent: str = "request") -> tuple[str, str]:
    """The call as the prompt's examples write it, split where ``params[key]`` goes: (before, after)."""
    shown = json.dumps({"intent": intent, "action": action, "params": {**params, key: MARK}}, ensure_ascii=False)
    before, _, after = shown.partition(json.dumps(MARK))
    return before + '"', '"' + after


async def pick(backend: Any, messages: list[dict[str, str]], action: str, params: dict[str, Any], key: str,
               text: str, exclude: Sequence[str] = (), near: str = "", row: str = "", stand_in: str = "",
               system: str = "", glue: Collection[str] = (), verb: str = "", named: str = "") -> str | None:
    """The stretch of ``text`` the model finds likeliest as ``params[key]``, or None with no candidate.

    ``stand_in``: a value of the same kind the message does not name (one of the user's rows), for
    the second reading (``said_as``), with ``system`` as the scorer's prompt; without one, or on a
    backend that cannot score a message (``score_said``), the first reading decides alone.

    ``near``: what the model wrote itself; only stretches sharing a word with it, around where it
    stands in the message (``around``), are scored (every stretch when none does), since what
    costs is the tokens scored (~200 a second on 2 cores). ``row``, ``glue``, ``verb``, ``named``: see ``candidates``.
    """
    found = candidates(text, exclude, row, glue=glue, verb=verb, named=named)
    # A stretch the user put in quotes says where the value starts and ends: the model's reading is
    # not asked to find them again. It took "by the 31st" out of “change the gym one to say "cancel
    # the gym membership by the 31st"” (a new name that holds the row's). Several quoted: among them.
    marked = {q.casefold() for q in quoted(text)}
    found = [c for c in found if c.casefold() in marked] or found
    if len(found) == 1 and found[0].casefold() in marked:
        return found[0]
    # A new row the user says they are to do starts where saying so ends (``todo_starts``): "I have
    # to order printer ink, put it on the list" was stored as "printer ink", "Remind me to ask
    # Maureen about her spare canes" as "Maureen", "remind me to defrost the freezer" whole. Those
    # stretches are the ones scored, wherever the model's own copy stands.
    starts = [] if row or any(c.casefold() in marked for c in found) else todo_starts(text)
    needed = [c for c in found if any(text[at:].lstrip(QUOTES).startswith(c) for at in starts)]
    if needed:
        return await _best(backend, messages, action, params, key, text, needed, stand_in, system)
    said = set(words(near))
    # Only a copy says where the name is: what the model wrote, every word of it in the message.
    # "add to list of tasks" for "add mark the exams" shares only the request's "add", and kept to
    # the stretches around that, the pick was "add". Otherwise every stretch is scored.
    # Nor a copy of nothing but the app's own words: "todo" for "todo: hoover the stairs" is the
    # heading, and the name is elsewhere.
    copied = said <= set(words(text)) and not (glue and all(glued(w, glue) for w in said))
    # A copy of a name it may not be (the row being renamed) says nothing of where the new one stands.
    excluded = unquote(near).casefold() in {e.casefold() for e in exclude}
    close = around(text, near) if copied and not excluded else set()
    if copied:
        sharing = [c for c in found if said & set(words(c))]
        if row and not sharing and not excluded:
            # It copied only the words that name the row being renamed: what is left is no name it
            # saw ("rename call mum, please" would be renamed "please").
            return None
        # A copy of the whole row being renamed, whose words no stretch shares, says nothing of
        # where the new name stands: every stretch is scored ("can you rename redirect the post to
        # set up Royal Mail redirection" was answered in words). One that shares them ("rename
        # clean the oven to clean the oven and hob") keeps the pick among those ("hob" otherwise).
        found = sharing or found
    found = [c for c in found if c in close] or found
    if not found:
        return None
    return await _best(backend, messages, action, params, key, text, found, stand_in, system)


async def _best(backend: Any, messages: list[dict[str, str]], action: str, params: dict[str, Any], key: str,
                text: str, found: list[str], stand_in: str, system: str) -> str:
    """The stretch of ``found`` the model finds likeliest as ``params[key]`` (the two readings of ``pick``)."""
    before, after = call_with_mark(action, params, key)
    # The value is escaped as JSON would write it, so a quote or a backslash in the name scores as written.
    options = [json.dumps(c, ensure_ascii=False)[1:-1] + after for c in found]
    # The mean per token, not the sum: a sum favours the shortest stretch ("Bob" for "call Bob tomorrow").
    scores = await backend.score(messages, before, options, per_token=True)
    ranked = sorted(zip(found, scores, strict=True), key=lambda pair: -pair[1])[:SHORTLIST]
    reread = getattr(backend, "score_said", None)
    if stand_in and reread is not None and len(ranked) > 1:
        seen = [{"role": "system", "content": system}] if system else []
        again = await reread(seen, [said_as(text, piece, stand_in) for piece, _ in ranked])
        ranked = [(piece, first + second) for (piece, first), second in zip(ranked, again, strict=True)]
    return max(ranked, key=lambda pair: pair[1])[0]

