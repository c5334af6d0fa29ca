"""What the decision call is shown and how its reply is read: grammar, prompt, examples.

Every message on a backend without scoring (and every chosen action's arguments, with scoring)
gets one call whose reply a JSON-schema grammar forces into one of:

    {"intent": "chat"}                                   small talk, anything else
    {"intent": "question"}                               a question answered in prose
    {"intent": "question", "action": <read-only>, "params": {...}}
    {"intent": "request",  "action": <any offered>, "params": {...}}

``intent`` is decoded first, and the grammar offers a question only the read-only actions, so a
question cannot pick a write even when the model is confused. The actions are the open app's
(``ctx.actions.for_app``), each with its own parameter schema; an existing row is chosen from the
rows themselves (an enum).

The prompt is ordered for llama.cpp's prompt cache: instructions, actions and worked examples
first (fixed per app, so their KV state is reused from message to message), then the app's live
facts (counts, rows), then the message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action
from cardflow.chat.facts import fact_lines

if TYPE_CHECKING:
    from cardflow.plugins import Context

MAX_TEXT = 120  # a new name longer than this is cut by the grammar; the registry checks the real limits
MAX_ROWS = 30  # rows offered as the choice for "item"; beyond that the item is free text, resolved loosely
INTENTS = ("question", "request", "chat")
PARAMS = "\x00params\x00"  # where a call's params go, for splitting what is forced around them


def offerable(actions: Sequence[Action]) -> list[Action]:
    """The actions the model can call: those meant for chat, and not those needing ids it never sees."""
    def needs_ids(action: Action) -> bool:
        props = action.params.get("properties", {})
        return any(k in ("id", "limit") or props.get(k, {}).get("type") == "array"
                   for k in action.params.get("required", []))

    return [a for a in actions if a.chat and not needs_ids(a)]


def rows(ctx: Context, app_name: str, profile_id: int) -> list[str]:
    """The open app's row names (a CrudApp's ``add_field``), the choices for an ``item`` parameter."""
    plugin = ctx.registry.by_name(app_name)
    items = getattr(plugin, "items", None)
    if plugin is None or not callable(items):
        return []
    label = str(getattr(plugin, "add_field", "name"))
    return [str(getattr(r, label, "")) for r in items(profile_id)]


def row_value(ctx: Context, app_name: str, profile_id: int, name: str, key: str) -> bool | None:
    """The on/off ``key`` of the open app's row called ``name`` (a task's "done"), or None when there is none."""
    plugin = ctx.registry.by_name(app_name)
    items = getattr(plugin, "items", None)
    if plugin is None or not callable(items):
        return None
    label = str(getattr(plugin, "add_field", "name"))
    found = [r for r in items(profile_id) if str(getattr(r, label, "")) == name]
    value = getattr(found[0], key, None) if len(found) == 1 else None
    return None if value is None else bool(value)


def small_params(schema: dict[str, Any], names: Sequence[str], *, chosen: bool = False) -> dict[str, Any]:
    """An action's params for decoding: no ids or limits, no descriptions, short strings, rows as a choice.

    ``chosen``: the action is already chosen, so its free-text values are what the user asked to
    set (a rename's new name): they become required, and the other optional values are left out.
    """
    props: dict[str, Any] = {}
    needed = set(schema.get("required", []))
    if chosen and not needed:
        needed = {k for k, sub in schema.get("properties", {}).items()
                  if k not in ("id", "item") and sub.get("type") == "string" and "enum" not in sub}
    for key, sub in schema.get("properties", {}).items():
        # An action with required params is fully said by them; its optional extras are where a small
        # model wanders (an added row marked done), so they are offered only when nothing is required.
        if key in ("id", "limit") or (needed and key not in needed and key != "item"):
            continue
        sub = {k: v for k, v in sub.items() if k != "description"}
        if key == "item" and names:
            sub = {"type": "string", "enum": list(dict.fromkeys(names))}
        elif sub.get("type") == "string" and "enum" not in sub:
            sub["maxLength"] = min(int(sub.get("maxLength", MAX_TEXT)), MAX_TEXT)
        props[key] = sub
    required = [k for k in [*schema.get("required", []), *sorted(needed)] if k in props]
    required = list(dict.fromkeys(required))
    if "item" in props and "item" not in required and "id" in schema.get("properties", {}):
        required.insert(0, "item")  # a reference by id or name: without ids the name is required
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def names_for(action: Action, app_name: str, names: Sequence[str]) -> list[str]:
    return list(names[:MAX_ROWS]) if action.app == app_name and len(names) <= MAX_ROWS else []


def call_schema(actions: Sequence[Action], app_name: str = "", names: Sequence[str] = (), *,
                spoken: bool = True) -> dict[str, Any]:
    """The decision grammar: the intent first; a question may carry only a read-only action.

    ``spoken=False`` leaves out chat and question: the action is already chosen (choice.py) and
    only its arguments are wanted.
    """
    def obj(props: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}

    choices = [obj({"intent": {"type": "string", "enum": ["chat"]}}),
               obj({"intent": {"type": "string", "enum": ["question"]}})] if spoken else []
    for a in actions:
        intents = ["question", "request"] if a.read_only else ["request"]
        choices.append(obj({"intent": {"type": "string", "enum": intents},
                            "action": {"type": "string", "enum": [a.name]},
                            "params": small_params(a.params, names_for(a, app_name, names), chosen=not spoken)}))
    return {"anyOf": choices}


SYSTEM = """You read one message from the user of the "{title}" app and answer with one JSON object.
"intent": "question" if the user asks something (nothing may change), "request" if the user tells you \
to do something with an action below, "chat" for anything else.
With an action: "action" and its "params". A question may only use a read-only action.
Actions:
{actions}
"item" is an existing {noun}, "name" is a new name copied exactly from the message."""

# Worked examples of the format: several per kind, in varied shapes (polite, terse, name first,
# a statement that something is finished, a question), because a 135M model learns the mapping
# from examples far better than from instructions. Each is shown when the open app offers its verb
# and its params fit; the rows in them are invented, the live rows come after them.
CHAT = ["hi, how are you?", "thanks, that was helpful"]
QUESTIONS = ["what is the capital of Italy?"]
EXAMPLES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("add a {noun} to feed the cat", "request", "add", {"name": "feed the cat"}),
    ("I fed the cat", "request", "toggle", {"item": "feed the cat", "done": True}),
    ("is pay rent done?", "question", "get", {"item": "pay rent"}),
    ("please put “call <Ann> re: Q2” on my list", "request", "add", {"name": "call <Ann> re: Q2"}),
    ("rename feed the cat to feed the dog", "request", "update", {"item": "feed the cat", "name": "feed the dog"}),
    ("pay rent is not done after all", "request", "toggle", {"item": "pay rent", "done": False}),
    ("remove the cat {noun}", "request", "delete", {"item": "feed the cat"}),
    ("put pay rent at the top", "request", "move", {"item": "pay rent", "position": "top"}),
    ("show my {noun}s", "request", "list", {}),
]


def _line(action: Action) -> str:
    params = ", ".join(small_params(action.params, ())["properties"])
    said = action.description.split(": ")[0].split(" (")[0]  # the first clause: a 2048-token context is small
    return f"- {action.name}({params}){' [read-only]' if action.read_only else ''}: {said}"


def prefix(actions: Sequence[Action], title: str, noun: str) -> list[dict[str, str]]:
    """The fixed part of the prompt (instructions, actions, examples): the same for every message in an app.

    Short on purpose: a 135M model follows a few close examples better than a long prompt.
    """
    by_verb = {a.name.rpartition(".")[2]: a for a in actions if a.app}
    system = SYSTEM.format(title=title, noun=noun, actions="\n".join(_line(a) for a in actions))
    others = [(c, {"intent": "chat"}) for c in CHAT] + [(q, {"intent": "question"}) for q in QUESTIONS]
    pairs: list[tuple[str, dict[str, Any]]] = []
    for said, intent, verb, params in EXAMPLES:
        action = by_verb.get(verb)
        if action is None or not set(params) <= set(action.params.get("properties", {})):
            continue
        pairs.append((said.format(noun=noun), {"intent": intent, "action": action.name, "params": params}))
        if len(pairs) % 3 == 0 and others:
            pairs.append(others.pop(0))  # interleaved, so no kind of answer dominates by position
    shots: list[dict[str, str]] = []
    for said, answer in [*pairs, *others]:
        shots += [{"role": "user", "content": said},
                  {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)}]
    return [{"role": "system", "content": system}, *shots]


def head_messages(ctx: Context, actions: Sequence[Action], *, app_name: str, profile_id: int) -> list[dict[str, str]]:
    """Everything before the message: the fixed prefix, then the app's live facts (``intent.warm`` reads it ahead)."""
    plugin = ctx.registry.by_name(app_name)
    title = plugin.title if plugin else app_name
    noun = str(getattr(plugin, "noun", "item"))
    facts = fact_lines(ctx, app_name, profile_id)
    now = [{"role": "system", "content": "The app now:\n" + facts}] if facts else []
    return [*prefix(actions, title, noun), *now]


def build_messages(ctx: Context, text: str, actions: Sequence[Action], *, app_name: str,
                   profile_id: int) -> list[dict[str, str]]:
    """Fixed prefix (cached by llama.cpp), then the app's live facts, then the message."""
    return [*head_messages(ctx, actions, app_name=app_name, profile_id=profile_id),
            {"role": "user", "content": text[:500]}]


def parse(reply: str, actions: Sequence[Action]) -> tuple[bool, Action | None, dict[str, Any]]:
    """(question?, action or None for chat, raw params) from the model's JSON; chat when unreadable."""
    try:
        data = json.loads(reply)
    except ValueError:
        return False, None, {}
    if not isinstance(data, dict):
        return False, None, {}
    question = data.get("intent") == "question"
    action = next((a for a in actions if a.name == data.get("action")), None)
    params = data.get("params")
    if action is None or not isinstance(params, dict) or (question and not action.read_only):
        return question, None, {}
    return question, action, params


def needs_arguments(action: Action) -> bool:
    """Whether the action has something to fill in: a row to name or a required value.

    An action whose parameters are all optional filters (a list's "query") runs without them: a
    small model fills optional filters with stray words from the message.
    """
    return bool(small_params(action.params, ())["required"])


def blank(wanted: dict[str, Any]) -> dict[str, Any]:
    """The call's values, empty, from the params it was asked to write (``wanted``): each free-text
    one to be picked among the message's stretches, the row (if any) to be named by the words;
    {} when it asks for no free text."""
    props, required = wanted.get("properties", {}), wanted.get("required", [])
    free = [key for key in required if key not in ("id", "item") and props.get(key, {}).get("type") == "string"
            and "enum" not in props[key]]
    return {key: "" for key in required if key == "item" or key in free} if free else {}


FIRST_CLAUSE_END = re.compile(r"[:;(,.]")


def first_clause(action: Action) -> str:
    """What the action does, as its description's first clause says it ("Add a task", "List the
    tasks"); the rest are details ("in order; filter by text or done")."""
    return FIRST_CLAUSE_END.split(action.description, maxsplit=1)[0].strip() or action.title


def verb(action: Action) -> str:
    """The action's own verb: its description's first word, lower-cased ("add")."""
    return (action.description.split() or [""])[0].lower()


def forced(action: Action) -> tuple[str, str]:
    """A change's call around its params, as the worked examples write it: (before, after)."""
    shown = json.dumps({"intent": "request", "action": action.name, "params": PARAMS})
    before, _, after = shown.partition(json.dumps(PARAMS))
    return before, after
