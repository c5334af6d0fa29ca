"""Actions derived from a CrudApp's declaration: list, get, add, update, toggle, delete, clear, move.

Every handler goes through the app's data methods (`insert_item`, `update_item`, ...), the same
ones the pages use, so validation is the field's own and open pages update live. Each records
the rows before and after for the action log and undo.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Protocol

from cardflow.actions.base import Action, Call
from cardflow.actions.crud_preview import crud_previews
from cardflow.actions.resolve import pick
from cardflow.actions.schema import Schema, array, boolean, either, integer, obj, string
from cardflow.errors import Problem
from cardflow.fields import Field

POSITIONS = ("top", "bottom", "up", "down")
# How a move to each of them is said, after "move <the row>" (Action.phrases). The value's own word
# is read in the call as well (chat/values.py), so the phrase gives the other words for the place:
# with "to the bottom of the list, last", "… to the end of the list" came out top or unsure
# (docs/assistant.md, "The end of the list").
SAID = {"top": "to the top of the list, first", "bottom": "to the end of the list, last",
        "up": "up one place", "down": "down one place"}
EVERY = "all"  # a clear's "which": every row, whatever its flag
LIST_LIMIT = 200


class CrudLike(Protocol):
    """What the derived actions need from an app (cardflow.crud.CrudApp provides it)."""

    @property
    def name(self) -> str: ...
    @property
    def noun(self) -> str: ...
    @property
    def table_name(self) -> str: ...
    @property
    def fields(self) -> dict[str, Field]: ...
    @property
    def add_field(self) -> str: ...
    @property
    def toggle_field(self) -> str | None: ...
    @property
    def scoped(self) -> bool: ...

    def items(self, profile_id: int) -> list[Any]: ...
    def get_item(self, item_id: Any, profile_id: int) -> Any | None: ...
    def insert_item(self, profile_id: int, values: dict[str, Any], *, origin: str | None = None) -> Any: ...
    def update_item(self, item_id: Any, profile_id: int, values: dict[str, Any], *,
                    origin: str | None = None) -> Any: ...
    def toggle_item(self, item_id: Any, profile_id: int, *, origin: str | None = None) -> Any: ...
    def delete_item(self, item_id: Any, profile_id: int, *, origin: str | None = None) -> Any: ...
    def sort_items(self, ids: list[Any], profile_id: int, *, origin: str | None = None) -> list[Any]: ...
    def owned_rows(self, item: Any) -> list[tuple[str, Any, dict[str, Any]]]: ...


def row(item: Any) -> dict[str, Any]:
    """The row as JSON; SQLite hands booleans back as 0/1, so the dataclass's types restore them.
    Rows hold scalars only, so a shallow read does what `asdict`'s deep copy did, at a fifth the cost."""
    names, flags = row_fields(type(item))
    out = {name: getattr(item, name) for name in names}
    for name in flags:
        if out[name] is not None:
            out[name] = bool(out[name])
    return out


_FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def row_fields(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A row class's field names, and its boolean ones, computed once per class: `fields()`
    rebuilt them for every row read or written (three a click). `CrudApp`'s SELECTs use them too."""
    shape = _FIELDS.get(cls)
    if shape is None:
        shape = _FIELDS[cls] = (tuple(f.name for f in fields(cls)),
                                tuple(f.name for f in fields(cls) if f.type in (bool, "bool")))
    return shape


def crud_actions(app: CrudLike) -> list[Action]:
    noun, flag = app.noun, app.toggle_field
    label = app.add_field
    ref: dict[str, Schema] = {
        "id": integer(f"The {noun}'s id, if known.", minimum=1),
        "item": string(f"Which {noun}: its {label}, as the user said it (matched loosely).", max_length=500),
    }
    values = {k: f.json_schema() for k, f in app.fields.items()}
    flag_param = {flag: boolean(f"Whether the {noun} is {flag}.")} if flag else {}

    def items(call: Call) -> list[Any]:
        return app.items(call.profile_id)

    def target(call: Call) -> Any:
        p = call.params
        if p.get("id") is not None:  # one row by id: loading the whole list made a toggle O(rows)
            found = app.get_item(p["id"], call.profile_id)
            if found is None:
                raise Problem(f"No {noun} with id {p['id']} in this profile.", 404, field="id")
            return found
        return pick(items(call), item_id=p.get("id"), name=p.get("item"), noun=noun,
                    name_of=lambda r: str(getattr(r, label)))

    def list_(call: Call) -> dict[str, Any]:
        rows = items(call)
        if flag and flag in call.params:
            rows = [r for r in rows if bool(getattr(r, flag)) == call.params[flag]]
        if call.params.get("query"):
            q = call.params["query"].casefold()
            rows = [r for r in rows if q in str(getattr(r, label)).casefold()]
        shown = rows[: call.params.get("limit", LIST_LIMIT)]
        return {"count": len(rows), "items": [row(r) for r in shown]}

    def get(call: Call) -> dict[str, Any]:
        return {"item": row(target(call))}

    def add(call: Call) -> dict[str, Any]:
        data = {k: _form_value(v) for k, v in call.params.items() if k in app.fields}
        item = app.insert_item(call.profile_id, data, origin=call.origin)
        if flag and call.params.get(flag) and not getattr(item, flag):
            item = app.toggle_item(item.id, call.profile_id, origin=call.origin)
        call.record(app.table_name, item.id, None, row(item))
        call.say(f"Added {noun} “{getattr(item, label)}”.")
        return {"item": row(item)}

    def update(call: Call) -> dict[str, Any]:
        item = target(call)
        before = row(item)
        data = {k: _form_value(v) for k, v in call.params.items() if k in app.fields}
        if not data and not (flag and flag in call.params):
            raise Problem(f"Say what to change: {', '.join([*app.fields, *([flag] if flag else [])])}.")
        if data:
            item = app.update_item(item.id, call.profile_id, data, origin=call.origin)
        if flag and flag in call.params and bool(getattr(item, flag)) != call.params[flag]:
            item = app.toggle_item(item.id, call.profile_id, origin=call.origin)
        call.record(app.table_name, item.id, before, row(item))
        old, new = before[label], getattr(item, label)
        call.say(f"Renamed {noun} “{old}” to “{new}”." if old != new else f"Updated {noun} “{new}”.")
        return {"item": row(item)}

    def toggle(call: Call) -> dict[str, Any]:
        assert flag is not None
        item = target(call)
        before = row(item)
        wanted = call.params.get(flag, not bool(getattr(item, flag)))
        if bool(getattr(item, flag)) != wanted:
            item = app.toggle_item(item.id, call.profile_id, origin=call.origin)
            call.record(app.table_name, item.id, before, row(item))
        state = flag if wanted else f"not {flag}"
        call.say(f"Marked {noun} “{getattr(item, label)}” {state}.")
        return {"item": row(item)}

    def delete(call: Call) -> dict[str, Any]:
        item = target(call)
        owned = app.owned_rows(item)  # rows that go with it, so undo can bring them back
        app.delete_item(item.id, call.profile_id, origin=call.origin)
        call.record(app.table_name, item.id, row(item), None)
        for table, key, data in owned:
            call.record(table, key, data, None)
        call.say(f"Deleted {noun} “{getattr(item, label)}”.")
        return {"deleted": row(item)}

    def clear(call: Call) -> dict[str, Any]:
        which = call.params["which"]
        rows = [r for r in items(call) if which == EVERY or bool(getattr(r, str(flag))) == (which == flag)]
        if not rows:  # no error: the call asked for none of them to be left, and none is
            call.say(f"There was nothing to delete: no {counted(noun, which)}.")
            return {"deleted": [], "count": 0}
        for item in rows:  # in the registry's one transaction: all of them go, or none
            owned = app.owned_rows(item)
            app.delete_item(item.id, call.profile_id, origin=call.origin)
            call.record(app.table_name, item.id, row(item), None)
            for table, key, data in owned:
                call.record(table, key, data, None)
        call.say(f"Deleted {counted(noun, which, len(rows))}.")
        return {"deleted": [row(r) for r in rows], "count": len(rows)}

    def move(call: Call) -> dict[str, Any]:
        rows = items(call)
        item = target(call)
        order = [r.id for r in rows]
        old = order.index(item.id)
        where = call.params["position"]
        new = {"top": 0, "bottom": len(order) - 1, "up": max(0, old - 1),
               "down": min(len(order) - 1, old + 1)}.get(str(where)) if isinstance(where, str) else where - 1
        if new is None or not 0 <= new < len(order):
            raise Problem(f"The position must be top, bottom, up, down or a number from 1 to {len(order)}.",
                          field="position")
        order.insert(new, order.pop(old))
        before = {r.id: row(r) for r in rows}
        after = app.sort_items(order, call.profile_id, origin=call.origin)
        for r in after:
            if before[r.id]["priority"] != r.priority:
                call.record(app.table_name, r.id, before[r.id], row(r))
        call.say(f"Moved {noun} “{getattr(item, label)}” to position {new + 1} of {len(order)}.")
        return {"items": [row(r) for r in after]}

    def reorder(call: Call) -> dict[str, Any]:
        before = {r.id: row(r) for r in items(call)}
        after = app.sort_items(call.params["order"], call.profile_id, origin=call.origin)
        for r in after:
            if before[r.id]["priority"] != r.priority:
                call.record(app.table_name, r.id, before[r.id], row(r))
        call.say(f"Reordered the {noun}s.")
        return {"items": [row(r) for r in after]}

    n, scope = app.name, "" if app.scoped else " (all profiles)"
    actions = [
        Action(f"{n}.list", f"List the {noun}s{scope}, in order; filter by text" + (f" or {flag}" if flag else "") + ".",
               list_, obj({"query": string(f"Only {noun}s whose {label} contains this."), **flag_param,
                           "limit": integer("At most this many.", minimum=1, maximum=LIST_LIMIT)}), read_only=True),
        Action(f"{n}.get", f"Show one {noun}, by id or {label}.", get, obj(ref), read_only=True),
        Action(f"{n}.add", f"Add a {noun}.", add,
               obj({**values, **flag_param}, [k for k, f in app.fields.items() if f.required])),
        Action(f"{n}.update", f"Rename a {noun} (a new “{label}”) or change its other fields.", update,
               obj({**ref, **values, **flag_param})),
        Action(f"{n}.delete", f"Delete a {noun}" + ("" if app.scoped else " and everything that belongs to it") + ".",
               delete, obj(ref), destructive=True, confirm=True),
        Action(f"{n}.move", f"Move a {noun} in the list: top, bottom, up, down, or a position (1 = first).", move,
               obj({**ref, "position": either(string(enum=list(POSITIONS), max_length=10), integer(minimum=1),
                                               description="top, bottom, up, down or 1…n")},
                   ["position"]), phrases={"position": SAID}),
        Action(f"{n}.reorder", f"Put every {noun} in a new order: the full list of ids, first to last.", reorder,
               obj({"order": array({"type": ["integer", "string"]}, f"Every {noun}'s id, in the new order.",
                                   max_items=LIST_LIMIT * 5)}, ["order"])),
    ]
    if app.scoped:  # every row of a profile; an app of all profiles' rows (Profiles) has none to clear
        kinds = [EVERY, flag, f"not {flag}"] if flag else [EVERY]
        actions.insert(5, Action(
            f"{n}.clear", f"Delete every {noun} at once" + (f", or only those {flag} or not {flag}" if flag else "")
            + " (one change: undo brings them all back).", clear,
            obj({"which": string(f"Which {noun}s: {', '.join(kinds)}.", enum=kinds)}, ["which"]),
            destructive=True, confirm=True, every=True))
    if flag:
        actions.insert(4, Action(f"{n}.toggle", f"Mark a {noun} {flag} or not {flag} (flips it when “{flag}” "
                                 "is not given).", toggle, obj({**ref, **flag_param})))
    # The data methods only write rows and publish fragments: their commits may run off the loop.
    # An app may say how its users ask for each verb ({"delete": "remove the cat task"}).
    said: dict[str, str | tuple[str, ...]] = getattr(app, "chat_examples", {})
    previews = crud_previews(noun, label, flag)
    deed = flag if flag and getattr(app, "deeds", False) else ""
    return [replace(a, app=app.name, commit_off_loop=not a.read_only,
                    examples=_examples(said.get(verb := a.name.rpartition(".")[2], ())),
                    preview=previews.get(verb), deed_flag=deed if verb == "toggle" else "")
            for a in actions]


def counted(noun: str, which: str, n: int | None = None) -> str:
    """Rows a clear takes, in words: "3 done tasks", "1 task not done", "tasks" (no count)."""
    plural = noun if n == 1 else f"{noun}s"
    head = "" if n is None else f"{n} "
    if which == EVERY:
        return f"{head}{plural}"
    return f"{head}{which} {plural}" if not which.startswith("not ") else f"{head}{plural} {which}"


def _examples(said: str | tuple[str, ...]) -> tuple[str, ...]:
    """An app's examples for one verb: one phrasing or several."""
    return (said,) if isinstance(said, str) else tuple(said)


def _form_value(value: Any) -> Any:
    """A JSON value as the form would send it, so the field parses it exactly as on the page."""
    if isinstance(value, bool):
        return "on" if value else ""
    return value if isinstance(value, str) else str(value)
