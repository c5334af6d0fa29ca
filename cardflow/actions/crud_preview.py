"""What a CRUD app's change would do, in words, before it runs: the line a proposal shows.

A proposal (a delete waiting for Confirm, a change offered after a question) used to show its raw
parameters (``item: "call Bob"; done: true``). An action may carry a ``preview`` (``Action.preview``)
that says it as the receipt will once it has run: “Mark task “call Bob” done”. Values come from the
call's parameters, which the model or the user wrote; the receipt escapes them like any text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Preview = Callable[[dict[str, Any]], str]


def _quoted(value: Any) -> str:
    return f"“{value}”" if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def crud_previews(noun: str, label: str, flag: str | None) -> dict[str, Preview]:
    """The previews of a CRUD app's changing verbs, keyed by verb."""

    def which(p: dict[str, Any]) -> str:
        if p.get("item"):
            return f"{noun} {_quoted(p['item'])}"
        return f"{noun} {p['id']}" if p.get("id") is not None else f"a {noun}"

    def state(value: Any) -> str:
        return str(flag) if value else f"not {flag}"

    def others(p: dict[str, Any], skip: set[str]) -> str:
        rest = {k: v for k, v in p.items() if k not in skip}
        return "; ".join(f"{k}: {_quoted(v)}" for k, v in rest.items())

    def add(p: dict[str, Any]) -> str:
        done = f", {state(True)}" if flag and p.get(flag) else ""
        return f"Add {noun} {_quoted(p.get(label, ''))}{done}"

    def update(p: dict[str, Any]) -> str:
        if label in p:
            rest = others(p, {"id", "item", label})
            return f"Rename {which(p)} to {_quoted(p[label])}" + (f" ({rest})" if rest else "")
        return f"Change {which(p)}: {others(p, {'id', 'item'}) or 'nothing'}"

    def toggle(p: dict[str, Any]) -> str:
        if flag and flag in p:
            return f"Mark {which(p)} {state(p[flag])}"
        return f"Flip “{flag}” on {which(p)}"

    def delete(p: dict[str, Any]) -> str:
        return f"Delete {which(p)}"

    def move(p: dict[str, Any]) -> str:
        where = p.get("position")
        place = f"the {where}" if where in ("top", "bottom") else f"{where}" if where in ("up", "down") \
            else f"position {where}"
        return f"Move {which(p)} {'' if where in ('up', 'down') else 'to '}{place}"

    def clear(p: dict[str, Any]) -> str:
        which = p.get("which")
        if which == flag or which == f"not {flag}":
            return f"Delete every {noun} {'that is ' if which == flag else ''}{which}"
        return f"Delete every {noun}"

    out: dict[str, Preview] = {"add": add, "update": update, "delete": delete, "clear": clear, "move": move}
    if flag:
        out["toggle"] = toggle
    return out
