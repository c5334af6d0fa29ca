"""Assistant actions (DESIGN.md §5): find JSON commands in model output, validate, execute.

The model's output is untrusted. A command does something only when it is
1. found by ``extract_commands`` (fenced ```json blocks, bare ``{...}`` objects, tool calls);
2. accepted by ``validate``: one of six actions on a whitelisted target, whitelisted fields
   with checked types and lengths, nothing unknown, nothing nested, nothing that looks like SQL;
3. run by ``ActionExecutor`` through the CrudApp data methods only (the path the UI uses, so
   pages update live), on rows of the current profile only.

The short intents of the small-model pass (``cardflow.chat.intent``) are accepted too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cardflow.chat.intent import (  # re-exported: the chat layer needs only this module
    INTENT_ACTIONS,
    SQLISH,
    Extracted,
    classify,
    command_schema,
    extract_commands,
    intent_to_command,
    looks_like_command,
    match_rows,
    quote_names,
)
from cardflow.fields import ValidationError

ACTIONS = ("insert", "read", "update", "delete", "toggle", "sort")
ACTION_ALIASES = {"add": "insert", "create": "insert", "list": "read", "show": "read", "rename": "update",
                  "edit": "update", "remove": "delete", "reorder": "sort", "move": "sort"}
TARGETS = {"task": "task", "tasks": "task", "profile": "profile", "profiles": "profile"}
# Field -> ("text", max length) or ("bool",). The only columns a command can ever write.
FIELDS: dict[str, dict[str, tuple]] = {
    "task": {"name": ("text", 500), "done": ("bool",)},
    "profile": {"name": ("text", 200), "real_name": ("text", 200), "address": ("text", 500),
                "code": ("text", 50), "active": ("bool",)},
}
# Profiles are not scoped to a profile: the assistant may add one, list them, and change the
# current one; deleting or reordering profiles stays on the Profiles page.
TARGET_ACTIONS = {"task": set(ACTIONS), "profile": {"insert", "read", "update", "toggle"}}
POSITIONS = ("top", "bottom")
COMMON_KEYS = {"action", "target", "table", "id", "name", "new_name", "values", "order", "position"}
MAX_COMMAND_CHARS = 5000
MAX_ORDER = 500
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ActionError(ValueError):
    """A command was refused; the message is a sentence for the chat panel."""


class _Ambiguous(ActionError):
    """More than one row matches the name."""


__all__ = ["ActionError", "ActionExecutor", "ActionResult", "Command", "Extracted", "classify", "command_schema",
           "extract_commands", "intent_to_command", "looks_like_command", "tool_definitions", "validate"]


@dataclass(frozen=True)
class Command:
    action: str
    target: str
    id: int | None = None
    match: str | None = None  # a name to resolve to a row of the current profile
    values: dict[str, Any] = field(default_factory=dict)
    order: tuple[int | str, ...] = ()
    position: str | None = None


@dataclass
class ActionResult:
    ok: bool
    message: str
    changed: list = field(default_factory=list)
    needs_confirmation: bool = False


# -- validation ------------------------------------------------------------------------------
def _text(key: str, value: Any, max_len: int) -> str:
    if not isinstance(value, str):
        raise ActionError(f"The value of “{key}” must be " + (
            "plain text, not a list or an object." if isinstance(value, (dict, list)) else "text."))
    value = value.strip()
    if not value:
        raise ActionError(f"The value of “{key}” is empty.")
    if len(value) > max_len:
        raise ActionError(f"The value of “{key}” is too long: keep it under {max_len} characters "
                          f"(this is {len(value)}).")
    if CONTROL.search(value):
        raise ActionError(f"The value of “{key}” contains control characters.")
    if SQLISH.search(value):
        raise ActionError("That looks like a database command; I only add, change or remove single items.")
    return value


def _field_value(target: str, key: str, value: Any) -> Any:
    spec = FIELDS[target].get(key)
    if spec is None:
        raise ActionError(f"A {target} has no field “{key}” I may change "
                          f"(allowed: {', '.join(FIELDS[target])}).")
    if spec[0] == "bool":
        if not isinstance(value, bool):
            raise ActionError(f"The value of “{key}” must be true or false.")
        return value
    return _text(key, value, spec[1])


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ActionError("An id must be a positive whole number.")
    return value


def validate(raw: Any) -> Command:
    """Check one command against the whitelist; raise ActionError with a readable reason."""
    if not isinstance(raw, dict):
        raise ActionError("A command must be a JSON object.")
    try:
        size = len(json.dumps(raw))
    except (TypeError, ValueError):
        raise ActionError("The command contains values that are not JSON.") from None
    if size > MAX_COMMAND_CHARS:
        raise ActionError("The command is too long.")
    if not isinstance(action := raw.get("action"), str):
        raise ActionError("The command has no action.")
    if "target" not in raw and "table" not in raw and action in INTENT_ACTIONS and set(raw) <= {
            "action", "name", "new_name"}:
        full = intent_to_command(raw)  # the short form of the small-model pass
        if full is None:
            raise ActionError("That was not a command.")
        raw = full
    action = ACTION_ALIASES.get(raw["action"].strip().lower(), raw["action"].strip().lower())
    if action not in ACTIONS:
        raise ActionError(f"“{raw['action'][:40]}” is not an action I can do (I can: {', '.join(ACTIONS)}).")
    if "target" in raw and "table" in raw:
        raise ActionError("Give either “target” or “table”, not both.")
    target_raw = raw.get("target", raw.get("table", "task"))
    target = TARGETS.get(target_raw.strip().lower()) if isinstance(target_raw, str) else None
    if target is None:
        raise ActionError(f"I can only change tasks and profiles, not “{str(target_raw)[:40]}”.")
    if action not in TARGET_ACTIONS[target]:
        raise ActionError(f"Profiles cannot be {'deleted' if action == 'delete' else 'reordered'} from the "
                          "chat; use the Profiles page.")
    unknown = [k for k in raw if k not in COMMON_KEYS and k not in FIELDS[target]]
    if unknown:
        raise ActionError(f"The command has {'a key' if len(unknown) == 1 else 'keys'} I do not accept: "
                          f"{', '.join('“' + str(k)[:40] + '”' for k in unknown)}.")
    return _build(action, target, raw)


def _build(action: str, target: str, raw: dict) -> Command:
    item_id = _id(raw["id"]) if "id" in raw else None
    name = _text("name", raw["name"], FIELDS[target]["name"][1]) if "name" in raw else None
    values: dict[str, Any] = {}
    extra = raw.get("values", {})
    if not isinstance(extra, dict):
        raise ActionError("“values” must be an object of field names and values.")
    for key, value in [*extra.items(), *((k, raw[k]) for k in raw if k in FIELDS[target] and k != "name")]:
        values[key] = _field_value(target, key, value)
    allowed = {"insert": {"name"}, "read": {"name"}, "update": {"id", "name", "new_name"},
               "delete": {"id", "name"}, "toggle": {"id", "name"}, "sort": {"id", "name", "order", "position"}}
    wrong = [k for k in ("id", "name", "new_name", "order", "position") if k in raw and k not in allowed[action]]
    if wrong or (values and action not in ("insert", "update")):
        raise ActionError(f"A {action} command does not take “{(wrong or list(values))[0]}”.")
    match = name
    if action == "insert":
        if name is None and "name" not in values:
            raise ActionError(f"A new {target} needs a name.")
        values = {"name": name, **values} if name is not None else values
        match = None
    elif action == "update":
        if "new_name" in raw:
            values["name"] = _text("new_name", raw["new_name"], FIELDS[target]["name"][1])
        elif item_id is not None and name is not None:
            values["name"], match = name, None  # with an id, "name" is the new value
        if not values:
            raise ActionError("The update says nothing to change.")
    if action in ("update", "delete", "toggle") and item_id is None and match is None:
        raise ActionError(f"Say which {target} to {action}: give its name or id.")
    order: tuple = ()
    position = raw.get("position")
    if action == "sort":
        order = _order(raw.get("order"), target) if "order" in raw else ()
        if position is not None and position not in POSITIONS:
            raise ActionError("The position must be “top” or “bottom”.")
        if not order and (position is None or (item_id is None and match is None)):
            raise ActionError("Give the new order, or which item to move to the top or bottom.")
    return Command(action, target, item_id, match, values, order, position)


def _order(value: Any, target: str) -> tuple:
    if not isinstance(value, list) or not value or len(value) > MAX_ORDER:
        raise ActionError("The order must be a list of names or ids.")
    return tuple(_id(i) if isinstance(i, int) else _text("order", i, FIELDS[target]["name"][1]) for i in value)


def tool_definitions() -> list[dict]:
    """OpenAI-style tools, one per action, for backends with native tool calling (built from the whitelist)."""
    def props(target: str) -> dict:
        return {k: {"type": "boolean"} if spec[0] == "bool" else {"type": "string", "maxLength": spec[1]}
                for k, spec in FIELDS[target].items() if k != "name"}

    text = {"type": "string", "maxLength": 500}
    ident = {"id": {"type": "integer", "description": "The item's id, if known."},
             "name": {**text, "description": "The item's name, as the user said it."}}
    specs = {
        "insert": ("Add a task (or a profile).", {"name": text, **props("profile")}, ["name"]),
        "read": ("List the current profile's tasks, or the profiles.", {"name": text}, []),
        "update": ("Rename an item (name -> new_name) or change its fields.",
                   {**ident, "new_name": text, **props("task"), **props("profile")}, []),
        "delete": ("Delete one task.", ident, []),
        "toggle": ("Flip a task between done and not done.", ident, []),
        "sort": ("Reorder tasks: the whole new order, or one task moved to the top or bottom.",
                 {**ident, "order": {"type": "array", "items": {"type": ["string", "integer"]}},
                  "position": {"type": "string", "enum": list(POSITIONS)}}, []),
    }
    target = {"type": "string", "enum": list(FIELDS), "description": "What to change (default: task)."}
    return [{"type": "function", "function": {"name": name, "description": desc, "parameters": {
        "type": "object", "properties": {"target": target, **properties}, "required": required,
        "additionalProperties": False}}} for name, (desc, properties, required) in specs.items()]


# -- execution -------------------------------------------------------------------------------
class ActionExecutor:
    """Runs validated commands for one profile, through the CrudApp data methods only."""

    def __init__(self, targets: dict[str, Any], profile_id: int) -> None:
        self.targets = {k: v for k, v in targets.items() if k in FIELDS}
        self.profile_id = profile_id

    def execute(self, cmd: Command | dict) -> ActionResult:
        try:
            cmd = cmd if isinstance(cmd, Command) else validate(cmd)
            app = self.targets.get(cmd.target)
            if app is None:
                raise ActionError(f"{cmd.target.capitalize()}s are not available here.")
            return getattr(self, f"_{cmd.action}")(app, cmd)
        except _Ambiguous as exc:  # nothing changed; the user picks one
            return ActionResult(False, str(exc), needs_confirmation=True)
        except ActionError as exc:
            return ActionResult(False, str(exc))
        except (ValidationError, LookupError) as exc:
            return ActionResult(False, str(exc) or "That did not work.")

    # rows ---------------------------------------------------------------------------------
    def _rows(self, app: Any) -> list:
        if app.scoped:
            return app.items(self.profile_id)
        mine = app.get_item(self.profile_id, self.profile_id)  # unscoped: only the current profile
        return [mine] if mine is not None else []

    def _row(self, app: Any, cmd: Command) -> Any:
        """The one row the command means, or ActionError (with the candidates when ambiguous)."""
        if cmd.id is not None:
            row = app.get_item(cmd.id, self.profile_id)
            if row is None or (not app.scoped and row.id != self.profile_id):
                raise ActionError(f"No {app.noun} with id {cmd.id} here." if app.scoped else
                                  "I can only change the current profile.")
            return row
        rows = self._rows(app)
        found = match_rows(cmd.match or "", rows)
        if len(found) == 1:
            return found[0]
        if not found:
            raise ActionError(f"No {app.noun} matches “{cmd.match}”." +
                              ("" if rows else f" There are no {app.noun}s yet."))
        raise _Ambiguous(f"Which one: {quote_names(found)}?")

    # actions ------------------------------------------------------------------------------
    def _insert(self, app: Any, cmd: Command) -> ActionResult:
        toggle = app.toggle_field
        item = app.insert_item(self.profile_id, {k: v for k, v in cmd.values.items() if k in app.fields})
        if toggle in cmd.values and bool(getattr(item, toggle)) != cmd.values[toggle]:
            item = app.toggle_item(item.id, self.profile_id)
        return ActionResult(True, f"Added “{item.name}”.", [item])

    def _read(self, app: Any, cmd: Command) -> ActionResult:
        rows = match_rows(cmd.match, app.items(self.profile_id)) if cmd.match else app.items(self.profile_id)
        if not rows:
            return ActionResult(True, f"No {app.noun}s{' match' if cmd.match else ' yet'}.")
        flag = app.toggle_field
        lines = [f"{i}. {r.name}{' ✓' if flag and getattr(r, flag) else ''}" for i, r in enumerate(rows[:50], 1)]
        more = f"\n… and {len(rows) - 50} more" if len(rows) > 50 else ""
        return ActionResult(True, f"{len(rows)} {app.noun}{'s' if len(rows) != 1 else ''}:\n" + "\n".join(lines) + more)

    def _update(self, app: Any, cmd: Command) -> ActionResult:
        row, changed, said = self._row(app, cmd), [], []
        values = dict(cmd.values)
        flag = app.toggle_field
        if flag in values:
            wanted = values.pop(flag)
            if bool(getattr(row, flag)) != wanted:
                row = app.toggle_item(row.id, self.profile_id)
                changed = [row]
            said.append(f"Marked “{row.name}” {_state(flag, wanted)}"
                        + ("" if changed else " (it already was)"))
        fields = {k: v for k, v in values.items() if k in app.fields and getattr(row, k) != v}
        if not fields and not said:
            said.append(f"“{row.name}” already looks like that")
        if fields:
            old = row.name
            row = app.update_item(row.id, self.profile_id, fields)
            changed = [row]
            said.append(f"Renamed “{old}” to “{row.name}”" if set(fields) == {"name"}
                        else f"Updated “{row.name}”")
        return ActionResult(True, "; ".join(said) + ".", changed)

    def _toggle(self, app: Any, cmd: Command) -> ActionResult:
        row = app.toggle_item(self._row(app, cmd).id, self.profile_id)
        return ActionResult(True, f"Marked “{row.name}” {_state(app.toggle_field, getattr(row, app.toggle_field))}.",
                            [row])

    def _delete(self, app: Any, cmd: Command) -> ActionResult:
        row = app.delete_item(self._row(app, cmd).id, self.profile_id)
        return ActionResult(True, f"Deleted “{row.name}”.", [row])

    def _sort(self, app: Any, cmd: Command) -> ActionResult:
        rows = app.items(self.profile_id)
        if cmd.position:
            moved = [self._row(app, cmd)]
        else:
            moved = []
            for key in cmd.order:
                row = self._row(app, Command("sort", cmd.target, key if isinstance(key, int) else None,
                                             key if isinstance(key, str) else None))
                if row.id not in {r.id for r in moved}:
                    moved.append(row)
        ids = [r.id for r in moved]
        rest = [r.id for r in rows if r.id not in ids]
        new = rest + ids if cmd.position == "bottom" else ids + rest
        if new == [r.id for r in rows]:
            return ActionResult(True, "The order is already like that.")
        app.sort_items(new, self.profile_id)
        if cmd.position:
            return ActionResult(True, f"Moved “{moved[0].name}” to the {cmd.position}.", moved)
        return ActionResult(True, f"New order starts with {quote_names(moved, 'then')}.", moved)


def _state(flag: str, value: Any) -> str:
    return {"done": ("done", "not done"), "active": ("active", "inactive")}.get(flag, ("on", "off"))[not value]
