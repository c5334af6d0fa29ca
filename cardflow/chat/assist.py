"""One assistant reply: the intent pass for small models, streaming, and validated actions.

Small models (the embedded SmolLM2) cannot be trusted to write commands in free text, so for a
message that looks like a command they first get one grammar-constrained call that may only pick
an action and a name (chat/intent.py); the app resolves names to ids itself. Bigger backends are
told the command format in the system prompt; any JSON command or native tool call in their reply
is validated and run. Either way, only the actions in chat/actions.py can change anything.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cardflow.chat.actions import (
    ActionExecutor,
    ActionResult,
    classify,
    extract_commands,
    intent_to_command,
    looks_like_command,
    tool_definitions,
)
from cardflow.chat.backends import TOOL_CALLS_MARKER

if TYPE_CHECKING:
    from cardflow.plugins import Context

CODE_BLOCK = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.S)
COMMAND_IN_TEXT = re.compile(r'\{[^{}]*"action"\s*:[^{}]*\}')  # one flat command object, as the format asks
COMMAND_HELP = (
    "When the user asks to change their task list, answer with one short sentence and one JSON object "
    "on its own line, for example:\n"
    '{{"action": "insert", "target": "task", "name": "buy milk"}}\n'
    '{{"action": "toggle", "target": "task", "name": "buy milk"}}\n'
    '{{"action": "update", "target": "task", "name": "buy milk", "new_name": "buy oat milk"}}\n'
    '{{"action": "delete", "target": "task", "name": "buy milk"}}\n'
    "Never invent other actions or fields. The user's current tasks: {tasks}."
)


def executor_for(ctx: Context, profile_id: int) -> ActionExecutor:
    registry = ctx.registry
    targets = {name: registry.by_name(app) for name, app in (("task", "tasks"), ("profile", "profiles"))}
    return ActionExecutor({k: v for k, v in targets.items() if v is not None}, profile_id)


def _task_names(ctx: Context, profile_id: int) -> list[Any]:
    tasks = ctx.registry.by_name("tasks")
    return tasks.items(profile_id) if tasks else []


def strip_commands(text: str) -> str:
    """The reply without the command JSON that was run: the user reads the outcome line instead."""
    text = CODE_BLOCK.sub(lambda m: "" if '"action"' in m.group(1) else m.group(0), text)
    text = COMMAND_IN_TEXT.sub("", text)
    return text.strip()


def describe(results: list[ActionResult]) -> str:
    return "\n".join(("✓ " if r.ok else "✗ ") + r.message for r in results)


async def run_reply(ctx: Context, profile_id: int, text: str, on_chunk: Callable[[str], Awaitable[None]],
                    origin: str | None = None) -> str:
    chat = ctx.chat
    backend, _ = await chat.backend()
    executor = executor_for(ctx, profile_id)
    tasks = _task_names(ctx, profile_id)

    if backend.name == "embedded" and looks_like_command(text):
        intent = await classify(backend, text, tasks, model=chat.model())
        command = intent_to_command(intent)
        if command is not None:
            reply = describe([executor.execute(command)])
            await on_chunk(reply)
            return reply

    extra = "" if backend.name == "embedded" else COMMAND_HELP.format(
        tasks=", ".join(f"“{t.name}”" + (" (done)" if t.done else "") for t in tasks) or "none")
    messages = chat.build_messages(profile_id, chat.system_prompt(extra=extra))
    options: dict[str, Any] = {"idle_timeout": chat.idle_timeout()}
    if chat.use_tools() and backend.name in ("openai", "ollama"):
        options["tools"] = tool_definitions()  # servers with native tool calling get the actions as tools
    acc, tool_chunks = "", ""
    async for chunk in backend.stream(messages, model=chat.model(), options=options):
        if TOOL_CALLS_MARKER in chunk:
            tool_chunks += chunk  # native tool calls: parsed (and refused if malformed) with the text below
            continue
        acc += chunk
        await on_chunk(acc)

    found = extract_commands(acc + tool_chunks)
    raw_commands = list(found)
    if raw_commands:
        results = [executor.execute(raw) for raw in raw_commands[:5]]
        acc = (strip_commands(acc) + "\n\n" + describe(results)).strip()
        await on_chunk(acc)
    if found.errors and not raw_commands:
        acc = (acc.rstrip() + "\n\n✗ The reply held a command that could not be read, so nothing was changed.").strip()
        await on_chunk(acc)
    return acc
