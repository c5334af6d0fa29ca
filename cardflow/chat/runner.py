"""Replies that outlive the page: one reply task per profile, watched by every open chat panel.

A reply used to belong to the socket that asked for it, so leaving or reloading the page
cancelled it mid-sentence (and saved an empty "(stopped)"). Here the task belongs to the runner:
sockets attach and detach as pages come and go, each gets the frames while it is attached, and
a page that opens mid-reply is shown the reply so far. Only Stop cancels. Whatever happens, the
reply ends saved (or, when nothing was said, not saved at all) and the profile is free again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fasthtml.common import Div, NotStr, Small, Span, to_xml
from loguru import logger

from cardflow.chat.assist import Reply, open_app, run_reply
from cardflow.chat.conversation import render_message
from cardflow.chat.panel import chat_input, status_line, stop_button
from cardflow.chat.receipts import ROLE as RECEIPT
from cardflow.chat.render import render_markdown
from cardflow.chat.service import STOPPED
from cardflow.db import Message

if TYPE_CHECKING:
    from cardflow.plugins import Context

Sink = Callable[[str], Awaitable[None]]  # sends one frame to one open chat panel


@dataclass
class Live:
    """The reply being written for a profile."""

    profile_id: int
    app: str
    turn_id: str  # the element that holds the reply while it streams; replaced when it ends
    reply: Reply = field(default_factory=Reply)
    task: asyncio.Task[None] | None = None
    stopped: bool = False


def append(fragment: Any) -> Any:
    return Div(fragment, id="chat-messages", hx_swap_oob="beforeend")


def note(text: str) -> Any:
    return append(Div(Small("Note"), Div(text, cls="msg-body"), cls="msg msg-note"))


class ReplyRunner:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.live: dict[int, Live] = {}
        self.sinks: dict[int, set[Sink]] = {}

    def busy(self, profile_id: int) -> bool:
        return profile_id in self.live

    async def attach(self, profile_id: int, sink: Sink) -> None:
        """A panel opened: it gets the frames from now on, and the reply so far if one is running."""
        self.sinks.setdefault(profile_id, set()).add(sink)
        live = self.live.get(profile_id)
        if live is not None:
            with contextlib.suppress(Exception):
                await sink(to_xml((append(self._bubble(live)), chat_input(False, oob=True),
                                   stop_button(True, oob=True))))

    def detach(self, profile_id: int, sink: Sink) -> None:
        """A panel closed. The reply goes on: it is saved and shown on the next page."""
        self.sinks.get(profile_id, set()).discard(sink)

    def stop(self, profile_id: int) -> None:
        live = self.live.get(profile_id)
        if live is not None and live.task is not None and not live.task.done():
            live.stopped = True
            live.task.cancel()

    async def publish(self, profile_id: int, *parts: Any) -> None:
        frame = to_xml(tuple(parts))
        for sink in list(self.sinks.get(profile_id, ())):
            try:
                await sink(frame)
            except Exception:  # a closed page: it will draw the saved reply when it comes back
                self.sinks.get(profile_id, set()).discard(sink)

    async def start(self, profile_id: int, text: str) -> bool:
        """Save the message and start its reply; False when a reply is already running."""
        if self.busy(profile_id):
            return False
        app = open_app(self.ctx)
        live = Live(profile_id, app, f"turn-{secrets.token_hex(4)}")
        self.live[profile_id] = live  # claimed before any await, so two sends cannot both start
        user = self.ctx.conversation.add(profile_id, "user", text, app, broadcast=False)
        await self.publish(profile_id, append(render_message(user)), append(self._bubble(live)),
                           chat_input(False, oob=True), stop_button(True, oob=True))
        live.task = asyncio.create_task(self._run(live, text))
        return True

    def _bubble(self, live: Live) -> Any:
        pending = Message(id=None, profile_id=live.profile_id, role="assistant", content=live.reply.text, app=live.app)
        bubble = render_message(pending, stream_id=f"{live.turn_id}-body")
        if not live.reply.text:
            bubble.children[1].children = (Span("…", cls="typing", aria_label="The assistant is writing"),)
        return Div(bubble, id=live.turn_id, cls="chat-turn")

    async def _run(self, live: Live, text: str) -> None:
        pid = live.profile_id

        async def on_chunk(full: str) -> None:
            await self.publish(pid, Div(NotStr(render_markdown(full)), id=f"{live.turn_id}-body",
                                        hx_swap_oob="innerHTML"))

        error = None
        try:
            await run_reply(self.ctx, pid, text, on_chunk, reply=live.reply)
        except asyncio.CancelledError:
            live.stopped = True
        except Exception as exc:  # any failure ends as a message in the chat, never a stuck profile
            logger.opt(exception=exc).warning("chat reply failed")
            error = str(exc) or type(exc).__name__
        finally:
            # Freed first: whatever goes wrong below, the next message must get a reply.
            self.live.pop(pid, None)
        try:
            parts = self._finish(live, error)
        except Exception as exc:
            logger.opt(exception=exc).warning("saving the chat reply failed")
            parts = [note("The reply could not be saved.")]
        parts += [chat_input(True, oob=True), stop_button(False, oob=True),
                  status_line(self.ctx.chat.status(), oob=True)]
        await self.publish(pid, *parts)

    def _finish(self, live: Live, error: str | None) -> list[Any]:
        """Save the reply and its receipts; the frames that replace the streaming bubble."""
        conv, reply = self.ctx.conversation, live.reply
        meta = json.dumps({**reply.meta, "stopped": live.stopped}, ensure_ascii=False, default=str)
        body = reply.text.strip()
        if body and live.stopped:
            body += "\n\n" + STOPPED
        shown: list[Any] = []
        if body:
            msg = conv.add(live.profile_id, "assistant", body, live.app, broadcast=False, meta=meta)
            shown.append(render_message(msg))
        for i, receipt in enumerate(reply.receipts):
            # An action picked by the intent pass has no prose: its receipt carries what the model saw.
            saved = conv.add(live.profile_id, RECEIPT, receipt.dump(), live.app, broadcast=False,
                             meta=meta if not body and i == 0 else None)
            shown.append(render_message(saved))
        for note in reply.notes:
            shown.append(render_message(conv.add(live.profile_id, "system", note, live.app, broadcast=False)))
        if error:
            shown.append(Div(Small("Problem"), Div(error, cls="msg-body"), cls="msg msg-error", role="alert"))
        elif live.stopped and not body:
            shown.append(Div(Small("Note"), Div("Stopped before the first word; nothing was saved.",
                                                cls="msg-body"), cls="msg msg-note"))
        elif not shown:
            shown.append(Div(Small("Note"), Div("The model sent an empty reply.", cls="msg-body"),
                             cls="msg msg-note"))
        return [Div(*shown, id=live.turn_id, cls="chat-turn", hx_swap_oob="outerHTML")]
