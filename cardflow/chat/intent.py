"""The small-model pass: one grammar-constrained call that picks a registry action and its parameters.

The embedded SmolLM2 cannot be trusted to write commands in free text, so for a message that
looks like a command (``looks_like_command``, a cheap keyword gate) it gets one call whose reply
is forced by a JSON-schema grammar to be ``{"action": "chat"}`` or ``{"action": "<name>",
"params": <that action's own params schema>}``, over the open app's actions and the global ones.
To keep the grammar and the prompt small, the choice is narrowed to the verbs the message has
words for. The picked call is then grounded in the user's words (``grounding.py``) and handed to
the registry, which validates, resolves names to rows and runs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cardflow.actions.base import Action
from cardflow.chat.backends import Backend, BackendError
from cardflow.chat.grounding import ground

# Words that can mean each kind of change. They narrow the actions the grammar offers (the model
# still chooses, "chat" is always offered) and make the gate; no cue leaves adding and listing.
CUES = {
    "add": r"add|create|remind|remember|don'?t forget|need to|have to|got to|new (?:task|todo|to-do|item)",
    "done": r"mark(?:ed)?|tick(?:ed)?|check(?:ed)? off|complete[ds]?|finish(?:ed)?|done|did",
    "undone": r"undo|undone|not (?:yet )?(?:done|finished|complete)|unfinished|reopen|untick|unmark|uncheck",
    "rename": r"rename|change|call it|retitle",
    "delete": r"delete|remove|get rid|erase|drop|cancel|scrap",
    "top": r"top|first|priorit\w*|most important|urgent",
    "list": r"list|show|what'?s on|what are|see",
}
CUE_RES = {cue: re.compile(rf"\b(?:{rx})\b", re.I) for cue, rx in CUES.items()}
GATE = re.compile(rf"\b(?:{'|'.join(CUES.values())}|tasks?|todos?|to-dos?)\b", re.I)
# The verbs of the registry's actions each cue stands for.
VERBS = {"add": ("add",), "done": ("toggle",), "undone": ("toggle",), "rename": ("update",),
         "delete": ("delete",), "top": ("move",), "list": ("list",)}
MAX_TEXT = 200  # a grammar with long strings is slow to build; the registry checks the real limits


@dataclass(frozen=True)
class Decision:
    """What the small model chose: an action and its parameters (grounded, not yet validated)."""

    action: str
    params: dict[str, Any]


def looks_like_command(text: str) -> bool:
    """A cheap keyword gate: plain chat ("hello", "what is this app for?") skips the intent pass."""
    return bool(GATE.search(text or ""))


def cues(text: str) -> list[str]:
    found = [cue for cue, rx in CUE_RES.items() if rx.search(text or "")]
    if "undone" in found and "done" in found:
        found.remove("done")  # "not done yet" contains "done"
    return found


def done_flag(text: str) -> bool | None:
    """What the message says about "done": True, False, or None for nothing."""
    found = cues(text)
    return False if "undone" in found else True if "done" in found else None


def candidates(text: str, actions: Sequence[Action]) -> list[Action]:
    """The actions the message has words for; all of them when none fits."""
    verbs = {v for cue in cues(text) or ["add", "list"] for v in VERBS[cue]}
    picked = [a for a in actions if a.name.rpartition(".")[2] in verbs]
    # The open app's own action beats a global one with the same verb ("list my tasks" is tasks.list).
    return [a for a in picked if a.app] or picked or list(actions)


def _small(schema: Any) -> Any:
    """The schema for decoding: ids dropped (the model never sees them), long strings capped."""
    if not isinstance(schema, dict):
        return schema
    out = {k: _small(v) if k in ("items",) else v for k, v in schema.items() if k != "description"}
    if "properties" in schema:
        out["properties"] = {k: _small(v) for k, v in schema["properties"].items() if k not in ("id", "limit")}
        out["required"] = [k for k in schema.get("required", []) if k in out["properties"]]
    if out.get("type") == "string" and "enum" not in out:
        out["maxLength"] = min(out.get("maxLength", MAX_TEXT), MAX_TEXT)
    return out


def call_schema(actions: Sequence[Action]) -> dict[str, Any]:
    """A choice of ``{"action": "chat"}`` or one action with its own parameter schema."""
    chat = {"type": "object", "properties": {"action": {"type": "string", "enum": ["chat"]}},
            "required": ["action"], "additionalProperties": False}
    choices = [{"type": "object", "properties": {"action": {"type": "string", "enum": [a.name]},
                                                  "params": _small(a.params)},
                "required": ["action", "params"], "additionalProperties": False} for a in actions]
    return {"anyOf": [*choices, chat]}


SYSTEM = """Turn the message into one JSON action.
{rows}Actions:
{actions}
- chat: anything else (greetings, questions, jokes)
"item" is the existing item as the user said it; "name" is a new name in the user's words."""

# Worked examples in the registry's format, shown only for the actions on offer.
EXAMPLES = [
    ("add a task to feed the cat", "add", {"name": "feed the cat"}),
    ("I finished the cat task", "toggle", {"item": "the cat task", "done": True}),
    ("change feed the cat to feed the dog", "update", {"item": "feed the cat", "name": "feed the dog"}),
    ("remove the cat task", "delete", {"item": "the cat task"}),
    ("show my tasks", "list", {}),
    ("put feed the cat at the top", "move", {"item": "feed the cat", "position": "top"}),
]


def build_messages(text: str, actions: Sequence[Action], names: list[str], noun: str = "item") -> list[dict[str, str]]:
    """A compact prompt: the actions on offer, the current rows, a few worked examples."""
    shown = "; ".join(n[:80] for n in names[:30]) or "(none)"
    rows = f"The {noun}s now: {shown}\n" if names or noun != "item" else ""
    listed = "\n".join(f"- {a.name}: {a.description}" for a in actions)
    by_verb = {a.name.rpartition(".")[2]: a.name for a in actions}
    shots: list[dict[str, str]] = [{"role": "user", "content": "hi, how are you?"},
                                   {"role": "assistant", "content": json.dumps({"action": "chat"})}]
    for said, verb, params in EXAMPLES:
        if verb in by_verb:
            shots += [{"role": "user", "content": said},
                      {"role": "assistant", "content": json.dumps({"action": by_verb[verb], "params": params})}]
    return [{"role": "system", "content": SYSTEM.format(rows=rows, actions=listed)}, *shots,
            {"role": "user", "content": text[:500]}]


def parse(reply: str, actions: Sequence[Action]) -> Decision | None:
    """The model's JSON as a decision, or None ("chat") when it is anything else."""
    try:
        data = json.loads(reply)
    except ValueError:
        return None
    names = {a.name for a in actions}
    if not isinstance(data, dict) or data.get("action") not in names:
        return None
    params = data.get("params")
    clean = {k: v.strip(" \"'“”.!?")[:500] if isinstance(v, str) else v
             for k, v in (params.items() if isinstance(params, dict) else [])}
    return Decision(str(data["action"]), {k: v for k, v in clean.items() if v != ""})


async def decide(backend: Backend, text: str, actions: Sequence[Action], names: list[str], *,
                 noun: str = "item", model: str | None = None) -> Decision | None:
    """One constrained call; the grounded decision, or None when the user was chatting.

    The gate is applied here too, so a caller that forgets it cannot turn small talk into changes.
    """
    offered = candidates(text, actions)
    if not offered or not looks_like_command(text):
        return None
    options = {"json_schema": call_schema(offered), "temperature": 0, "max_tokens": 120}
    reply: list[str] = []
    try:
        async for chunk in backend.stream(build_messages(text, offered, names, noun), model=model, options=options):
            reply.append(chunk)
    except BackendError:
        return None
    found = parse("".join(reply), offered)
    if found is None:
        return None
    params = ground(found.action, found.params, text, names, done_flag(text))
    if params is None:
        return None
    if found.action.endswith(".move") and "top" in cues(text):
        params["position"] = "top"  # "put X first": the words say where, whatever the model wrote
    return Decision(found.action, params)
