"""One assistant reply: the open app's actions as the model's tools, and every run through the registry.

What the assistant may do is what the open app offers: ``ctx.actions.for_app(app)`` (that app's
actions and the global ones), so switching app switches tools as well as the prompt. The model
asks in one of three ways, depending on the backend:

- native tool calling (``supports_tools`` and ``chat.use_tools()``): the actions as tools;
- other bigger backends: the command format, generated from the same actions, in the prompt,
  and ``{"action": "tasks.add", "params": {...}}`` objects in the reply;
- the embedded model (``needs_intent_pass``): one grammar-constrained call (intent.py).

Whatever the way, the call goes to ``ctx.actions.run(..., actor="assistant")``, the one execution
path (validation, profile scope, action_log, live updates), through ``acting.act``. What ran is
shown as receipts the app draws (receipts.py), never as lines in the model's text, so text that
imitates a receipt stays plain text. A question never writes: a changing action decided for a
message that asks is not run. The model answers it in words, and the change, once its arguments
are grounded in the message, is offered below the answer with Confirm and Cancel ("have I paid the
water bill?" gets the answer and an offer to tick it). So is a change that came within a nat of
answering in words, whichever won (``choice.unsure``): the small model often reads a tick in
words it has not seen ("check off call mum") as a question, and a click is cheaper than retyping;
and a remark sharing a row's words ("the milk went off") sometimes wins narrowly as a change.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action
from cardflow.chat.acting import OFFERED, UNSURE, Call, act, brief, offer, refuse_control, show_row
from cardflow.chat.backends import TOOL_CALLS_MARKER
from cardflow.chat.choice import asked
from cardflow.chat.commands import COMMAND_HELP, command_help, extract_commands, to_call, tool_definitions
from cardflow.chat.conversation import STILL_WAITING
from cardflow.chat.grounding import reference
from cardflow.chat.intent import arguments, decide
from cardflow.chat.intent_prompt import offerable
from cardflow.chat.named import app_phrasing
from cardflow.chat.receipts import ROLE as RECEIPT_ROLE
from cardflow.chat.receipts import Item, Receipt
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.plugins import Context

__all__ = ["COMMAND_HELP", "Reply", "brief", "execute", "refuse_control", "run_reply"]  # COMMAND_HELP: the format's first line, which callers look for

CODE_BLOCK = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.S)
COMMAND_IN_TEXT = re.compile(r'\{[^{}]*"action"\s*:(?:[^{}]|\{[^{}]*\})*\}')  # a command, params one level deep
MAX_COMMANDS = 5  # a runaway reply cannot fire off a hundred changes
UNCHANGED = "The app has not changed anything for this message."


@dataclass(frozen=True)
class Rows:
    """The open app's rows, for the prompt and for grounding names (empty for apps without rows)."""

    noun: str
    names: list[str]
    line: str


@dataclass
class Reply:
    """What one reply produced so far: the model's prose, the receipts, and what the model saw.

    Filled in as the reply goes, so a reply that is stopped half-way still has its meta.
    """

    text: str = ""
    receipts: list[Receipt] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # the app's own lines after the reply (role "system")


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


async def execute(ctx: Context, name: str, params: Any, offered: Sequence[Action], *,
                  profile_id: int) -> list[Receipt]:
    """One call, run (or proposed, or refused) through the registry; its receipts."""
    return await act(ctx, [(name, params)], offered, profile_id=profile_id)


def strip_commands(text: str) -> str:
    """The reply without the command JSON: the user reads the receipt instead."""
    text = CODE_BLOCK.sub(lambda m: "" if '"action"' in m.group(1) else m.group(0), text)
    text = COMMAND_IN_TEXT.sub("", text)
    return text.strip()


def calls_of(raws: Sequence[dict[str, Any]]) -> list[Call]:
    calls: list[Call] = []
    for raw in raws[:MAX_COMMANDS]:
        try:
            calls.append(to_call(raw))
        except Problem as exc:
            calls.append(exc)
    return calls


def _decision_meta(decision: Any) -> dict[str, Any]:
    return {"kind": decision.kind, "action": decision.action, "question": decision.question,
            "offer": decision.offer, "unsure": decision.unsure, "unmet": decision.unmet,
            "messages": list(decision.messages), "seconds": decision.seconds, "tokens": decision.tokens}


async def run_reply(ctx: Context, profile_id: int, text: str, on_chunk: Callable[[str], Awaitable[None]],
                    origin: str | None = None, reply: Reply | None = None) -> str:
    """The model's text (without commands); receipts and what the model saw land in `reply` as they come."""
    # `origin` is the chat panel's client id, which is also its page's SSE id. The registry spares
    # the origin the live update (a form has already redrawn itself), but a page changed from the
    # chat has not, so the assistant's runs are broadcast to every page, the asking one included.
    del origin
    reply = reply if reply is not None else Reply()
    started = time.perf_counter()
    chat = ctx.chat
    backend, _ = await chat.backend()
    app_name = open_app(ctx)
    offered = ctx.actions.for_app(app_name)
    rows = rows_of(ctx, app_name, profile_id)
    meta = reply.meta
    meta.update(backend=backend.name, model=chat.model() or backend.model, app=app_name)

    # Typing "yes" under a proposal does not confirm it (a typed reply is not a click on that row's
    # change), so a reply to it that changes nothing says so in the app's own line. The model is
    # not told: given a line saying so after the message, SmolLM2 repeated it as its answer, and
    # then in every later reply ("The app has not been made available for this message.").
    waiting = _proposal_waiting(ctx, profile_id)
    decision = None
    if backend.needs_intent_pass:
        decision = await decide(ctx, backend, text, offered, app_name=app_name, profile_id=profile_id,
                                model=chat.model())
        meta["decision"] = _decision_meta(decision)
        if decision.kind == "action" and not decision.offer and \
                not (decision.question and not _read_only(ctx, decision.action)):
            reply.receipts = await execute(ctx, decision.action, decision.params, offered, profile_id=profile_id)
            meta["timings"] = {"total": time.perf_counter() - started}
            meta["tokens"] = {"intent pass": decision.tokens}
            return reply.text
        # A question that the model mapped to a change ("which app am I in?" → tasks.add) is
        # answered in words instead: a question never writes.

    native = chat.use_tools() and backend.supports_tools
    extra = "" if backend.needs_intent_pass else rows.line if native else command_help(offered, rows.line)
    messages = chat.build_messages(profile_id, chat.system_prompt(app_name, extra=extra))
    looked_up: list[Receipt] = []
    if decision is not None and decision.kind == "chat" and not decision.unmet and (decision.question or asked(text)):
        # A question that names one row ("is call grandma done") gets the row from the app: a small
        # model's answer about it is often wrong ("The user has called grandma.").
        named = reference("", rows.names, text, app_phrasing(offerable(offered))) if rows.names else None
        if named in rows.names:
            looked_up = await show_row(ctx, str(named), app_name, offered, profile_id=profile_id)
    # Notes after the message, so the cached prompt before it stays the same.
    if decision is not None and (decision.offer or decision.unmet):
        # A small model otherwise claims the change it was not able to make.
        messages.append({"role": "system", "content": UNCHANGED})
    # The row read above is shown to the user, not to the model: told it as a note, SmolLM2 looped
    # on its name ("I'm sorry to hear about your pay the water bill. I'm sorry …").
    meta["messages"] = messages
    options: dict[str, Any] = {"idle_timeout": chat.idle_timeout()}
    if native:
        options["tools"] = tool_definitions(offered)
    tool_chunks = ""
    streamed = time.perf_counter()
    async for chunk in backend.stream(messages, model=chat.model(), options=options):
        meta.setdefault("timings", {}).setdefault("first_token", time.perf_counter() - streamed)
        if TOOL_CALLS_MARKER in chunk:
            tool_chunks += chunk  # native tool calls: parsed (and refused if malformed) with the text below
            continue
        reply.text += chunk
        await on_chunk(reply.text)
    meta.setdefault("timings", {})["total"] = time.perf_counter() - started
    meta["tokens"] = _tokens(backend, messages, reply.text, meta.get("decision"))
    await _after_words(ctx, backend, text, decision, offered, app_name, profile_id, reply, rows, looked_up,
                       tool_chunks, on_chunk)
    if waiting and not any(r.kind == "proposal" or any(i.state == "done" for i in r.items) for r in reply.receipts):
        reply.notes.append(STILL_WAITING)
    return reply.text


async def _after_words(ctx: Context, backend: Any, text: str, decision: Any, offered: Sequence[Action],
                       app_name: str, profile_id: int, reply: Reply, rows: Rows, looked_up: list[Receipt],
                       tool_chunks: str, on_chunk: Callable[[str], Awaitable[None]]) -> None:
    """The receipts under the words: the offer, the app's "nothing changed" line, the row looked
    up, or the commands a bigger model wrote."""
    if decision is not None and decision.offer:
        await _offer(ctx, backend, text, (decision.action, *decision.runners), offered, app_name, profile_id,
                     reply, UNSURE if decision.unsure else OFFERED)
        return
    if decision is not None and decision.unmet:
        # A change was meant but its words did not say which row or what value: the app says so,
        # whatever the model's prose claims.
        unmet = Item(decision.unmet, "Nothing changed", state="refused",
                     summary=f"I could not tell which {rows.noun} you meant or what to change, so nothing was changed.")
        reply.receipts = [Receipt("done", [unmet])]
        return
    if looked_up:
        reply.receipts = looked_up
        return
    found = extract_commands(reply.text + tool_chunks)
    if found:
        # A question never writes, whichever model answers it: its changes wait for a click.
        reply.receipts = await act(ctx, calls_of(found), offered, profile_id=profile_id, asked=asked(text))
        reply.text = strip_commands(reply.text)
        await on_chunk(reply.text)
    elif found.errors:
        unreadable = Item("(unreadable)", "Not run", state="refused",
                          summary="The reply held a command that could not be read, so nothing was changed.")
        reply.receipts = [Receipt("done", [unreadable])]


async def _offer(ctx: Context, backend: Any, text: str, names: Sequence[str], offered: Sequence[Action],
                 app_name: str, profile_id: int, reply: Reply, note: str) -> None:
    """After the answer: the first of ``names`` (changes the message might have meant, likeliest
    first) that its words ground and the registry would accept, with Confirm."""
    for name in names:
        call = await arguments(ctx, backend, text, ctx.actions.get(name), offered, app_name=app_name,
                               profile_id=profile_id, model=ctx.chat.model())
        reply.meta["offer"] = _decision_meta(call)
        if call.kind == "action":
            reply.receipts = await offer(ctx, call.action, call.params, offered, profile_id=profile_id, note=note)
            if reply.receipts:
                return


def _proposal_waiting(ctx: Context, profile_id: int) -> bool:
    """Whether the app's last word, just before this message, is a change waiting for Confirm."""
    last = ctx.conversation.history(profile_id, limit=2)
    if len(last) < 2 or last[1].role != "user" or last[0].role != RECEIPT_ROLE:
        return False
    try:
        receipt = Receipt.load(last[0].content)
    except (ValueError, KeyError, TypeError):
        return False
    return receipt.kind == "proposal" and receipt.state == "proposed"


def _read_only(ctx: Context, name: str) -> bool:
    return name in ctx.actions and ctx.actions.get(name).read_only


def _tokens(backend: Any, messages: list[dict[str, str]], text: str, decision: Any) -> dict[str, Any]:
    """The backend's own count when it keeps one, else an estimate (about 4 characters a token)."""
    counted = int(getattr(backend, "last_tokens", 0) or 0)
    out: dict[str, Any] = {"reply": counted} if counted else {
        "prompt (≈)": sum(len(m.get("content", "")) for m in messages) // 4, "reply (≈)": len(text) // 4}
    if isinstance(decision, dict):
        out["intent pass"] = decision.get("tokens", 0)
    return out
