"""Keeping a small model's call to what the user actually said, without any vocabulary.

The embedded model fills an action's parameters under a grammar, but its strings drift ("send
invoice" for "send the invoice"), lose markup ("review" for "review <b>Q4</b> numbers"), keep
quotes, or are invented. Everything here compares the model's strings with the user's message
character by character or word by word, whatever the language:

- ``snap``: a free-text value becomes the stretch of the user's own message it approximates
  (whole words, wrapping quotes and sentence punctuation dropped), or None when the user never
  said it;
- ``reference``: which existing row the message names, by the words it shares with each row
  (rarer words count more, the words the app's own actions are described in count for nothing,
  and one word no other row has is enough); several equally named rows give their shared words,
  so the registry asks which one.

The registry still validates and resolves everything; nothing here touches data.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

from cardflow.actions.resolve import normalize

QUOTES = "\"'“”‘’«»`"
END_PUNCT = ".,;:!?…"
CLOSE = 0.8  # difflib ratio for a fuzzy copy ("send invoice" ~ "send the invoice")
MIN_FUZZY, SAME_WORD = 5, 0.85  # a typo in a longer word still names it
CLOSE_ROW = 0.85  # a new name this close to an existing row is taken as a reference to it
MIN_SHARE = 0.3  # a row is named when the words said carry this share of its weight
# A row's word said in another form of its verb ("watering" for "water") counts this much of its
# weight: enough to tell the rows that have it from those that lack it ("the watering one" among
# two water rows asks which), not enough to name a short row alone ("I hate calling people" is
# not about "call Bob").
FORM_CREDIT = 0.5
MIN_STEM = 4  # the shortest verb whose "-ing" and "-ed" forms name it (``verbal``): not "fix", "pay"
MIN_OWN = 3  # the shortest word that names a row by being its own (``reference``): not "a", "to", "of"
# English's closed-class words: determiners, pronouns, prepositions, conjunctions, auxiliaries and
# particles. They carry no content, so none names a row by being its own (``_own_word``): "mark
# every task done for all profiles" ticked "book a table for Saturday", the one row with "for".
# Words that are also everyday nouns ("will", "may", "can", "one") are left out: "the May task".
_FUNCTION = """
a an the this that these those my your his her its our their some any no every each all both either
neither few many much more most other another such what which whose whoever whatever
i me you he him she it we us they them myself yourself himself herself itself ourselves yourselves
themselves mine yours hers ours theirs who whom
about above across after against along among amongst around at before behind below beneath beside
besides between beyond by during except for from in inside into of off on onto out outside over
since through throughout till to toward towards under underneath until up upon with within without via
and or but nor so yet if because although though while whilst when whenever where wherever whether
than then unless as
am is are was were be been being have has had having do does did done shall should could would must
not too very just also only even still again already ever never here there
"""
FUNCTION_WORDS = frozenset(_FUNCTION.split())


def unquote(text: str) -> str:
    """Without surrounding blanks, wrapping quotes and trailing sentence punctuation; inner text kept exactly."""
    out = text.strip()
    while True:
        before = out
        out = out.rstrip(END_PUNCT).strip()
        if len(out) >= 2 and out[0] in QUOTES and out[-1] in QUOTES:
            out = out[1:-1].strip()
        elif out and out[0] in QUOTES and out[1:].count(out[0]) == 0:
            out = out[1:].strip()  # an opening quote whose partner was cut off with the punctuation
        elif out and out[-1] in QUOTES and out[:-1].count(out[-1]) == 0:
            out = out[:-1].strip()
        if out == before:
            return out


# A stretch in quotes: opened where a word may start and closed where one may end, so the
# apostrophes of "don't" and "the dog's" open and close nothing, outside quotes or inside them
# ('give Dan's drill back').
QUOTED = re.compile(r"(?<!\w)(?:'((?:[^']|(?<=\w)'(?=\w))+)'|\"([^\"]+)\"|“([^”]+)”|‘((?:[^’]|(?<=\w)’(?=\w))+)’"
                    r"|«([^»]+)»|`([^`]+)`)(?!\w)")


def quoted(text: str) -> list[str]:
    """The stretches of the message the user put in quotes, unquoted."""
    return [next(g for g in m.groups() if g is not None).strip() for m in QUOTED.finditer(text)]


def new_names(text: str, names: Sequence[str]) -> list[str]:
    """The quoted stretches that are no row: not a close copy of one's name, nor a part of one
    ("call the plumber" beside "call mum" is new; "gym" beside "cancel the gym membership" is not)."""
    def a_row(said: str) -> bool:
        bag = set(words(said))
        return any(difflib.SequenceMatcher(None, said.casefold(), n.casefold()).ratio() >= CLOSE_ROW
                   or (bag and bag <= set(words(n))) for n in names)

    return [q for q in quoted(text) if q and not a_row(q)]


def _tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def snap(value: str, text: str) -> str | None:
    """The user's own words that ``value`` copies (whole words, unquoted), or None when the user never said it."""
    wanted = unquote(value)
    if not wanted:
        return None
    spans = _tokens(text)
    at = text.casefold().find(wanted.casefold())
    if at >= 0:
        # Widen to whole words: the model may copy "script" out of "<script>alert(1)</script>".
        start = max((s for s, e in spans if s <= at), default=at)
        end = min((e for s, e in spans if e >= at + len(wanted)), default=at + len(wanted))
        return unquote(text[start:end]) or None
    size = len(_tokens(wanted))
    best, found = 0.0, None
    for i in range(len(spans)):
        for j in range(i, min(len(spans), i + size + 2)):
            piece = text[spans[i][0] : spans[j][1]]
            ratio = difflib.SequenceMatcher(None, wanted.casefold(), unquote(piece).casefold()).ratio()
            if ratio > best:
                best, found = ratio, piece
    return unquote(found) or None if found is not None and best >= CLOSE else None


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def heard(said: Sequence[str]) -> set[str]:
    """The words said, and each two said together written as one: a compound is written closed,
    open or hyphenated ("haircut", "hair cut", "hair-cut"), and a row's "haircut" is named by each."""
    return {*said, *(first + second for first, second in pairwise(said))}


@lru_cache(maxsize=4096)
def verbal(word: str) -> frozenset[str]:
    """The regular "-ing" and "-ed" forms of ``word`` as a verb ("water": "watering", "watered";
    "bake": "baking", "baked"; "plan": "planning", "planned"), for a stem of ``MIN_STEM`` letters or more.

    A row is a thing to do, written with its verb, and people name it by the doing: "the watering
    one" for "water the plants". A typo's likeness (``SAME_WORD``) does not reach them: "water"
    and "watering" are 0.77 alike. Plurals are left to that likeness ("plant", "plants"): a short
    stem's plural would tie a verb of the user's to a noun of a row ("bin the gym one", "put the
    bins out").
    """
    if len(word) < MIN_STEM or not word.isalpha():
        return frozenset()
    stems = {word[:-1]} if word.endswith("e") else {word}
    if re.search(r"(?:^|[^aeiou])[aeiou][bdgklmnprt]$", word):  # one vowel, one consonant: doubled
        stems.add(word + word[-1])
    return frozenset(stem + end for stem in stems for end in ("ing", "ed")) | (
        frozenset({word + "d"}) if word.endswith("e") else frozenset())


def _hit(word: str, said: set[str], forms: bool = True) -> bool:
    """Said as is, as a form of the same verb ("watering" for "water"; not with ``forms`` off), or
    a typo of a longer word ("dentst"); "plan" and "plants" stay apart."""
    return word in said or (forms and (bool(verbal(word) & said) or any(word in verbal(s) for s in said))) or any(
        mistyped(word, s) for s in said)


def mistyped(word: str, written: str) -> bool:
    """Whether ``written`` is ``word`` with a typo: both long enough to tell ("dentst" for "dentist")."""
    return len(word) >= MIN_FUZZY and len(written) >= MIN_FUZZY and \
        difflib.SequenceMatcher(None, word, written).ratio() >= SAME_WORD


def varies(new: str, old: str) -> bool:
    """Whether ``new`` is another version of the name ``old``: it shares a word of its own with it
    and says a word it lacks, not a typo of one of its words ("book the boiler service for May"
    for "book the boiler service"; not "call grandmaa" for "call grandma", nor "boiler service")."""
    said, own = words(new), set(words(old))
    return bool((own - FUNCTION_WORDS) & set(said)) and any(not _hit(w, own) for w in said)


def _weigher(bags: Sequence[set[str]], glue: Collection[str] = ()) -> Any:
    df = Counter(w for bag in bags for w in bag)
    return lambda w: 0.0 if w in glue else math.log(1 + len(bags) / df[w]) * len(w)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def support(names: Sequence[str], text: str, glue: Collection[str] = ()) -> list[tuple[float, float]]:
    """How strongly the message names each row: (score, share of the row's own weight).

    A word weighs more when fewer rows have it (it tells them apart) and when it is longer (short
    words are the glue of most languages), so "the" alone names nothing. A word of the app's own
    phrasing (``glue``) weighs nothing: with "the" in one row only, "tick off the card task" named
    "repair the garden fence" rather than the two card rows.
    """
    said = heard(words(text))
    bags = [set(words(n)) for n in names]
    weight = _weigher(bags, glue)
    out = []
    for bag in bags:
        total = sum(weight(w) for w in bag)
        score = sum(weight(w) * (1.0 if _hit(w, said, forms=False) else FORM_CREDIT if _hit(w, said) else 0.0)
                    for w in bag)
        out.append((score, score / total if total else 0.0))
    return out


def _own_word(names: Sequence[str], text: str, glue: Collection[str]) -> str | None:
    """The one row the message names by a word of its own: said, in no other row, neither a word
    of the app's own phrasing nor a function word ("the vet task" for "call the vet about Rex"), or None.

    Said as written or mistyped, not in another form of a verb: a row's verb is the word most
    often said of other things ("I booked a holiday" named "book a haircut", "a task called …"
    named "call grandma")."""
    said = heard(words(text))
    bags = [set(words(n)) for n in names]
    owners = [name for i, (name, bag) in enumerate(zip(names, bags, strict=True))
              if any(len(w) >= MIN_OWN and w not in glue and w not in FUNCTION_WORDS and _hit(w, said, forms=False)
                     and not any(w in other for j, other in enumerate(bags) if j != i) for w in bag)]
    return owners[0] if len(owners) == 1 else None


def reference(chosen: str, names: Sequence[str], text: str, glue: Collection[str] = (),
              loose: Collection[str] = ()) -> str | None:
    """The row the message names, its words shared by the tied rows (so the registry asks), or None for none.

    ``glue``: the app's own phrasing (``named.app_phrasing``). With it, a row is also named by one word
    that is its own, however small a share of its name that word is. ``loose``: see ``_loosely``.
    """
    if not names:
        return snap(chosen, text) if chosen else None
    scored = support(names, text, glue)
    best = max(score for score, _ in scored)
    if best <= 0:
        return _loosely(names, text, glue, loose)
    top = [n for n, (score, _) in zip(names, scored, strict=True) if score >= best - 1e-9]
    said = heard(words(text))
    common = [w for w in dict.fromkeys(words(top[0])) if all(w in words(n) for n in top[1:])]
    shared = [w for w in common if _hit(w, said)]
    if len(top) > 1 and shared:
        # "the dog task" for "buy dog food" and "buy dog treats": the words the rows share are
        # said, so the message names one of them without saying which, and the registry asks. The
        # share is of what the rows have in common (what tells them apart is what was not said),
        # and what they have in common must be a real part of each ("the" in "water the plants"
        # and "book the dentist" is not).
        weight = _weigher([set(words(n)) for n in names])  # "the" is part of what they share, as written
        part = min(_ratio(sum(map(weight, common)), sum(map(weight, set(words(n))))) for n in top)
        # With the app's phrasing known, a word of the rows' own they share is said ("the pay task"
        # for "pay the plumber" and "pay the electrician", where "pay" is a fifth of the second).
        said_own = glue and any(w not in glue for w in shared)
        if said_own or (part >= MIN_SHARE and _ratio(sum(map(weight, shared)), sum(map(weight, common))) >= MIN_SHARE):
            return _common_run(top, said, glue) or " ".join(shared)
    if max(share for score, share in scored if score >= best - 1e-9) < MIN_SHARE:
        # Short words weigh little, so "the vet task" carries a fifth of "call the vet about Rex".
        # Without one of its own words said, the message names no row: the model's pick is a guess.
        own = _own_word(names, text, glue) if glue else None
        return own if own in top else _loosely(names, text, glue, loose)
    if len(top) == 1:
        return top[0]
    return chosen if chosen in top else top[0]


def _loosely(names: Sequence[str], text: str, glue: Collection[str], loose: Collection[str]) -> str | None:
    """What two rows or more share, when the message names none by a word of its own but says a
    word of the app's phrasing that only describes (``loose``) and that they have; the registry
    then asks which. "tick off the order" ("Order the cake", "Order the balloons", and "in order" in
    "List the tasks, in order") was answered in words. Never one row: "new task: book a table"
    would have named "order new glasses"."""
    said = heard(words(text))
    having = {w: [n for n in names if w in words(n)] for w in words(text) if w in loose and w not in FUNCTION_WORDS}
    word = next((w for w, rows in having.items() if len(rows) > 1), None)
    return None if word is None else _common_run(having[word], said, set(glue) - {word}) or word


def _common_run(rows: Sequence[str], said: set[str], glue: Collection[str]) -> str | None:
    """The longest stretch of the first row's words, every one said, written the same in every row
    and holding a word that is not the app's phrasing; None when there is none.

    The registry matches a name as written (``actions.resolve``): "the report" for "write the
    quarterly report" and "write the board report" matched neither, and the change was refused
    instead of asking which; "report" matches both.
    """
    found = list(re.finditer(r"\S+", rows[0]))
    others = [normalize(n) for n in rows[1:]]
    best: str | None = None
    for i in range(len(found)):
        for j in range(i, len(found)):
            piece = rows[0][found[i].start() : found[j].end()]
            if not all(_hit(w, said) for w in words(found[j].group())) or not all(
                    normalize(piece) in n for n in others):
                break
            if any(w not in glue for w in words(piece)) and (best is None or len(piece) > len(best)):
                best = piece
    return best


def _adds_something(name: str, text: str, names: Sequence[str]) -> bool:
    """A new row needs a request around its name and a name that is not already a row.

    A message that is nothing but the name ("DROP TABLE task;--") asks for nothing, and a "new"
    name equal or close to an existing row ("did I return the books?", "have I paid X?" for
    "pay X") is a reference the model misread. Nothing but the name means nothing but its words:
    an emoji or a mark left out of the name ("drop the gym one from my list for good 🗑️")
    leaves no request around it.
    """
    same = name.casefold().strip()
    return same != unquote(text).casefold() and words(name) != words(text) and all(
        difflib.SequenceMatcher(None, same, n.casefold().strip()).ratio() < CLOSE_ROW for n in names)


def _without(text: str, part: str) -> str:
    at = text.casefold().find(part.casefold()) if part else -1
    return text if at < 0 else text[:at] + " " + text[at + len(part) :]


def leave_out(text: str, parts: Sequence[str]) -> str:
    """The message without each of ``parts`` (once each), so their words name nothing."""
    for part in parts:
        text = _without(text, part)
    return text


def times(part: Sequence[str], whole: Sequence[str]) -> int:
    """How many times the words ``part`` stand, in order, in ``whole``."""
    n = len(part)
    return sum(list(whole[i : i + n]) == list(part) for i in range(len(whole) - n + 1)) if n else 0


def _part_of_row(name: str, item: str, text: str) -> bool:
    """Whether a rename's new name is the row's own name, or whole words of it said only where the row is named.

    "uncomplete book the dentist" is not a request to rename it "book": the only "book" the user
    wrote is the one that names the row. "shorten buy milk powder to buy milk" says it twice.
    """
    new, old = words(name), words(item)
    return bool(new) and (new == old or (times(new, old) > 0 and times(new, words(text)) < 2))


def _part_of_a_named_row(name: str, names: Sequence[str], text: str) -> bool:
    """Whether a new row's name is whole words of a row the message names, said nowhere else.

    "uncomplete buy milk" names "buy milk"; it does not ask for a new row "buy".
    """
    new, said = words(name), words(text)
    return any(times(new, words(n)) > 0 and 0 < times(words(n), said) >= times(new, said) for n in names)


def ground(params: dict[str, Any], schema: dict[str, Any], text: str, names: Sequence[str],
           named: Mapping[str, Sequence[str]] | None = None, glue: Collection[str] = (),
           loose: Collection[str] = ()) -> dict[str, Any] | None:
    """The parameters the user's words support, or None when the call rests on words the user never said.

    ``schema`` is the action's own parameter schema; ``names`` the open app's rows (empty for
    actions on other things). Free-text values are snapped to the user's words; an optional one
    the user never said is dropped, a required one refuses the call. A value in ``named`` (an
    ``Action.named`` parameter: an app) is the one of its names the message names, as for a row.
    ``glue``: the app's own phrasing, for ``reference``; a free-text value made of nothing else
    is no value the user gave. ``loose``: the words of it that only describe, for ``reference``.
    """
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    out: dict[str, Any] = {}
    for key, value in params.items():
        kind = props.get(key, {}).get("type")
        if key in ("id", "item") or key not in props:
            continue  # ids are never shown to the model, so any id it writes is invented
        if named and key in named:
            found = reference(str(value), named[key], text)
            if found is None and key in required:
                return None
            if found is not None:
                out[key] = found
            continue
        if isinstance(value, str) and kind == "string" and "enum" not in props[key]:
            snapped = snap(value, text)
            # Words of the app's own phrasing alone say nothing of their own: "bin the glasses
            # task" was read as renaming the task "task".
            if snapped is None or (glue and set(words(snapped)) <= set(glue)):
                if key in required or key == "name":
                    return None
                continue
            value = snapped
        out[key] = value
    if "item" not in props and "name" in out and (not _adds_something(str(out["name"]), text, names)
                                                  or _part_of_a_named_row(str(out["name"]), names, text)):
        return None
    if "item" in props:
        rest = _without(text, str(out.get("name", "")))  # a rename's new name does not name the old row
        item = reference(str(params.get("item", "")), names, rest, glue, loose)
        if item is None:
            return None
        if "name" in out and _part_of_row(str(out["name"]), item, text):
            return None  # the model copied the row's own words as its new name
        out["item"] = item
    return out
