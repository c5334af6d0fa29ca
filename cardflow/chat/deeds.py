"""A message that reports the deed a row names as done: "I called Bob" for the task "call Bob".

An app whose rows name things to do (``CrudApp.deeds``: a task is "call Bob", "water the plants")
has one action that records a deed done (``Action.deed_flag``: the Tasks toggle). People tell the
assistant a deed is done more often than they ask for the toggle in its own words: "I've watered
the tomatoes", "the flights to Lisbon are booked", "kettle's descaled ✅". SmolLM2-135M reads
these as questions or small talk: "answer their question" won for 37 of the 121 done-commands of
every eval set (docs/assistant.md, "A deed reported done"), and two attempts to let the model
weigh them (scoring the statement, a channel score on the row) also let remarks that share a
task's words write.

The report has a form the words show without the model: the row's own verb (its first word, as
a task is written in the imperative) said in the past. Either the user did it, and what it was
done to follows ("I called Bob", "Booked Biscuit in at the vets"), or it is said to have been
done, the verb right after a form of "be" ("the plants are watered", "Priya's been answered").
A clause that opens with its verb before its subject is a question ("has the oven been cleaned",
typed without its "?") and reports nothing.

Only that form counts: in "Bob called me yesterday" Bob did the calling, and the verb follows
Bob with no "be" before it, so it reports nothing about the task. "Do" stands for any verb, so
"the report is done" reports "write the report" done; only so, at the clause's end: "Bob is done
with his exams" says what Bob finished. Negated ("I haven't called Bob", "the bike isn't serviced
yet", "I didn't pay the cleaner") it reports the deed not done, which asks for a change only when
the row is marked done: for a row not done it is small talk.

English makes a past form with "-ed", by spelling rules (``past``), except for its irregular verbs,
a closed class listed here as the function words are in grounding.py. A verb whose past is the
same word ("put", "read", "set") is not read: the imperative would read as its own report.
"""

from __future__ import annotations

import re

from cardflow.chat.grounding import FUNCTION_WORDS, heard, mistyped, words
from cardflow.chat.mood import opens_question

# English's irregular verbs that a thing to do may start with: base, then its past forms.
_IRREGULAR = """
bear bore borne|begin began begun|bend bent|bleed bled|blow blew blown|break broke broken|breed bred
bring brought|build built|burn burnt|buy bought|catch caught|choose chose chosen|come came|deal dealt
dig dug|do did done|draw drew drawn|drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen
feed fed|feel felt|fight fought|find found|fly flew flown|forget forgot forgotten|forgive forgave forgiven
freeze froze frozen|get got gotten|give gave given|go went gone|grind ground|grow grew grown|hang hung
have had|hear heard|hide hid hidden|hold held|keep kept|know knew known|lay laid|lead led|lend lent
light lit|lose lost|make made|mean meant|meet met|pay paid|ride rode ridden|ring rang rung|rise rose risen
run ran|say said|see saw seen|seek sought|sell sold|send sent|sew sewn|shake shook shaken|shoot shot
show shown|sing sang sung|sink sank sunk|sit sat|sleep slept|speak spoke spoken|spend spent|spin spun
stand stood|steal stole stolen|stick stuck|sting stung|strike struck|sweep swept|swim swam swum
swing swung|take took taken|teach taught|tear tore torn|tell told|think thought|throw threw thrown
understand understood|wake woke woken|wear wore worn|win won|wind wound|withdraw withdrew withdrawn
write wrote written
bet|burst|cast|cost|cut|fit|hit|hurt|let|put|quit|read|set|shed|shut|split|spread|upset
"""  # the last line: a past that is the verb itself, so none is read
IRREGULAR = {base: frozenset(forms) for base, *forms in (entry.split() for entry in re.split(r"[|\n]", _IRREGULAR)
                                                          if entry.strip())}
PAST_FORMS = frozenset().union(*IRREGULAR.values())
# "kettle's descaled": "s"; "isn't" is read as "isn", "t"; "got" as in "the fence got fixed".
BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "s", "isn", "aren", "wasn", "weren", "got",
                "gotten"})
NEGATIONS = frozenset({"not", "never", "t", "no", "nt"})  # "haven't" is read as "haven", "t"
# The verbs whose object is a deed itself, said in the past: "finished the report", "the slides are
# completed". Like "done", they stand for the row's own verb.
COMPLETED = frozenset({"finished", "completed"})
OBJECTS = frozenset({"me", "you", "him", "her", "us", "them"})  # a person a verb is done to
WHEN = frozenset({"now", "today", "yesterday", "tonight"})  # adverbs of time that may end a clause
# The perfect's auxiliary ("I've done the shed", "she's done it", "haven't done"), and the adverbs
# that may stand between it and the participle ("have just done", "has already done").
HAVE = frozenset({"have", "has", "had", "ve", "s", "haven", "hasn", "hadn"})
BETWEEN = frozenset({"just", "already", "also", "only", "even", "still", "never", "ever"})
# What done is done to follows it directly: "done with the gutters" is "finished with", said of
# oneself. English's prepositions that follow "done" so.
AFTER_DONE = frozenset({"with", "for", "about", "at", "by", "in", "on", "of", "from", "to", "without"})
CLAUSE = re.compile(r"[,.;:!?—–]|\s-\s|\bbut\b")


def past(verb: str) -> frozenset[str]:
    """The past forms of ``verb`` ("call": "called"; "plan": "planned"; "pay": "paid")."""
    v = verb.casefold()
    if v in IRREGULAR:
        return IRREGULAR[v]
    if not v.isalpha() or len(v) < 2:
        return frozenset()
    if v.endswith("e"):
        return frozenset({v + "d"})
    if re.search(r"[^aeiou]y$", v):
        return frozenset({v[:-1] + "ied"})
    # A final consonant after one vowel may be doubled ("plan": "planned"; British "cancelled").
    doubled = {v + v[-1] + "ed"} if re.search(r"(?:^|[^aeiou])[aeiou][bdgklmnprt]$", v) else set()
    return frozenset({v + "ed", *doubled})


def report(text: str, row: str) -> bool | None:
    """What ``text`` reports of the deed ``row`` names: True, done ("I called Bob"); False, not done
    ("I haven't called Bob", "I didn't call Bob"); None, nothing.

    The row's first word in the past, with what it was done to after it or a form of "be" before
    it; negated, or after "didn't" in its plain form, it says the deed is not done. "Finished" and
    "completed" count as the row's verb. "Done", the past of the verb that stands for any other,
    counts at its clause's end, after a form of "be" or after nothing but the row's words, and
    before the row's words after "have" or nothing ("I've done the shed")."""
    verb, *rest = words(row) or [""]
    forms = past(verb) | COMPLETED
    done_to = {w for w in rest if w not in FUNCTION_WORDS}
    if not done_to:
        return None
    for clause in CLAUSE.split(text):
        said = words(clause)
        if _asks(said):
            continue
        for at, word in enumerate(said):
            negated = bool(NEGATIONS & set(said[:at]))
            # "didn't pay": after a negated "did", the verb is in its plain form.
            plain = word == verb and at >= 2 and said[at - 2] in ("did", "didn") and said[at - 1] in NEGATIONS
            if word == "done" and word not in forms and _perfect(said, at) and done_to & heard(said[at + 1:]):
                return not negated  # "I've done gran's card", "done the ironing": the user did it
            if word == "done" and word not in forms:
                # "do" stands for any verb: "the report is done", or as a headline, "report done ✅".
                # Only said of the deed, ending its clause: "Bob is done with his exams" says what
                # Bob finished.
                if (_passive(said, at, done_to) or _headline(said, at, rest)) and all(
                        w in FUNCTION_WORDS or w in WHEN or w.endswith("ly") for w in said[at + 1:]):
                    return not negated
                continue
            if not plain and word not in forms and not any(_mistyped(word, form) for form in forms):
                continue
            if done_to & heard(said[at + 1:]) or _passive(said, at, done_to):
                return not negated
    return None


def _perfect(said: list[str], at: int) -> bool:
    """Whether the "done" at ``at`` is the user's own doing, said with "have" or alone at the clause's
    start, so what follows is what was done: "I've done the shed", "done the ironing"; not "is done"."""
    before = at - 1
    while before >= 0 and (said[before] in NEGATIONS or said[before] in BETWEEN or said[before].endswith("ly")):
        before -= 1
    return (before < 0 or said[before] in HAVE) and at + 1 < len(said) and said[at + 1] not in AFTER_DONE


def _mistyped(word: str, form: str) -> bool:
    """Whether ``word`` is the past form ``form`` mistyped ("finsihed"), not another form of the
    verb ("complete" is "completed" cut short: a command, not a report)."""
    return abs(len(word) - len(form)) <= 1 and not form.startswith(word) and mistyped(form, word)


def _asks(said: list[str]) -> bool:
    """Whether a clause is a yes/no question, its auxiliary before its subject ("has the oven been
    cleaned"), not before its verb: "haven't finished the gutters" leaves out its subject, as chat
    does, and tells."""
    if not opens_question(said):
        return False
    verb = next((w for w in said[1:] if w not in NEGATIONS), "")
    return not (verb.endswith("ed") or verb in COMPLETED or verb in PAST_FORMS)


def _passive(said: list[str], at: int, done_to: set[str]) -> bool:
    """Whether the verb at ``at`` is said of what it was done to, after a form of "be": "the plants
    are (finally) watered", "the bike isn't (actually) serviced".

    Not when a person it was done to follows: in "Mum's called me" the "'s" is "has", and Mum did
    the calling."""
    if at + 1 < len(said) and said[at + 1] in OBJECTS:
        return False
    before = at - 1
    while before >= 0 and said[before] not in BE and (said[before] in FUNCTION_WORDS or said[before] in NEGATIONS
                                                      or said[before].endswith("ly")):
        before -= 1
    return before >= 0 and said[before] in BE and bool(done_to & heard(said[:before]))


def _headline(said: list[str], at: int, named: list[str]) -> bool:
    """Whether the clause before ``at`` is nothing but words of the row (and function words), its
    "be" left out as in a headline: "MOT done", "the tax return done"."""
    before, own = said[:at], set(named)
    joined = {i + k for i in range(len(before) - 1) if before[i] + before[i + 1] in own for k in (0, 1)}
    return bool(own & heard(before)) and all(
        w in FUNCTION_WORDS or w in own or w in NEGATIONS or i in joined for i, w in enumerate(before))
