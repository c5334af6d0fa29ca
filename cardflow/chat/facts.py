"""The open app's facts as prompt text: what the assistant may say about the app, and nothing else.

Small models invent what an app does ("a virtual reality platform") unless the app tells them.
Each app states its own facts (``AppPlugin.facts``: description; CrudApp: counts and rows;
Workflow: steps and runs), and this module turns them into the lines both prompts carry: the
chat's system prompt and the embedded model's decision prompt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardflow.plugins import Context

MAX_FACTS_CHARS = 1500  # the embedded model has 2048 tokens; facts must leave room for the rest


def fact_lines(ctx: Context, app_name: str, profile_id: int) -> str:
    """The facts of the app ``app_name`` for ``profile_id``, one "- " line each; "" for an unknown app."""
    plugin = ctx.registry.by_name(app_name)
    if plugin is None:
        return ""
    text = "\n".join(f"- {fact}" for fact in plugin.facts(profile_id) if fact)
    return text if len(text) <= MAX_FACTS_CHARS else text[: MAX_FACTS_CHARS - 1] + "…"


def app_context(ctx: Context, app_name: str, profile_id: int) -> str:
    """The facts with the instruction to answer from them, for the chat's system prompt."""
    lines = fact_lines(ctx, app_name, profile_id)
    return f"Facts about the open app (answer questions about it from these only):\n{lines}" if lines else ""
