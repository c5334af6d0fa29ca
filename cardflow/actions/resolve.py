"""Which row a name means: exact, then prefix, then substring, then close spelling; never a guess.

Names come from people and from models ("the milk one", "Bob's call"). A single best match
is used; two equally good ones raise a Problem that lists them, so the caller asks instead of
changing the wrong row.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cardflow.errors import Problem

T = TypeVar("T")
CLOSE_ENOUGH = 0.75  # difflib ratio: "by milk" → "buy milk", but not "milk" → "mail"


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\"'“”‘’`«»]", "", text)
    return re.sub(r"\s+", " ", text).strip(" .,!?;:")


def rank(query: str, rows: Sequence[T], name_of: Callable[[T], str]) -> list[T]:
    """The rows that tie for the best kind of match, in their given order (possibly empty)."""
    q = normalize(query)
    if not q:
        return []
    names = [(row, normalize(name_of(row))) for row in rows]
    for test in (lambda n: n == q, lambda n: n.startswith(q), lambda n: q in n,
                 lambda n: bool(re.search(rf"\b{re.escape(q)}", n))):
        found = [row for row, n in names if test(n)]
        if found:
            return found
    scored = [(difflib.SequenceMatcher(None, q, n).ratio(), row) for row, n in names]
    best = max((s for s, _ in scored), default=0.0)
    if best < CLOSE_ENOUGH:
        return []
    return [row for s, row in scored if s >= best - 0.02]


def resolve_one(query: str, rows: Sequence[T], name_of: Callable[[T], str], noun: str) -> T:
    found = rank(query, rows, name_of)
    if len(found) == 1:
        return found[0]
    if not found:
        empty = f" There are no {noun}s yet." if not rows else ""
        raise Problem(f"No {noun} matches “{query}”.{empty}", 404, field="item")
    listed = ", ".join(f"“{name_of(r)}”" for r in found[:6])
    raise Problem(f"More than one {noun} matches “{query}”: {listed}. Say which one (or give its id).",
                  409, field="item")


def pick(rows: Sequence[Any], *, item_id: int | None, name: str | None, noun: str,
         name_of: Callable[[Any], str]) -> Any:
    """The row for an `id` or a `name` parameter, among rows the caller may touch."""
    if item_id is not None:
        found = next((r for r in rows if getattr(r, "id", None) == item_id), None)
        if found is None:
            raise Problem(f"No {noun} with id {item_id} in this profile.", 404, field="id")
        return found
    if name is None:
        raise Problem(f"Say which {noun}: give its “id” or its name as “item”.", field="item")
    return resolve_one(name, rows, name_of, noun)
