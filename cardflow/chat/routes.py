"""The chat socket (/ws) and the chat panel's HTTP routes (settings, models, clear).

A reply streams into its bubble over the WebSocket: each chunk re-renders the accumulated
markdown (sanitized) and replaces the bubble body by id, so the page never sees raw model HTML.
The first chunk is sent the moment it arrives. The reply itself runs in the per-profile runner
(runner.py), so leaving the page does not end it; Stop does. A backend that is down, silent or
garbled ends the reply with a clear message and the socket stays usable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fasthtml.common import Option, Small, to_xml
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from cardflow.chat.panel import status_line
from cardflow.chat.receipt_routes import add_receipt_routes
from cardflow.chat.runner import ReplyRunner, note
from cardflow.errors import Problem
from cardflow.plugins import route

if TYPE_CHECKING:
    from cardflow.plugins import Context

MAX_MESSAGE = 8000


class ChatSocket:
    """One open chat panel: sends messages and Stop; the runner streams replies to it.

    The reply belongs to the runner, not to this socket: closing the page detaches the panel and
    the reply goes on, saved for the next page.
    """

    def __init__(self, ctx: Context, ws: WebSocket, runner: ReplyRunner) -> None:
        self.ctx = ctx
        self.ws = ws
        self.runner = runner

    async def send(self, *parts: Any) -> None:
        await self.ws.send_text(to_xml(tuple(parts)))

    async def run(self) -> None:
        await self.ws.accept()
        profile_id = self.ctx.current_profile_id()
        sink = self.ws.send_text
        await self.runner.attach(profile_id, sink)
        try:
            while True:
                data = await self.ws.receive_json()
                if not isinstance(data, dict):
                    continue
                if data.get("stop"):
                    self.runner.stop(profile_id)
                    continue
                text = str(data.get("msg") or "").strip()
                if text and not await self.runner.start(profile_id, text[:MAX_MESSAGE]):
                    await self.send(note("Wait for the current reply to finish, or press Stop."))
        except (WebSocketDisconnect, RuntimeError, ValueError):
            pass
        finally:
            self.runner.detach(profile_id, sink)


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

    runner = ReplyRunner(ctx)
    app.state.chat_runner = runner  # tests wait on it; one per app, outliving every socket

    async def ws_endpoint(ws: WebSocket) -> None:
        await ChatSocket(ctx, ws, runner).run()

    app.router.routes.append(WebSocketRoute("/ws", ws_endpoint, name="chat_ws"))
    add_receipt_routes(ctx)

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

