"""Commands in a model's reply, and the registry's actions as the model sees them.

A model asks for an action in one of two ways: a native tool call (backends with
``supports_tools``) or a JSON object in its text, ``{"action": "tasks.add", "params": {...}}``.
``extract_commands`` finds both and ``to_call`` turns each into a registry name and parameters;
nothing here runs anything (the registry validates and runs, see ``assist.py``).

Tool names: OpenAI function names must match ``^[a-zA-Z0-9_-]{1,64}$``, so ``tasks.add`` is
offered as ``tasks__add``. The mapping is reversible because action names are ``<app>.<verb>``
with no double underscore in either part; a name that cannot be mapped is not offered as a tool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from cardflow.actions.base import Action
from cardflow.chat.backends import TOOL_CALLS_MARKER, parse_tool_calls
from cardflow.errors import Problem

TOOL_SEP = "__"
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# The first line of the command format (the rest is generated from the open app's actions).
COMMAND_HELP = "To act, answer with one short sentence and one JSON object per action on its own line, such as"
FENCE = re.compile(r"```[ \t]*([\w+-]*)[ \t]*\n(.*?)```", re.S)


class Extracted(list[dict[str, Any]]):
    """The commands found in a text; ``errors`` says what could not be read."""

    def __init__(self, commands: Iterable[dict[str, Any]] = (), errors: Iterable[str] = ()) -> None:
        super().__init__(commands)
        self.errors = list(errors)


# -- tool names --------------------------------------------------------------------------------
def tool_name(action: str) -> str | None:
    """``tasks.add`` -> ``tasks__add``; None when the name would not survive the round trip."""
    app, dot, verb = action.partition(".")
    if not dot or TOOL_SEP in app or TOOL_SEP in verb or "." in verb or app.endswith("_") or verb.startswith("_"):
        return None  # "a_.b" and "a._b" would both give "a___b"
    name = f"{app}{TOOL_SEP}{verb}"
    return name if TOOL_NAME.match(name) else None


def action_name(tool: str) -> str:
    """``tasks__add`` -> ``tasks.add``; a name without the separator is returned as is (and refused later)."""
    return tool.replace(TOOL_SEP, ".", 1)


def tool_definitions(actions: Iterable[Action]) -> list[dict[str, Any]]:
    """OpenAI-style tools built from each action's own description and parameter schema."""
    tools = []
    for action in actions:
        name = tool_name(action.name)
        if name is not None:
            tools.append({"type": "function", "function": {
                "name": name, "description": action.description, "parameters": action.params}})
    return tools


# -- the command format in the prompt ------------------------------------------------------------
def _param_hint(name: str, schema: dict[str, Any], required: bool) -> str:
    if "anyOf" in schema:
        shown = "|".join(_param_hint("", option, True)[2:] for option in schema["anyOf"])
        return f"{name}{'' if required else '?'}: {shown}"
    kinds = schema.get("type", "string")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    shown = "/".join("true|false" if k == "boolean" else "number" if k in ("integer", "number") else k
                     for k in kinds)
    if "enum" in schema:
        shown = "|".join(map(str, schema["enum"]))
    return f"{name}{'' if required else '?'}: {shown}"


def command_help(actions: Sequence[Action], rows: str = "") -> str:
    """The short command format for backends without native tools, generated from the actions."""
    lines = []
    for action in actions:
        props: dict[str, Any] = action.params.get("properties", {})
        required = set(action.params.get("required", []))
        params = ", ".join(_param_hint(k, v, k in required) for k, v in props.items())
        lines.append(f"- {action.name}({params}): {action.description}")
    if not lines:
        return ""
    # The example is one of the open app's own actions, so the model never sees another app's names.
    sample = next((a for a in actions if a.app), next(iter(actions)))
    example = json.dumps({"action": sample.name, "params": {k: "…" for k in sample.params.get("required", [])}},
                         ensure_ascii=False)
    text = (f"{COMMAND_HELP}\n{example}\n"
            "Use only these actions and parameters (? = optional); name an item by its name in “item”:\n"
            + "\n".join(lines))
    return text + (f"\n{rows}" if rows else "")


# -- finding commands in text --------------------------------------------------------------------
def _balanced_objects(text: str) -> list[tuple[int, str, bool]]:
    """Top-level ``{...}`` spans, braces inside JSON strings ignored: (offset, span, closed)."""
    spans: list[tuple[int, str, bool]] = []
    depth, start, in_str, escaped = 0, 0, False, False
    for i, ch in enumerate(text):
        if in_str:
            escaped, in_str = (False, in_str) if escaped else (ch == "\\", ch != '"')
            continue
        if ch == '"' and depth:
            in_str = True
        elif ch == "{":
            start, depth = (i, 1) if depth == 0 else (start, depth + 1)
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, text[start : i + 1], True))
    if depth:
        spans.append((start, text[start:], False))
    return spans


def _commands(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict) and "action" in item]


def extract_commands(text: str) -> Extracted:
    """Every command in a reply, in the order written; what cannot be read goes to ``.errors``.

    Fenced ```json (or untagged) blocks and bare objects with an "action" key count; blocks
    tagged with another language are examples, not commands. Native tool calls come last.
    """
    found: list[tuple[int, dict[str, Any]]] = []
    errors: list[str] = []
    marker = text.find(TOOL_CALLS_MARKER)
    tool_chunk = text[marker:] if marker >= 0 else ""
    text = text[:marker] if marker >= 0 else text
    for match in FENCE.finditer(text):
        tag, body = match.group(1).lower(), match.group(2).strip()
        if tag not in ("", "json") or not body or (not tag and body[0] not in "[{"):
            continue
        try:
            value = json.loads(body)
        except json.JSONDecodeError as exc:
            errors.append(f"A JSON block in the reply is malformed ({exc.msg} at line {exc.lineno}).")
            continue
        found += [(match.start(), c) for c in _commands(value)]
        if not _commands(value):
            errors.append('A JSON block in the reply is not a command (it has no "action").')
    blanked = FENCE.sub(lambda m: " " * len(m.group()), text)  # same offsets, fences gone
    for start, span, closed in _balanced_objects(blanked):
        if '"action"' not in span:
            continue  # braces in prose, not a command
        try:
            if not closed:
                raise ValueError("it is cut off")
            found += [(start, c) for c in _commands(json.loads(span))]
        except ValueError as exc:
            errors.append(f"A command in the reply is malformed ({getattr(exc, 'msg', exc)}).")
    out = Extracted((c for _, c in sorted(found, key=lambda pair: pair[0])), errors)
    calls = parse_tool_calls(tool_chunk.strip()) if tool_chunk else []
    out.errors += ["The model's tool call could not be read."] if calls is None else []
    for call in calls or []:
        args = call.get("arguments") if isinstance(call, dict) else None
        if isinstance(args, dict):
            out.append({"action": action_name(str(call.get("name"))), "params": args})
        else:
            out.errors.append(f"The arguments of a tool call ({str(call)[:60]}) are not valid JSON.")
    return out


def to_call(raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A command object as (action name, parameters); the registry checks both. Raises Problem."""
    name = raw.get("action")
    if not isinstance(name, str) or not name.strip():
        raise Problem("The command has no action.")
    if "params" in raw:
        extra = [k for k in raw if k not in ("action", "params")]
        if extra:
            raise Problem(f"Put every parameter inside “params” (found {', '.join(map(str, extra))[:80]} "
                          "outside).")
        params = raw["params"]
        if not isinstance(params, dict):
            raise Problem("The parameters must be a JSON object of names and values.")
        return name.strip(), params
    # Models often flatten the parameters next to "action"; the registry's schema still checks them.
    return name.strip(), {k: v for k, v in raw.items() if k != "action"}
