"""The receipt's buttons: Undo (and Undo of the undo), Confirm, Cancel; and the model inspector.

Each button posts here and gets the receipt back, redrawn from its stored JSON after the change.
Undo is the `activity.undo` action run through the registry as the user (actor "ui"), the same
as the Activity page's button; when a row changed since, its refusal is shown in the receipt and
nothing changes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fasthtml.common import Small, to_xml
from starlette.responses import HTMLResponse

from cardflow.chat.acting import cancel, confirm
from cardflow.chat.receipts import ROLE, Receipt, inspector_body, render_receipt
from cardflow.db import Message, parse_id
from cardflow.errors import Problem
from cardflow.plugins import route

if TYPE_CHECKING:
    from cardflow.plugins import Context


def _html(fragment: Any) -> HTMLResponse:
    return HTMLResponse(to_xml(fragment))


def add_receipt_routes(ctx: Context) -> None:
    app = ctx.app

    def load(msg_id: str) -> tuple[Message, Receipt]:
        ident = parse_id(msg_id)
        msg = ctx.conversation.get(ctx.current_profile_id(), ident) if ident is not None else None
        if msg is None or msg.role != ROLE:
            raise Problem("That receipt is not in this profile's conversation.", 404)
        return msg, Receipt.load(msg.content)

    @route(app, "/chat/receipt/{msg_id}/undo/{index}", ["post"], "chat_receipt_undo")
    async def undo(msg_id: str, index: str) -> Any:
        msg, receipt = load(msg_id)
        at = parse_id(index)
        if at is None or at >= len(receipt.items):
            raise Problem("That receipt has no such line.", 404)
        item = receipt.items[at]
        # Undo reverses the action; on an undone line it reverses the undo (which is logged too).
        target = item.undo_id if item.state == "undone" else item.log_id
        if target is None or item.state not in ("done", "undone"):
            raise Problem("There is nothing to undo on that line.", 409)
        try:
            # No origin: the page that clicked shows the rows too (a task list beside the chat) and
            # must get the live update like every other page.
            outcome = await ctx.actions.run("activity.undo", {"id": target}, actor="ui")
        except Problem as exc:
            item.error = exc.message
        else:
            item.error = ""
            if item.state == "done":
                item.state, item.undo_id = "undone", outcome.log_id
            else:
                item.state, item.log_id, item.undo_id = "done", outcome.log_id, None
        ctx.conversation.set_content(msg, receipt.dump())
        return _html(render_receipt(msg, receipt))

    @route(app, "/chat/receipt/{msg_id}/confirm", ["post"], "chat_receipt_confirm")
    async def confirm_(msg_id: str) -> Any:
        msg, receipt = load(msg_id)
        if receipt.kind != "proposal" or receipt.state != "proposed":
            return _html(render_receipt(msg, receipt))  # a second click (or a stale page) runs nothing
        receipt.state = "running"
        ctx.conversation.set_content(msg, receipt.dump())  # claimed before running: a double click runs once
        await confirm(ctx, receipt, profile_id=msg.profile_id)
        ctx.conversation.set_content(msg, receipt.dump())
        return _html(render_receipt(msg, receipt))

    @route(app, "/chat/receipt/{msg_id}/cancel", ["post"], "chat_receipt_cancel")
    async def cancel_(msg_id: str) -> Any:
        msg, receipt = load(msg_id)
        if receipt.kind == "proposal" and receipt.state == "proposed":
            ctx.conversation.set_content(msg, cancel(receipt).dump())
        return _html(render_receipt(msg, receipt))

    @route(app, "/chat/meta/{msg_id}", ["get"], "chat_meta")
    async def meta(msg_id: str) -> Any:
        ident = parse_id(msg_id)
        msg = ctx.conversation.get(ctx.current_profile_id(), ident) if ident is not None else None
        if msg is None or not msg.meta:
            return _html(Small("Nothing was stored for this message.", cls="muted"))
        try:
            data = json.loads(msg.meta)
        except ValueError:
            return _html(Small("What was stored for this message cannot be read.", cls="muted"))
        return _html(inspector_body(data if isinstance(data, dict) else {}))
