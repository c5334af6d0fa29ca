"""Receipts: what the assistant's actions did, drawn by the app and never by the model.

A receipt is a chat message of its own (role ``receipt``) whose content is JSON that only the
app writes: the calls, each with its action, title, summary, log id and state. The page draws it
with its own element, icon and buttons (Undo, Confirm, Cancel), so a model that writes "✓ Added
…" in its prose gets a plain markdown line, never a receipt. The model is told about a receipt as
a system line ("Action tasks.add ran: …"), never as something it said itself.

Kinds:

- ``done``: changing actions that ran; each with Undo (an undo can itself be undone);
- ``answer``: a read-only action's result ("From Tasks:"), shown as data, not as model text;
- ``proposal``: changes that need a click first (``confirm=True`` actions, several rows at once);
  Confirm runs them and turns the proposal into ``done``, Cancel marks it cancelled.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from fasthtml.common import A, Button, Details, Div, Li, Pre, Small, Span, Strong, Summary, Ul

from cardflow.db import Message

ROLE = "receipt"
ICONS = {"done": "✔", "undone": "↶", "refused": "⚠", "answer": "ℹ", "proposed": "?", "cancelled": "✕"}
STATE_WORDS = {"undone": "Undone", "refused": "Not done", "cancelled": "Cancelled"}


@dataclass
class Item:
    """One call: what was asked, and what became of it."""

    action: str
    title: str
    params: dict[str, Any] = field(default_factory=dict)
    state: str = "proposed"  # proposed, done, undone, refused, answer, cancelled
    summary: str = ""  # the outcome's summary, the refusal's sentence, or a read-only result in brief
    log_id: int | None = None  # the action_log entry that Undo reverses
    undo_id: int | None = None  # the entry of the undo, which Undo of the undo reverses
    error: str = ""  # why the last Undo was refused; nothing changed


@dataclass
class Receipt:
    kind: str  # done, answer, proposal
    items: list[Item]
    app_title: str = ""  # "From Tasks:" on answers
    state: str = ""  # a proposal's: proposed, running, confirmed, cancelled
    note: str = ""  # why a proposal waits, when it is not the usual reason (an offer after a question)

    def dump(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def load(cls, raw: str) -> Receipt:
        data = json.loads(raw)
        items = [Item(**{k: v for k, v in i.items() if k in Item.__dataclass_fields__}) for i in data["items"]]
        return cls(data["kind"], items, data.get("app_title", ""), data.get("state", ""), str(data.get("note", "")))


def model_line(receipt: Receipt) -> str:
    """What the model is told, as a system line: results only, in words it cannot mistake for its own."""
    lines = []
    for item in receipt.items:
        if item.state == "proposed":
            lines.append(f"Action {item.action} was proposed and waits for the user's Confirm; it has not run.")
        elif item.state == "cancelled":
            lines.append(f"Action {item.action} was cancelled by the user; it did not run.")
        elif item.state == "refused":
            lines.append(f"Action {item.action} was refused: {item.summary}")
        elif item.state == "undone":
            lines.append(f"Action {item.action} ran: {item.summary} The user then undid it.")
        else:
            lines.append(f"Action {item.action} ran: {item.summary}")
    return "\n".join(lines)


def _nothing_done(receipt: Receipt) -> bool:
    return bool(receipt.items) and all(item.state == "refused" for item in receipt.items)


def _label(receipt: Receipt) -> str:
    if receipt.kind == "answer":
        return f"From {receipt.app_title or 'the app'}:"
    if receipt.kind == "proposal":
        return {"cancelled": "Cancelled — nothing was changed", "running": "Running…"}.get(
            receipt.state, receipt.note or "Needs your OK before anything changes")
    if _nothing_done(receipt):
        return "Not done"
    return "Done by the app"


def _item(msg_id: int, index: int, item: Item, kind: str) -> Any:
    base = f"/chat/receipt/{msg_id}"
    target = {"hx_target": f"#msg-{msg_id}", "hx_swap": "outerHTML"}
    buttons: list[Any] = []
    if item.state == "done" and item.log_id is not None:
        buttons.append(Button("Undo", cls="secondary outline receipt-undo", hx_post=f"{base}/undo/{index}",
                              aria_label=f"Undo: {item.summary}", **target))
    elif item.state == "undone" and item.undo_id is not None:
        buttons.append(Button("Redo", cls="secondary outline receipt-undo", hx_post=f"{base}/undo/{index}",
                              aria_label=f"Redo (undo the undo of: {item.summary})", **target))
    summary = Pre(item.summary, cls="receipt-answer") if kind == "answer" else Span(item.summary)
    word = STATE_WORDS.get(item.state)
    return Li(Span(ICONS.get(item.state, "•"), cls="receipt-icon", aria_hidden="true"),
              Strong(item.title, cls="receipt-title"), " ", summary,
              Small(f" ({word})", cls="receipt-state") if word else None, *buttons,
              Small(item.error, cls="receipt-error", role="alert") if item.error else None,
              cls=f"receipt-item is-{item.state}")


def render_receipt(msg: Message, receipt: Receipt | None = None) -> Any:
    """The receipt's own element. Every string in it is text (escaped), whoever wrote it."""
    receipt = receipt or Receipt.load(msg.content)
    msg_id = msg.id or 0
    footer: list[Any] = []
    if receipt.kind == "proposal" and receipt.state == "proposed":
        target = {"hx_target": f"#msg-{msg_id}", "hx_swap": "outerHTML"}
        footer += [Button("Confirm", cls="receipt-confirm", hx_post=f"/chat/receipt/{msg_id}/confirm", **target),
                   Button("Cancel", cls="secondary receipt-cancel", hx_post=f"/chat/receipt/{msg_id}/cancel",
                          **target)]
    refused = _nothing_done(receipt)
    if receipt.kind != "answer" and not refused:  # nothing changed, so nothing to see there
        footer.append(A("Activity", href="/activity", cls="receipt-activity",
                        title="Every change, with Undo, on the Activity page"))
    icon = ICONS["answer" if receipt.kind == "answer" else "proposed" if receipt.kind == "proposal"
                 else "refused" if refused else "done"]
    return Div(Small(Span(icon, cls="receipt-icon", aria_hidden="true"), " ", _label(receipt), cls="msg-who"),
               Ul(*[_item(msg_id, i, it, receipt.kind) for i, it in enumerate(receipt.items)], cls="receipt-items"),
               Div(*footer, cls="receipt-actions") if footer else None,
               inspector(msg),
               cls=f"msg msg-receipt receipt receipt-{receipt.kind}" + (f" receipt-{receipt.state}" if receipt.state
                                                                         else "") + (" receipt-refused" if refused else ""),
               id=f"msg-{msg_id}", data_receipt=receipt.kind)


def inspector(msg: Message) -> Any:
    """The "What the model saw" disclosure; its body loads on first open (a prompt is kilobytes)."""
    if not msg.meta or not msg.id:
        return None
    return Details(Summary("What the model saw"), Div(Small("Loading…", cls="muted"), id=f"meta-{msg.id}"),
                   hx_get=f"/chat/meta/{msg.id}", hx_trigger="toggle once", hx_target=f"#meta-{msg.id}",
                   hx_swap="innerHTML", cls="msg-meta")


def _seconds(value: Any) -> str:
    return f"{value:.2f} s" if isinstance(value, int | float) else "—"


def inspector_body(meta: dict[str, Any]) -> Any:
    """The stored meta as text: backend, model, tokens, timings, then every message as sent."""
    timings, tokens = meta.get("timings") or {}, meta.get("tokens") or {}
    facts = [("Backend", meta.get("backend")), ("Model", meta.get("model") or "(default)"),
             ("Time to first token", _seconds(timings.get("first_token"))),
             ("Total", _seconds(timings.get("total"))),
             ("Tokens", ", ".join(f"{k}: {v}" for k, v in tokens.items()) or "—")]
    parts: list[Any] = [Ul(*[Li(Strong(k), " ", str(v)) for k, v in facts], cls="meta-facts")]
    decision = meta.get("decision")
    if isinstance(decision, dict):
        parts += _pass("Intent pass", decision)
    parts += _messages(meta.get("messages") or [], "meta-messages")
    offer = meta.get("offer")
    if isinstance(offer, dict):  # after the answer: the arguments of the change offered with Confirm
        parts += _pass("Offer's arguments", offer)
    return Div(*parts)


def _pass(title: str, decision: dict[str, Any]) -> list[Any]:
    said = (f"{title}: {decision.get('kind')} {decision.get('action') or ''}"
            f"{' (a question)' if decision.get('question') else ''}{', offered' if decision.get('offer') else ''}"
            f"{' (it came close to answering in words)' if decision.get('unsure') else ''}, "
            f"{_seconds(decision.get('seconds'))}, {decision.get('tokens', 0)} tokens")
    return [Small(said, cls="muted"), *_messages(decision.get("messages") or [], "meta-intent")]


def _messages(messages: list[Any], cls: str) -> list[Any]:
    return [Div(Small(str(m.get("role", "?")), cls="meta-role"), Pre(str(m.get("content", ""))), cls=cls)
            for m in messages if isinstance(m, dict)]
