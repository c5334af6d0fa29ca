"""One assistant reply: the open app's actions as the model's tools, and every run through the registry.

What the assistant may do is what the open app offers: ``ctx.actions.for_app(app)`` (that app's
actions and the global ones), so switching app switches tools as well as the prompt. The model
asks in one of three ways, depending on the backend:

- native tool calling (``supports_tools`` and ``chat.use_tools()``): the actions as tools;
- other bigger backends: the command format, generated from the same actions, in the prompt,
  and ``{"action": "tasks.add", "params": {...}}`` objects in the reply;
- the embedded model (``needs_intent_pass``): one grammar-constrained call (intent.py).

Whatever the way, the call goes to ``ctx.actions.run(..., actor="assistant")``, the one execution
path (validation, profile scope, action_log, live updates). The reply shows each outcome's
summary ("✓ …") or the refusal's sentence ("✗ …").
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action, Outcome
from cardflow.chat.backends import TOOL_CALLS_MARKER
from cardflow.chat.commands import COMMAND_HELP, command_help, extract_commands, to_call, tool_definitions
from cardflow.chat.intent import decide, looks_like_command
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.plugins import Context

__all__ = ["COMMAND_HELP", "execute", "run_reply"]  # COMMAND_HELP: the format's first line, which callers look for

CODE_BLOCK = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.S)
COMMAND_IN_TEXT = re.compile(r'\{[^{}]*"action"\s*:(?:[^{}]|\{[^{}]*\})*\}')  # a command, params one level deep
MAX_COMMANDS = 5  # a runaway reply cannot fire off a hundred changes
MAX_LISTED = 50
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Rows:
    """The open app's rows, for the prompt and for grounding names (empty for apps without rows)."""

    noun: str
    names: list[str]
    line: str


def open_app(ctx: Context) -> str:
    name = ctx.db.store.get("last_app_choice", "home")
    return name if isinstance(name, str) else "home"


def rows_of(ctx: Context, app_name: str, profile_id: int) -> Rows:
    plugin = ctx.registry.by_name(app_name)
    items = getattr(plugin, "items", None)
    if plugin is None or not callable(items):
        return Rows("item", [], "")
    noun, label = str(getattr(plugin, "noun", "item")), str(getattr(plugin, "add_field", "name"))
    flag = getattr(plugin, "toggle_field", None)
    found = list(items(profile_id))
    names = [str(getattr(r, label, "")) for r in found]
    shown = ", ".join(f"“{n}”" + (f" ({flag})" if flag and getattr(r, flag, False) else "")
                      for n, r in zip(names, found, strict=True))
    return Rows(noun, names, f"The user's current {noun}s: {shown or 'none'}.")


def _label(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("name", "title", "key"):
            if key in item:
                return str(item[key]) + (" ✓" if item.get("done") else "")
    return json.dumps(item, ensure_ascii=False)[:80]


def brief(action: Action, result: Any, noun: str) -> str:
    """A read-only action's result in a few lines: a list's names, anything else as short JSON."""
    if isinstance(result, dict) and isinstance(result.get("items"), list):
        items, count = result["items"], int(result.get("count", len(result["items"])))
        if not count:
            return f"No {noun}s."
        lines = [f"{i}. {_label(r)}" for i, r in enumerate(items[:MAX_LISTED], 1)]
        more = f"\n… and {count - len(lines)} more" if count > len(lines) else ""
        return f"{count} {noun}{'s' if count != 1 else ''}:\n" + "\n".join(lines) + more
    text = json.dumps(result, ensure_ascii=False)
    return f"{action.title}: `{text[:300]}{'…' if len(text) > 300 else ''}`"


def outcome_line(action: Action, outcome: Outcome, noun: str) -> str:
    if action.read_only:
        return brief(action, outcome.result, noun)
    return "✓ " + (outcome.summary or f"Done: {action.title}.")


def refuse_control(params: Any, where: str = "") -> None:
    """Model output is untrusted: a control character in any text is refused (the schemas allow them)."""
    if isinstance(params, str) and CONTROL.search(params):
        raise Problem(f"The value of “{where or 'a parameter'}” contains control characters.", field=where or None)
    items = params.items() if isinstance(params, dict) else enumerate(params) if isinstance(params, list) else ()
    for key, value in items:
        refuse_control(value, f"{where}.{key}" if where else str(key))


async def execute(ctx: Context, name: str, params: Any, offered: Sequence[Action], *, profile_id: int,
                  origin: str | None = None) -> str:
    """Run one call through the registry; the line for the reply, "✗ <sentence>" when refused."""
    by_name = {a.name: a for a in offered}
    try:
        action = by_name.get(name) or ctx.actions.get(name)  # an unknown name is refused here
        if name not in by_name:
            plugin = ctx.registry.by_name(action.app)
            raise Problem(f"“{name}” is not available here: open the {plugin.title if plugin else action.app} "
                          "app first.")
        refuse_control(params)
        outcome = await ctx.actions.run(name, params, actor="assistant", profile_id=profile_id, origin=origin)
    except Problem as exc:
        return "✗ " + exc.message
    plugin = ctx.registry.by_name(action.app)
    return outcome_line(action, outcome, str(getattr(plugin, "noun", "item")))


def strip_commands(text: str) -> str:
    """The reply without the command JSON that was run: the user reads the outcome line instead."""
    text = CODE_BLOCK.sub(lambda m: "" if '"action"' in m.group(1) else m.group(0), text)
    text = COMMAND_IN_TEXT.sub("", text)
    return text.strip()


async def run_commands(ctx: Context, raws: Sequence[dict[str, Any]], offered: Sequence[Action], *,
                       profile_id: int, origin: str | None) -> list[str]:
    lines = []
    for raw in raws[:MAX_COMMANDS]:
        try:
            name, params = to_call(raw)
        except Problem as exc:
            lines.append("✗ " + exc.message)
            continue
        lines.append(await execute(ctx, name, params, offered, profile_id=profile_id, origin=origin))
    return lines


async def run_reply(ctx: Context, profile_id: int, text: str, on_chunk: Callable[[str], Awaitable[None]],
                    origin: str | None = None) -> str:
    # `origin` is the chat panel's client id, which is also its page's SSE id. The registry spares
    # the origin the live update (a form has already redrawn itself), but a page changed from the
    # chat has not, so the assistant's runs are broadcast to every page, the asking one included.
    del origin
    chat = ctx.chat
    backend, _ = await chat.backend()
    app_name = open_app(ctx)
    offered = ctx.actions.for_app(app_name)
    rows = rows_of(ctx, app_name, profile_id)

    if backend.needs_intent_pass and looks_like_command(text):
        decision = await decide(backend, text, offered, rows.names, noun=rows.noun, model=chat.model())
        if decision is not None:
            reply = await execute(ctx, decision.action, decision.params, offered, profile_id=profile_id)
            await on_chunk(reply)
            return reply

    native = chat.use_tools() and backend.supports_tools
    extra = "" if backend.needs_intent_pass else rows.line if native else command_help(offered, rows.line)
    messages = chat.build_messages(profile_id, chat.system_prompt(app_name, extra=extra))
    options: dict[str, Any] = {"idle_timeout": chat.idle_timeout()}
    if native:
        options["tools"] = tool_definitions(offered)
    acc, tool_chunks = "", ""
    async for chunk in backend.stream(messages, model=chat.model(), options=options):
        if TOOL_CALLS_MARKER in chunk:
            tool_chunks += chunk  # native tool calls: parsed (and refused if malformed) with the text below
            continue
        acc += chunk
        await on_chunk(acc)

    found = extract_commands(acc + tool_chunks)
    if found:
        lines = await run_commands(ctx, found, offered, profile_id=profile_id, origin=None)
        acc = (strip_commands(acc) + "\n\n" + "\n".join(lines)).strip()
        await on_chunk(acc)
    elif found.errors:
        acc = (acc.rstrip() + "\n\n✗ The reply held a command that could not be read, so nothing was changed.").strip()
        await on_chunk(acc)
    return acc
