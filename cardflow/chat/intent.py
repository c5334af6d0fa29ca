"""The embedded model's decision: a calibrated choice, then one grammar-constrained call; no keyword gate.

On a backend that can score continuations (``supports_scoring``: the embedded one), every message
first goes through ``choice.choose``: the model rates "I will <action description>" for each of
the open app's actions and for answering in words, against the prior of a message saying
nothing. Chat, a question, or an action without arguments ends there. Otherwise one constrained
call fills the chosen action's arguments (the grammar below with only that action, its free-text
values required). This doubled command accuracy on the tuning sets compared with letting the
grammar pick the action, which a 135M model does poorly (it picks "add" or "list" for most things).

Without scoring, every message gets one call whose reply a JSON-schema grammar forces into one of:

    {"intent": "chat"}                                   small talk, anything else
    {"intent": "question"}                               a question answered in prose
    {"intent": "question", "action": <read-only>, "params": {...}}
    {"intent": "request",  "action": <any offered>, "params": {...}}

``intent`` is decoded first, and the grammar offers a question only the read-only actions, so a
question cannot pick a write even when the model is confused; ``Decision.question`` carries it to
the orchestration, which refuses a write for a question as a second line of defence. The actions
are the open app's (``ctx.actions.for_app``), each with its own parameter schema; an existing
row is chosen from the rows themselves (an enum). The call is then grounded in the user's words
(``grounding.py``) and handed to the registry, which validates, resolves and runs it.

The prompt is ordered for llama.cpp's prompt cache: instructions, actions and worked examples
first (fixed per app, so their KV state is reused from message to message), then the app's live
facts (counts, rows), then the message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action
from cardflow.chat import choice, spans
from cardflow.chat.backends import Backend, BackendError
from cardflow.chat.facts import fact_lines
from cardflow.chat.grounding import ground

if TYPE_CHECKING:
    from cardflow.plugins import Context

MAX_TEXT = 120  # a new name longer than this is cut by the grammar; the registry checks the real limits
MAX_ROWS = 30  # rows offered as the choice for "item"; beyond that the item is free text, resolved loosely
MAX_TOKENS = 100
INTENTS = ("question", "request", "chat")
PARAMS = "\x00params\x00"  # where a call's params go, for splitting what is forced around them


@dataclass(frozen=True)
class Decision:
    """What the small model chose, grounded in the user's words (the registry still validates it)."""

    kind: str  # "chat" or "action"
    action: str = ""  # registry name when kind == "action"
    params: dict[str, Any] = field(default_factory=dict)
    question: bool = False  # the user asked something: only read-only actions may run for it
    messages: tuple[dict[str, str], ...] = ()  # exactly what was sent to the model
    seconds: float = 0.0
    tokens: int = 0  # prompt + completion tokens, when the backend reports them
    offer: bool = False  # a change for a message that asks: answered first, then offered (params still empty)
    unmet: str = ""  # the change chosen when the message's words could not ground it (kind is then "chat")


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


def _small(schema: dict[str, Any], names: Sequence[str], *, chosen: bool = False) -> dict[str, Any]:
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


def _names_for(action: Action, app_name: str, names: Sequence[str]) -> list[str]:
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
                            "params": _small(a.params, _names_for(a, app_name, names), chosen=not spoken)}))
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
    params = ", ".join(_small(action.params, ())["properties"])
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


def build_messages(ctx: Context, text: str, actions: Sequence[Action], *, app_name: str,
                   profile_id: int) -> list[dict[str, str]]:
    """Fixed prefix (cached by llama.cpp), then the app's live facts, then the message."""
    plugin = ctx.registry.by_name(app_name)
    title = plugin.title if plugin else app_name
    noun = str(getattr(plugin, "noun", "item"))
    facts = fact_lines(ctx, app_name, profile_id)
    now = [{"role": "system", "content": "The app now:\n" + facts}] if facts else []
    return [*prefix(actions, title, noun), *now, {"role": "user", "content": text[:500]}]


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
    return bool(_small(action.params, ())["required"])


async def decide(ctx: Context, backend: Backend, text: str, offered: Sequence[Action], *,
                 app_name: str, profile_id: int, model: str | None) -> Decision:
    """Chat, or an action and its grounded parameters.

    On a backend that can score (``supports_scoring``), the action is chosen first by a calibrated
    choice (choice.py) and one constrained call fills its arguments; otherwise one constrained call
    decides both. A change chosen for a message that asks (``Choice.offer``) comes back as
    ``offer=True`` without its arguments: the question is answered first, then ``arguments`` fills
    them for a Confirm button, so the answer does not wait for them.
    """
    started = time.perf_counter()
    actions = offerable(offered)
    names = rows(ctx, app_name, profile_id)
    if not getattr(backend, "supports_scoring", False):
        return await _call(ctx, backend, text, actions, actions, app_name=app_name, profile_id=profile_id,
                           model=model, names=names, started=started)
    plugin = ctx.registry.by_name(app_name)
    system = choice.system_text(plugin.title if plugin else app_name, str(getattr(plugin, "noun", "item")),
                                names[:MAX_ROWS])
    said = tuple(choice.said(system, text))
    try:
        picked = await choice.choose(backend, system, text, actions, app_name)
    except BackendError:
        picked = choice.Choice(choice.CHAT, {})
    chosen = next((a for a in actions if a.name == picked.label), None)
    if chosen is not None and picked.offer:
        return Decision("action", chosen.name, {}, True, said, time.perf_counter() - started, 0, offer=True)
    if chosen is None or not needs_arguments(chosen):
        return Decision("action" if chosen else "chat", chosen.name if chosen else "", {},
                        picked.label == choice.QUESTION, said, time.perf_counter() - started, 0)
    return await arguments(ctx, backend, text, chosen, offered, app_name=app_name, profile_id=profile_id,
                           model=model, started=started, names=names)


async def arguments(ctx: Context, backend: Backend, text: str, chosen: Action, offered: Sequence[Action], *,
                    app_name: str, profile_id: int, model: str | None, started: float | None = None,
                    names: Sequence[str] | None = None) -> Decision:
    """The chosen action's call: its arguments from one constrained call, grounded in the user's words.

    ``Decision.kind`` is "chat" when they cannot be grounded. ``names``: the rows, if just read
    (``decide``); an offer, filled after the answer, reads them again: they may have changed.
    """
    started = time.perf_counter() if started is None else started
    names = rows(ctx, app_name, profile_id) if names is None else names
    shown = _names_for(chosen, app_name, names)
    if _row_only(chosen, shown):
        plugin = ctx.registry.by_name(app_name)
        system = choice.system_text(plugin.title if plugin else app_name, str(getattr(plugin, "noun", "item")),
                                    names[:MAX_ROWS])
        made = _row_call(text, chosen, shown, choice.said(system, text), started)
    else:  # the prompt still lists every action: its prefix is the one cached
        made = await _call(ctx, backend, text, offerable(offered), [chosen], app_name=app_name,
                           profile_id=profile_id, model=model, names=names, started=started)
    return made if made.kind == "action" else replace(made, unmet=chosen.name)


async def _call(ctx: Context, backend: Backend, text: str, actions: Sequence[Action], allowed: Sequence[Action], *,
                app_name: str, profile_id: int, model: str | None, names: Sequence[str],
                started: float) -> Decision:
    """One constrained call: the whole decision (``allowed`` is every action) or one action's params."""
    scored = bool(getattr(backend, "supports_scoring", False))
    messages = build_messages(ctx, text, actions, app_name=app_name, profile_id=profile_id)
    schema = call_schema(allowed, app_name, names, spoken=not scored)
    options: dict[str, Any] = {"json_schema": schema, "temperature": 0, "max_tokens": MAX_TOKENS}
    head = tail = ""
    if scored and getattr(backend, "supports_reply_prefix", False) and not allowed[0].read_only:
        # The grammar allows one intent and one action here, so everything up to the params is
        # forced: it is given as written, and the model writes only the params.
        head, tail = _forced(allowed[0])
        wanted = _small(allowed[0].params, _names_for(allowed[0], app_name, names), chosen=True)
        options.update(json_schema=wanted, reply_prefix=head)
    reply: list[str] = []
    try:
        async for chunk in backend.stream(messages, model=model, options=options):
            reply.append(chunk)
    except BackendError:
        reply = []
    question, action, raw = parse(head + "".join(reply) + tail if reply else "", allowed)
    if scored and action is not None:
        raw = await _stretches(backend, messages, action, raw, text, names)
    params = ground(raw, action.params, text, _names_for(action, app_name, names)) if action else None

    def made(kind: str, name: str = "", found: dict[str, Any] | None = None) -> Decision:
        return Decision(kind, name, found or {}, question, tuple(messages), time.perf_counter() - started,
                        int(getattr(backend, "last_tokens", 0) or 0))

    return made("chat") if action is None or params is None else made("action", action.name, params)


def _forced(action: Action) -> tuple[str, str]:
    """A change's call around its params, as the worked examples write it: (before, after)."""
    shown = json.dumps({"intent": "request", "action": action.name, "params": PARAMS})
    before, _, after = shown.partition(json.dumps(PARAMS))
    return before, after


def _row_only(action: Action, names: Sequence[str]) -> bool:
    """Whether all the chosen action needs is one of the rows shown (a delete, a get).

    Then nothing needs writing: the row is the one the message names (grounding.py), ~30 generated
    tokens (~0.6 s here) less. (Scoring a toggle's true/false the same way got "mark the kitchen as
    done" wrong where the model's own call left it out and flipped it: booleans are still written.)
    """
    props = _small(action.params, names, chosen=True)["properties"]
    return list(props) == ["item"] and "enum" in props["item"]


def _row_call(text: str, chosen: Action, shown: Sequence[str], said: list[dict[str, str]],
              started: float) -> Decision:
    """The chosen action's call without generating it: its row from the user's words.

    ``said`` is what the model was shown (the choice's prompt): nothing else was sent.
    """
    params = ground({"item": ""}, chosen.params, text, shown)
    kind, name = ("action", chosen.name) if params is not None else ("chat", "")
    return Decision(kind, name, params or {}, False, tuple(said), time.perf_counter() - started, 0)


async def _stretches(backend: Backend, messages: list[dict[str, str]], action: Action, raw: dict[str, Any],
                     text: str, names: Sequence[str]) -> dict[str, Any]:
    """The call with each new free-text value re-picked among the stretches of the user's words (spans.py)."""
    props = action.params.get("properties", {})
    out = dict(raw)
    for key, value in raw.items():
        sub = props.get(key, {})
        if key in ("id", "item") or not isinstance(value, str) or sub.get("type") != "string" or "enum" in sub:
            continue
        # Not the row being changed, nor (for a new row) any existing one: those are references.
        exclude = [str(raw["item"])] if "item" in raw else list(names)
        others = {k: v for k, v in raw.items() if k != key}
        try:
            found = await spans.pick(backend, messages, action.name, others, key, text, exclude, value)
        except BackendError:
            found = None
        if found is not None:
            out[key] = found
    return out


async def warm(ctx: Context, backend: Backend, offered: Sequence[Action], *, app_name: str,
               model: str | None = None, profile_id: int | None = None, rows_only: bool = False) -> None:
    """Evaluate the fixed prompt prefix once (after an app switch), so the next decision starts from its cache.

    ``rows_only``: only the rows changed (the app is the same), so only the scorer's prompts, which
    list them, are read again. The arguments prompt's prefix has not changed, and evaluating it in
    the main context would push out the chat answer's prompt there (llama.cpp keeps one sequence
    live; the others wait in its RAM cache).
    """
    plugin = ctx.registry.by_name(app_name)
    messages = prefix(offerable(offered), plugin.title if plugin else app_name, str(getattr(plugin, "noun", "item")))
    if getattr(backend, "supports_scoring", False) and profile_id is not None:
        system = choice.system_text(plugin.title if plugin else app_name, str(getattr(plugin, "noun", "item")),
                                    rows(ctx, app_name, profile_id)[:MAX_ROWS])
        try:  # the scorer's prompts and the calibration prior, computed before the first message
            await choice.choose(backend, system, choice.NEUTRAL, offerable(offered), app_name)
            scorer: Any = backend  # supports_scoring: it has score()
            await scorer.score(messages, "", ["{"])  # the arguments prompt, which new names are scored after
        except BackendError:
            return
    if rows_only:
        return
    try:
        async for _ in backend.stream(messages, model=model, options={"max_tokens": 1, "temperature": 0}):
            pass
    except BackendError:
        return  # warming is an optimisation; the decision itself reports a failing model
