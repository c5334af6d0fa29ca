"""The right-hand chat column: history, and the input the assistant listens on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fasthtml.common import H2, Div, Form, Header, P, Small, Textarea

from cardflow.chat.conversation import render_message

if TYPE_CHECKING:
    from cardflow.plugins import Context


def chat_panel(ctx: Context, profile_id: int) -> Any:
    history = ctx.conversation.history(profile_id)
    messages = [render_message(m) for m in history] or [
        P("Workflow steps and app notes appear here.", cls="muted", id="chat-empty")]
    return Div(
        Header(H2("Assistant"), cls="chat-head"),
        Div(*messages, id="chat-messages", cls="chat-messages", sse_swap="chat", hx_swap="beforeend",
            aria_live="polite"),
        Form(Textarea(name="msg", id="chat-input", rows="2", disabled=True,
                      placeholder="Chat with a local model is not connected yet", aria_label="Message"),
             Small("The assistant is offline in this build; notes from apps still arrive here.", cls="muted"),
             id="chat-form"),
        cls="chat",
    )
