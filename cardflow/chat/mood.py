"""Whether English syntax lets a message be a question, before any model is asked.

A question typed without its "?" is caught by the model's reading of how the message would end
(``choice.reads_as_question``). That reading is a 135M model's guess, and on messages of two
clauses it guessed "?" for many commands and reports: "untick the batteries, the ones I grabbed
were AAA by mistake", "finished the door one, it doesn't squeak any more", "bin the gym one". A
message read as a question is then only offered a change, and the readings that weigh a change
on the row it names (replies.py, deeds.py) are skipped, so these were answered in words.

English marks a question in its syntax, not only with "?": a wh-word ("what", "which", "how"…),
or an auxiliary before its subject ("have I paid", "is buy milk done", "can you tick it").
Without either, only the "?" mark (or the voice) makes a question of a statement ("you paid
it?"), and a message without the mark is not one. On every eval set up to the eighth, each of
the 154 questions has one of these marks; 601 of the 624 commands typed without "?" have none,
so the model's guess is only asked about the rest. The test is deliberately wide: an auxiliary
anywhere before a pronoun or determiner ("so can you mark it", "btw did I pay") counts, as does
any wh-word.
"""

from __future__ import annotations

import re
from itertools import pairwise

from cardflow.chat.grounding import words

# Auxiliaries and modals, which open a yes/no question before its subject ("has the oven been
# cleaned"). A contraction is split by ``words``: "isn't" is "isn", "t"; "won't" is "won", "t".
AUXILIARIES = frozenset({"am", "is", "are", "was", "were", "has", "have", "had", "did", "does", "do", "can",
                         "could", "should", "would", "will", "shall", "may", "might", "must", "isn", "aren",
                         "wasn", "weren", "hasn", "haven", "hadn", "didn", "doesn", "don", "couldn", "shouldn",
                         "wouldn", "won", "ain"})
# A wh-word, also as typed with its "is" run on ("whats left", "hows the report").
WH = re.compile(r"(?:what|which|who|whom|whose|when|where|why|how)s?")
# What a subject right after an auxiliary opens with: a pronoun or a determiner ("did I", "is the").
SUBJECTS = frozenset({"i", "you", "u", "we", "he", "she", "it", "they", "the", "my", "your", "our", "his", "her",
                      "their", "this", "that", "these", "those", "there", "a", "an", "any", "all", "anything",
                      "everything", "anyone", "someone"})
# Subject pronouns other than the listener: a clause with one before its verb says something of
# someone ("should I delete …", "if we scrap …"), and is no request (lexicon.clause_verbs).
PERSONS = frozenset({"i", "we", "he", "she", "it", "they"})
# Where a clause may open: after punctuation, or a conjunction ("…so can you mark it").
CLAUSES = re.compile(r"[,.;:!?()\n—–]|\s-\s|\b(?:and|but|so|or|then)\b", re.IGNORECASE)


def opens_question(said: list[str]) -> bool:
    """Whether a clause's words open with an auxiliary, its subject after it ("has the oven been cleaned")."""
    return bool(said) and said[0] in AUXILIARIES


def may_ask(text: str) -> bool:
    """Whether ``text``'s syntax lets it be a question without its "?": a wh-word, a clause opening
    with an auxiliary, or an auxiliary right before a pronoun or determiner."""
    said = words(text)
    if any(WH.fullmatch(word) for word in said):
        return True
    if any(opens_question(words(clause)) for clause in CLAUSES.split(text)):
        return True
    return any(first in AUXILIARIES and second in SUBJECTS for first, second in pairwise(said))


# Modals that, before "you", make a request of the listener ("can you tick it", "could u add …").
MODALS = frozenset({"can", "could", "would", "will"})
LISTENER = frozenset({"you", "u", "ya"})
# What opens a question embedded after the request's verb ("can you tell me if the fish are fed").
EMBEDDED = frozenset({"if", "whether"})


def bids(text: str) -> bool:
    """Whether ``text`` asks the listener to do something, in a question's form: a modal right
    before "you" ("can you put the fence one back to not done", "could u add 'oil the gate'?").

    English uses that form for requests as a matter of course; what is asked is done, not
    answered. Not when a wh-word is anywhere in the message ("what can you do") or "if"/"whether"
    follows the modal ("can you tell me if the fish are fed"): a question then rides in it. A
    request in this form is also how a capability is asked about ("can you set reminders?"), so
    the caller takes it as a request only when its words ground a change (a row they name, a new
    name they quote).
    """
    said = words(text)
    if any(WH.fullmatch(word) for word in said):
        return False
    at = next((i for i, (first, second) in enumerate(pairwise(said)) if first in MODALS and second in LISTENER), None)
    return at is not None and not EMBEDDED & set(said[at:])
