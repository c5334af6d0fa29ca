"""The chat socket (/ws) and the chat panel's HTTP routes (settings, models, clear).

A reply streams into its bubble over the WebSocket: each chunk re-renders the accumulated
markdown (sanitized) and replaces the bubble body by id, so the page never sees raw model HTML.
The first chunk is sent the moment it arrives. Stop cancels the generation task; a backend that
is down, silent or garbled ends the reply with a clear message and the socket stays usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import TYPE_CHECKING, Any

from fasthtml.common import Div, NotStr, Option, Small, Span, to_xml
from loguru import logger
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from cardflow.chat.assist import run_reply
from cardflow.chat.conversation import render_message
from cardflow.chat.panel import chat_input, status_line, stop_button
from cardflow.chat.render import render_markdown
from cardflow.db import Message
from cardflow.errors import Problem
from cardflow.plugins import route

if TYPE_CHECKING:
    from cardflow.plugins import Context

MAX_MESSAGE = 8000


class ChatSocket:
    """One open chat panel: receives messages and Stop, streams replies back."""

    def __init__(self, ctx: Context, ws: WebSocket) -> None:
        self.ctx = ctx
        self.ws = ws
        self.client_id = ws.query_params.get("client") or None
        self.task: asyncio.Task[None] | None = None

    async def send(self, *parts: Any) -> None:
        await self.ws.send_text(to_xml(tuple(parts)))

    async def run(self) -> None:
        await self.ws.accept()
        try:
            while True:
                data = await self.ws.receive_json()
                if not isinstance(data, dict):
                    continue
                if data.get("stop"):
                    if self.task and not self.task.done():
                        self.task.cancel()
                    continue
                text = str(data.get("msg") or "").strip()
                if not text:
                    continue
                if self.task and not self.task.done():
                    await self.send(_note("Wait for the current reply to finish, or press Stop."))
                    continue
                self.task = asyncio.create_task(self.reply(text[:MAX_MESSAGE]))
        except (WebSocketDisconnect, RuntimeError, ValueError):
            pass
        finally:
            if self.task and not self.task.done():
                self.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self.task

    async def reply(self, text: str) -> None:
        ctx = self.ctx
        profile_id = ctx.current_profile_id()
        app_name = ctx.db.store.get("last_app_choice", "home")
        user = ctx.conversation.add(profile_id, "user", text, app_name, exclude=self.client_id)
        body_id = f"stream-{secrets.token_hex(4)}"
        pending = Message(id=None, profile_id=profile_id, role="assistant", content="", app=app_name)
        bubble = render_message(pending, stream_id=body_id)
        bubble.children[1].children = (Span("…", cls="typing", aria_label="The assistant is writing"),)
        await self.send(_append(render_message(user)), _append(bubble), chat_input(False, oob=True),
                        stop_button(True, oob=True))
        acc = ""

        async def on_chunk(full: str) -> None:
            nonlocal acc
            acc = full
            await self.send(Div(NotStr(render_markdown(full)), id=body_id, hx_swap_oob="innerHTML"))

        chat = ctx.chat
        final, error = "", None
        try:
            final = await run_reply(ctx, profile_id, text, on_chunk, origin=self.client_id)
        except asyncio.CancelledError:
            final = (acc + "\n\n*(stopped)*").strip()
        except Exception as exc:  # any failure ends as a message in the chat, never a dead socket
            logger.opt(exception=exc).warning("chat reply failed")
            error = str(exc) or type(exc).__name__
            final = acc
        msg = None
        if final:
            msg = ctx.conversation.add(profile_id, "assistant", final, app_name, exclude=self.client_id)
        parts: list[Any] = [Div(NotStr(render_markdown(final)) if final else "", id=body_id, hx_swap_oob="innerHTML")]
        if error:
            parts.append(_append(Div(Small("Problem"), Div(error, cls="msg-body"), cls="msg msg-error", role="alert")))
        elif msg is None:
            parts.append(_note("The model sent an empty reply."))
        parts += [chat_input(True, oob=True), stop_button(False, oob=True), status_line(chat.status(), oob=True)]
        with contextlib.suppress(Exception):
            await self.send(*parts)


def _append(fragment: Any) -> Any:
    return Div(fragment, id="chat-messages", hx_swap_oob="beforeend")


def _note(text: str) -> Any:
    return _append(Div(Small("Note"), Div(text, cls="msg-body"), cls="msg msg-note"))


def _word_limit(raw: Any) -> int | None:
    """The word limit field as a number; empty leaves the setting as it is."""
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise Problem("The word limit must be a whole number.", field="word_limit") from None


def add_chat_routes(ctx: Context) -> None:
    app = ctx.app
    chat = ctx.chat

    async def ws_endpoint(ws: WebSocket) -> None:
        await ChatSocket(ctx, ws).run()

    app.router.routes.append(WebSocketRoute("/ws", ws_endpoint, name="chat_ws"))

    @route(app, "/chat/clear", ["post"], "chat_clear")
    async def clear() -> Any:
        ctx.conversation.clear(ctx.current_profile_id())
        return HTMLResponse("<p class='muted' id='chat-empty'>Conversation cleared.</p>")

    @route(app, "/chat/models", ["get"], "chat_models")
    async def models() -> Any:
        names = await chat.models()
        current = chat.model() or ""
        options = [Option("(default)", value="", selected=not current)]
        options += [Option(n, value=n, selected=n == current) for n in names]
        return HTMLResponse(to_xml(tuple(options)))

    @route(app, "/chat/settings", ["post"], "chat_settings")
    async def settings(req: Request) -> Any:
        form = await req.form()
        try:
            chat.save_settings(backend=str(form.get("backend") or chat.choice()),
                               model=str(form.get("model") or ""), tone=str(form.get("tone") or chat.tone()),
                               word_limit=_word_limit(form.get("word_limit")))
        except Problem as exc:
            return HTMLResponse(to_xml(Small(exc.message, id="chat-settings-msg", cls="field-error", role="alert")))
        backend, _reason = await chat.backend()
        return HTMLResponse(to_xml((Small(f"Saved. Using {backend.name}.", id="chat-settings-msg", role="status"),
                                    status_line(chat.status(), oob=True))))

