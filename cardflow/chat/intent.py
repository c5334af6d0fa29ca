"""The embedded model's decision: a calibrated choice, then one grammar-constrained call; no keyword gate.

On a backend that can score continuations (``supports_scoring``: the embedded one), every message
first goes through ``choice.choose``: the model rates "I will <action description>" for each of
the open app's actions and for answering in words, against the prior of a message saying
nothing. Chat, a question, or an action without arguments ends there. Otherwise one constrained
call fills the chosen action's arguments (the grammar in ``intent_prompt``, with only that
action, its free-text values required). This doubled command accuracy on the tuning sets
compared with letting the grammar pick the action, which a 135M model does poorly (it picks
"add" or "list" for most things). Without scoring, every message gets one call over every
offered action (``intent_prompt.call_schema``).

The call is then grounded in the user's words (``grounding.py``) and handed to the registry,
which validates, resolves and runs it. ``Decision.question`` carries a question to the
orchestration, which refuses a write for it as a second line of defence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action
from cardflow.chat import choice, deeds, flags, lexicon, spans, values
from cardflow.chat.backends import Backend, BackendError
from cardflow.chat.grounding import ground, new_names, reference
from cardflow.chat.intent_prompt import (
    MAX_ROWS,
    blank,
    build_messages,
    call_schema,
    forced,
    head_messages,
    names_for,
    needs_arguments,
    offerable,
    parse,
    prefix,
    row_value,
    rows,
    small_params,
    verb,
)
from cardflow.chat.named import app_phrasing, creates, loose_words, possible, read, reverses, rows_for

if TYPE_CHECKING:
    from cardflow.plugins import Context

MAX_TOKENS = 100
DECISION = "decision"  # the backend's context for these calls (backends/base.py: options["context"])


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
    unsure: bool = False  # an offer of a change within a nat of answering in words (``choice.unsure``)
    runners: tuple[str, ...] = ()  # for such an offer: the other close changes, tried in turn if ``action``'s words fail


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
    system = _system(ctx, app_name, names)
    said = tuple(choice.said(system, text))
    left = possible(ctx, text, actions, app_name=app_name, profile_id=profile_id, names=names)
    # The row is named in the app's whole phrasing, as ``possible`` reads it.
    words = read(ctx, text, names, actions, left, app_name=app_name, profile_id=profile_id)
    actions = left
    try:
        picked = await choice.choose(backend, system, text, actions, app_name, words)
    except BackendError:
        picked = choice.Choice(choice.CHAT, {})
    actions = [a for a in actions if a.name not in words.unreached]  # scored, never chosen (choice.choose)
    chosen = next((a for a in actions if a.name == picked.label), None)
    if chosen is None and picked.unmet:
        # An action on a row the words do not name was read best: the app says nothing changed.
        return Decision("chat", "", {}, picked.label == choice.QUESTION, said, time.perf_counter() - started, 0,
                        unmet=picked.unmet)
    if chosen is not None and picked.offer:
        return Decision("action", chosen.name, {}, True, said, time.perf_counter() - started, 0, offer=True)
    if chosen is not None or not choice.asked(text):
        # Answering in words and a change came close, whichever won: the answer first, then the
        # change with Confirm if the words ground it. When answering won, a typed "?" gets the row
        # looked up instead (assist.py).
        close = choice.unsure(picked, actions, chosen)
        if close:
            return Decision("action", close[0].name, {}, picked.label == choice.QUESTION, said,
                            time.perf_counter() - started, 0, offer=True, unsure=True,
                            runners=tuple(a.name for a in close[1:]))
    if chosen is None or not needs_arguments(chosen):
        return Decision("action" if chosen else "chat", chosen.name if chosen else "", {},
                        picked.label == choice.QUESTION, said, time.perf_counter() - started, 0)
    made = await arguments(ctx, backend, text, chosen, offered, app_name=app_name, profile_id=profile_id,
                           model=model, started=started, names=names)
    if made.kind == "action":
        return made
    # The words cannot support the choice (a delete naming no row): an option the model rated
    # nearly as high may fit them ("remember to defrost the freezer": delete, then add 0.1 behind).
    asking: bool | None = None  # read once, and only if a change is among them
    for other in choice.runners_up(picked, actions):
        if not other.read_only:
            if chosen.read_only:
                # Read as asking to see something the words do not name: another read may show it,
                # but a change is no way to show it ("Can I see all my tasks please?", a get naming
                # no row, was proposed as a clear of every task, its closest runner-up).
                continue
            asking = await choice.asks(backend, system, text) if asking is None else asking
            if asking:
                continue  # a question never writes (a change chosen first was offered instead, before this)
        if not needs_arguments(other):
            return Decision("action", other.name, {}, False, said, time.perf_counter() - started, 0)
        runner = await arguments(ctx, backend, text, other, offered, app_name=app_name, profile_id=profile_id,
                                 model=model, started=started, names=names)
        if runner.kind == "action":
            return runner
    return made


async def arguments(ctx: Context, backend: Backend, text: str, chosen: Action, offered: Sequence[Action], *,
                    app_name: str, profile_id: int, model: str | None, started: float | None = None,
                    names: Sequence[str] | None = None) -> Decision:
    """The chosen action's call: its arguments from one constrained call, grounded in the user's words.

    ``Decision.kind`` is "chat" when they cannot be grounded. ``names``: the rows, if just read
    (``decide``); an offer, filled after the answer, reads them again: they may have changed.
    """
    started = time.perf_counter() if started is None else started
    names = rows(ctx, app_name, profile_id) if names is None else names
    shown = rows_for(ctx, chosen, app_name, profile_id, names)
    switches = _row_and_switches(chosen, shown)
    if switches is not None and (not switches or getattr(backend, "supports_scoring", False)):
        noun = str(getattr(ctx.registry.by_name(app_name), "noun", "item"))
        system = _system(ctx, app_name, names)
        made = await _row_call(backend, text, chosen, shown, system, noun, switches, started,
                               lambda item, key: row_value(ctx, app_name, profile_id, item, key),
                               app_phrasing(offerable(offered)), loose_words(offerable(offered)))
    else:  # the prompt still lists every action: its prefix is the one cached
        made = await _call(ctx, backend, text, offerable(offered), [chosen], app_name=app_name,
                           profile_id=profile_id, model=model, names=names, started=started)
    return made if made.kind == "action" else replace(made, unmet=chosen.name)


def _system(ctx: Context, app_name: str, names: Sequence[str]) -> str:
    """The scorer's system prompt (choice.system_text) for the open app and its rows."""
    plugin = ctx.registry.by_name(app_name)
    return choice.system_text(plugin.title if plugin else app_name, str(getattr(plugin, "noun", "item")),
                              names[:MAX_ROWS])


async def _call(ctx: Context, backend: Backend, text: str, actions: Sequence[Action], allowed: Sequence[Action], *,
                app_name: str, profile_id: int, model: str | None, names: Sequence[str],
                started: float) -> Decision:
    """One constrained call: the whole decision (``allowed`` is every action) or one action's params."""
    scored = bool(getattr(backend, "supports_scoring", False))
    messages = build_messages(ctx, text, actions, app_name=app_name, profile_id=profile_id)
    schema = call_schema(allowed, app_name, names, spoken=not scored)
    options: dict[str, Any] = {"json_schema": schema, "temperature": 0, "max_tokens": MAX_TOKENS, "context": DECISION}
    head = tail = ""
    wanted: dict[str, Any] = {}
    if scored and getattr(backend, "supports_reply_prefix", False) and not allowed[0].read_only:
        # The grammar allows one intent and one action here, so everything up to the params is
        # forced: it is given as written, and the model writes only the params.
        head, tail = forced(allowed[0])
        wanted = small_params(allowed[0].params, rows_for(ctx, allowed[0], app_name, profile_id, names), chosen=True)
        options.update(json_schema=wanted, reply_prefix=head)
    reply: list[str] = []
    try:
        async for chunk in backend.stream(messages, model=model, options=options):
            reply.append(chunk)
    except BackendError:
        reply = []
    question, action, raw = parse(head + "".join(reply) + tail if reply else "", allowed)
    if head and action is None and reply and blank(wanted) and (blank(allowed[0].params) or new_names(text, names)):
        # The action was forced, and the model's copy broke its JSON or ran past ``MAX_TOKENS``
        # ("smoke_2_2_2…" for "add order 2 new smoke alarms"): its free-text values are picked
        # among the message's stretches alone (``_stretches``), as when it copied nothing it said,
        # and its row is the one the words name. That is so for a value the action itself requires
        # (an add's name: most of the message), and for one the user quoted ("Bu 101 101 101…" for
        # "rename the ferry one to 'Book the ferry to Roscoff'"); an unquoted new name of a rename
        # is only where the copy said, so without it the call is not made.
        action, raw = allowed[0], blank(wanted)
    among = rows_for(ctx, action, app_name, profile_id, names) if action else []
    glue, loose = app_phrasing(actions), loose_words(actions)
    if scored and action is not None:
        named = reference(str(raw.get("item", "")), among, text, glue, loose) if "item" in raw else None
        if named in among:  # the row the words name, not the model's guess, is the one a value is read for
            raw = {**raw, "item": named}
        raw = await _stretches(backend, messages, action, raw, text, names, among, _system(ctx, app_name, names), glue)
        said = await _words(backend, messages, action, raw, len(among), _system(ctx, app_name, names))
        action, raw = (action, said) if said is not None else (None, raw)
    # "take the library book off my list" asks for no new row, whatever name the model found in it.
    params = ground(raw, action.params, text, among, {key: names_of() for key, names_of in action.named.items()},
                    glue, loose) if action and not (creates(action) and spans.takes_off(text, glue)) else None

    def made(kind: str, name: str = "", found: dict[str, Any] | None = None) -> Decision:
        return Decision(kind, name, found or {}, question, tuple(messages), time.perf_counter() - started,
                        int(getattr(backend, "last_tokens", 0) or 0))

    return made("chat") if action is None or params is None else made("action", action.name, params)


def _row_and_switches(action: Action, names: Sequence[str]) -> list[str] | None:
    """The on/off values of a call that needs only a row and those (a delete: none; a toggle: "done").

    None when it needs more (a new name). Such a call is not written at all: the row is the one
    the message names (grounding.py) and each on/off value is scored (flags.py), ~30 generated
    tokens (~0.6 s here) less. The model's own written true/false was mostly "true", whatever
    the message said.
    """
    props = small_params(action.params, names, chosen=True)["properties"]
    if "enum" not in props.get("item", {}):
        return None
    rest = [key for key in props if key != "item"]
    return rest if all(props[key].get("type") == "boolean" for key in rest) else None


async def _row_call(backend: Backend, text: str, chosen: Action, shown: Sequence[str], system: str, noun: str,
                    switches: Sequence[str], started: float, now: Callable[[str, str], bool | None],
                    glue: frozenset[str], loose: frozenset[str]) -> Decision:
    """The chosen action's call without generating it: its row from the user's words, its switches scored.

    ``now(item, key)``: the row's current on/off value; ``glue``, ``loose``: the app's phrasing, and
    which of its words only describe (grounding.reference).
    What the model was shown is the choice's prompt, and the switches' statements after it.
    """
    said = choice.said(system, text)
    params = ground({"item": ""}, chosen.params, text, shown, glue=glue, loose=loose)
    if params is not None:
        try:
            for key in switches:
                # A deed reported done or not done says the value in so many words (deeds.py); the
                # model's reading missed the negation of "the council tax one isn't actually done yet".
                reported = deeds.report(text, params["item"]) if key == chosen.deed_flag else None
                if reported is None and key == chosen.deed_flag and now(params["item"], key) and reverses(text, shown):
                    reported = False  # "undo the tick on descale the kettle" read as done: "un" says the value
                if reported is not None:
                    params[key] = reported
                    continue
                params[key] = await flags.value(backend, system, text, noun, key, now(params["item"], key),
                                                params["item"])
                said += [line for context in flags.statements(system, noun, key) for line in context]
        except BackendError:
            params = None
    kind, name = ("action", chosen.name) if params is not None else ("chat", "")
    return Decision(kind, name, params or {}, False, tuple(said), time.perf_counter() - started, 0)


async def _stretches(backend: Backend, messages: list[dict[str, str]], action: Action, raw: dict[str, Any],
                     text: str, names: Sequence[str], among: Sequence[str], system: str,
                     glue: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The call with each new free-text value re-picked among the stretches of the user's words (spans.py).

    ``among``: the action's rows; one the message does not write stands in for the value in the
    second reading (``spans.said_as``). ``glue``: the app's phrasing, with which no new name ends
    (``spans.candidates``).
    """
    props = action.params.get("properties", {})
    out = dict(raw)
    stand_in = next((n for n in among if n != raw.get("item") and n.casefold() not in text.casefold()), "")
    for key, value in raw.items():
        sub = props.get(key, {})
        if key in ("id", "item", *action.named) or not isinstance(value, str) or sub.get("type") != "string" \
                or "enum" in sub:
            continue  # a reference (a row, an app) is named by the words, not picked among them
        # Not the row being changed, nor (for a new row) any existing one: those are references.
        exclude = [str(raw["item"])] if "item" in raw else list(names)
        others = {k: v for k, v in raw.items() if k != key}
        # For a new row, an existing one the words name: no new name is in a clause after it.
        named = "" if "item" in raw else reference("", list(names), text, glue) or ""
        try:
            found = await spans.pick(backend, messages, action.name, others, key, text, exclude, value,
                                     str(raw.get("item", "")), stand_in, system, glue, verb(action),
                                     named if named in names else "")
        except BackendError:
            found = None
        if found is not None:
            out[key] = found
        elif spans.outside(text, value, exclude, str(raw.get("item", ""))):
            # The model copied words from where no new name may stand (before the words naming the
            # row): "remind me to renew Ollie's swimming lessons, term ends friday" renamed the
            # row whose "ends" it shares to "Ollie's swimming lessons". For a new row, from a clause
            # that says what something is: "thanks, that's really helpful!" (``spans.candidates``).
            out[key] = ""
        if spans.quotes_another(text, str(out[key]), names):
            out[key] = ""  # not the text the user quoted (``spans.quotes_another``)
    return out


async def _words(backend: Backend, messages: list[dict[str, str]], action: Action,
                 raw: dict[str, Any], positions: int = 0, system: str = "") -> dict[str, Any] | None:
    """The call with each value that is one of a few words re-read by its calibrated likelihood (values.py).

    ``positions``: the rows the call's row is among, the places a position said in words may name.
    ``system``: the scorer's prompt, where a value the action says in words (``Action.phrases``) is read.

    None when the message supports none of a required parameter's words: the call rests on nothing
    said. An optional one is left out instead.
    """
    out = dict(raw)
    props = action.params.get("properties", {})
    for key in values.keys(action.params, raw):
        try:
            value = await values.pick(backend, messages, action.name, out, key, props[key], raw[key],
                                      positions=positions, worded=_worded(action, key, out, system))
        except BackendError:
            continue
        if value is None and key in action.params.get("required", []):
            return None
        if value is None:
            out.pop(key)  # optional, and the user said none of its words: the action's default holds
        else:
            out[key] = value
    return out


def _worded(action: Action, key: str, params: dict[str, Any], system: str) -> values.Worded | None:
    """Where ``action``'s words for ``key`` are read in plain words: after "I will <its verb> “<its row>”"."""
    phrases = action.phrases.get(key)
    if not phrases or not system:
        return None
    said = verb(action) or action.title.lower()
    row = f" “{params['item']}”" if params.get("item") else ""
    return values.Worded(phrases, system, f"{values.LEAD} {said}{row}")


async def warm(ctx: Context, backend: Backend, offered: Sequence[Action], *, app_name: str,
               model: str | None = None, profile_id: int | None = None) -> None:
    """Evaluate everything before the next message once (after an app switch or a change of rows), so
    the next decision starts from the model's cache and evaluates only the message.

    That is the arguments prompt (its fixed prefix, then the app's facts, which list the rows) in
    the backend's decision context (``options["context"]``), and, on a backend that can score, the
    scorer's prompts: the choice's, the toggles' (flags.py) and the arguments prompt again, which
    new names are scored after (spans.py). After a change of rows only what lists them is
    evaluated again: every cache reuses its longest shared start.
    """
    await asyncio.to_thread(lexicon.verbs)  # the dictionary the words are read with (named.discards), read once
    plugin = ctx.registry.by_name(app_name)
    title, noun, actions = plugin.title if plugin else app_name, str(getattr(plugin, "noun", "item")), offerable(offered)
    messages = (prefix(actions, title, noun) if profile_id is None
                else head_messages(ctx, actions, app_name=app_name, profile_id=profile_id))
    if getattr(backend, "supports_scoring", False) and profile_id is not None:
        names = rows(ctx, app_name, profile_id)
        system = choice.system_text(title, noun, names[:MAX_ROWS])
        # The on/off values a toggle's value is read for (flags.py): their prompts list the rows too.
        switches = {key for action in actions
                    for key in _row_and_switches(action, names_for(action, app_name, names)) or ()}
        try:  # the scorer's prompts and the calibration prior, computed before the first message
            await choice.choose(backend, system, choice.NEUTRAL, actions, app_name)
            scorer: Any = backend  # supports_scoring: it has score() and score_turns()
            for key in sorted(switches):
                await scorer.score_turns(flags.statements(system, noun, key), choice.NEUTRAL)
            await scorer.score(messages, "", ["{"])  # the arguments prompt, which new names are scored after
        except BackendError:
            return
    try:
        async for _ in backend.stream(messages, model=model, options={"max_tokens": 1, "temperature": 0,
                                                                      "context": DECISION}):
            pass
    except BackendError:
        return  # warming is an optimisation; the decision itself reports a failing model
