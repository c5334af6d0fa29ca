"""Keeping a small model's call to what the user actually said.

The embedded model picks an action and fills its parameters under a grammar, but its names
drift ("send invoice" for "send the invoice") and sometimes are invented. ``ground`` keeps only
what the user's own words support: a new name is snapped back to the user's wording, a
reference to an existing row is the row the message names (or the user's own words, so the
registry says that nothing matches, or asks which one when several do). The registry still
validates and resolves everything; nothing here touches data.
"""

from __future__ import annotations

import difflib
import re
from typing import Any


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Glue words that say nothing about which row is meant, and command words that a spoken
# reference carries along ("mark the milk task done"); the latter are dropped from queries only.
GLUE = _wordset("a an the my our your this that these those task tasks todo todos to-do item items one "
                "entry thing please i me we you to of for on at in with and")
COMMAND_WORDS = _wordset("mark marked tick ticked check checked off complete completed finish finished "
                          "done undo undone reopen rename renamed change delete remove move top bottom put "
                          "set as is was it from list called named")
NOT_A_NAME = COMMAND_WORDS | _wordset("add create remind remember new need have please")
MIN_SCORE, MARGIN = 0.5, 0.15
RENAME_SPLIT = re.compile(r"\s+(?:to|into)\s+", re.I)


def stem(word: str) -> str:
    if word.endswith("ss") or len(word) < 5:
        return word
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    if word.endswith("es") and word[-3] in "sxz":  # glasses, boxes
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def norm(text: str) -> str:
    return " ".join(re.findall(r"[\w'-]+", text.lower().replace("’", "'"))).strip("'-")


def words(text: str, *, query: bool = False) -> list[str]:
    """Content words of a name or a spoken reference, stemmed."""
    raw = [w.strip("'-") for w in norm(text).split()]
    content = [w for w in raw if w and w not in GLUE]
    if query:
        content = [w for w in content if w not in COMMAND_WORDS] or content
    return [stem(w) for w in content] or [stem(w) for w in raw if w]


def same(a: str, b: str) -> bool:
    """Equal stems, or a typo in a longer word ("dentst"); "plan" and "plant" stay apart."""
    return a == b or (min(len(a), len(b)) >= 5 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85)


def _score(query: list[str], name: list[str]) -> float:
    if not query or not name:
        return 0.0
    recall = sum(any(same(q, n) for n in name) for q in query) / len(query)
    precision = sum(any(same(n, q) for q in query) for n in name) / len(name)
    return 0.0 if not recall else 0.6 * recall + 0.4 * precision


def match_names(query: str, names: list[str]) -> list[str]:
    """The names the query means: one when clear, several when ambiguous, [] for none."""
    target, q = norm(query), words(query, query=True)
    exact = [n for n in names if target and norm(n) == target]
    scored = sorted(((_score(q, words(n)), i, n) for i, n in enumerate(names)), key=lambda s: (-s[0], s[1]))
    scored = [s for s in scored if s[0] >= MIN_SCORE] if target else []
    return exact or [n for score, _, n in scored if score >= scored[0][0] - MARGIN]


def snap(name: str, user_text: str) -> str:
    """The user's own wording when the model dropped words from it ("send invoice" -> "send the invoice")."""
    tokens = list(re.finditer(r"[\w'’-]+", user_text))
    stems = [stem(norm(t.group())) for t in tokens]
    wanted = [stem(w) for w in norm(name).split()]
    for start in range(len(tokens)):
        i, end, skipped = 0, None, 0
        for j in range(start, len(tokens)):
            if i == len(wanted):
                break
            if same(stems[j], wanted[i]):
                i, end = i + 1, j
            elif j == start or (stems[j] not in GLUE and (skipped := skipped + 1) > 1):
                break  # small words ("the", "a") and one other word may be filled in
        if wanted and i == len(wanted) and end is not None:
            return user_text[tokens[start].start() : tokens[end].end()]
    return name


def covered(text: str, said: list[str]) -> float:
    """How much of ``text`` the user actually said (0..1)."""
    mine = words(text)
    return sum(any(same(w, s) for s in said) for w in mine) / len(mine) if mine else 0.0


def _from_text(text: str, names: list[str]) -> list[str]:
    """The one name the words mean: the only name with a word the message says that no other name has."""
    said = words(text, query=True)
    own = [set(words(n)) for n in names]
    found = []
    for i, mine in enumerate(own):
        others = set().union(*(w for j, w in enumerate(own) if j != i))
        if any(any(same(w, s) for s in said) and not any(same(w, o) for o in others) for w in mine):
            found.append(names[i])
    return found if len(found) == 1 else []


def _shared(picked: list[str], said: list[str]) -> str:
    """The words several names share and the user said ("milk"), so the registry asks which one."""
    first = norm(picked[0]).split()
    common = [w for w in first if w not in GLUE and any(same(stem(w), s) for s in said)
              and all(any(same(stem(w), x) for x in words(p)) for p in picked[1:])]
    return " ".join(common)


def reference(model_said: str, head: str, names: list[str]) -> str:
    """Which existing row the message means, as text for the registry's `item` parameter."""
    said = words(head)
    picked = match_names(model_said, names) if model_said else []
    grounded = [n for n in picked if covered(n, said) >= 0.5]
    if len(picked) == 1 and grounded:
        return picked[0]
    if len(picked) > 1 and grounded:
        return _shared(picked, said) or model_said
    from_text = _from_text(head, names)
    if from_text:
        return from_text[0]
    return " ".join(w for w in norm(head).split() if w not in GLUE and w not in COMMAND_WORDS)


def ground(action: str, params: dict[str, Any], user_text: str, names: list[str],
           flag: bool | None = None) -> dict[str, Any] | None:
    """The parameters the user's words support, or None when this was not a command after all.

    ``flag`` is what the message says about "done" (True, False, or None when it says nothing).
    """
    verb = action.rpartition(".")[2]
    out = dict(params)
    out.pop("id", None)  # the small model never sees ids, so any id it writes is invented
    if "done" in out or verb == "toggle":
        out.pop("done", None)
        if flag is not None and verb != "add":
            out["done"] = flag
    if verb == "add":
        name = snap(str(out.get("name", "")), user_text)
        if not set(words(name)) - NOT_A_NAME or covered(name, words(user_text)) < 0.6:
            return None  # "add" alone, or words the user never said
        out["name"] = name
        return out
    if verb == "list":
        query = str(out.pop("query", ""))
        if query and set(words(query)) - NOT_A_NAME and covered(query, words(user_text)) == 1.0:
            out["query"] = query
        out.pop("limit", None)
        return out
    if "item" not in out and verb not in ("update", "toggle", "delete", "move", "get"):
        return out
    head, tail = user_text, ""
    renaming = verb == "update" and ("name" in out or re.search(r"\brename|\bchange|\bcall it", user_text, re.I))
    if renaming:
        parts = RENAME_SPLIT.split(user_text, maxsplit=1)
        head, tail = (parts[0], parts[1]) if len(parts) == 2 else (user_text, "")
    item = reference(str(out.get("item", "")), head, names)
    out.pop("item", None)
    if item:
        out["item"] = item
    if renaming:
        new_name = str(out.pop("name", ""))
        snapped = snap(new_name, tail) if new_name else ""
        # The model's new name if it is a stretch of what follows "to" (and not the old name), else all of that.
        keep = snapped and norm(snapped) in norm(tail) and norm(snapped) != norm(item)
        new_name = snapped if keep else tail.strip(" \"'“”.!")
        if new_name:
            out["name"] = new_name
    else:
        out.pop("name", None)
    return out
