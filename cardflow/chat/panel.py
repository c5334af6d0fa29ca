"""The right-hand chat column: settings, history, and the input wired to the /ws socket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fasthtml.common import (
    H2,
    Button,
    Details,
    Div,
    Form,
    Header,
    Input,
    Label,
    Option,
    P,
    Select,
    Small,
    Summary,
    Textarea,
)

from cardflow.chat.backends.registry import backend_choices
from cardflow.chat.conversation import PAGE_HISTORY, render_history
from cardflow.chat.service import TONES

if TYPE_CHECKING:
    from cardflow.plugins import Context


def chat_input(enabled: bool = True, oob: bool = False) -> Any:
    return Textarea(name="msg", id="chat-input", rows="2", disabled=not enabled, required=True, maxlength="8000",
                    placeholder="Ask the assistant… (Enter sends, Shift+Enter for a new line)",
                    aria_label="Message to the assistant", hx_swap_oob="true" if oob else None)


def stop_button(generating: bool, oob: bool = False) -> Any:
    return Button("Stop", type="submit", id="chat-stop-btn", cls="secondary", disabled=not generating,
                  aria_label="Stop the reply", hx_swap_oob="true" if oob else None)


def status_line(text: str, oob: bool = False) -> Any:
    return Small(text, id="chat-status", cls="muted", hx_swap_oob="true" if oob else None)


def settings_form(ctx: Context) -> Any:
    chat = ctx.chat
    return Details(
        Summary("Settings", role="button", cls="secondary outline"),
        Form(
            Label("Backend", Select(*[Option(c, value=c, selected=c == chat.choice()) for c in backend_choices()],
                                    name="backend", id="chat-backend")),
            Label("Model", Select(Option(chat.model() or "(default)", value=chat.model() or ""), name="model",
                                  id="chat-model", hx_get="/chat/models", hx_trigger="focus once",
                                  hx_target="this", hx_swap="innerHTML")),
            Label("Tone", Select(*[Option(t, value=t, selected=t == chat.tone()) for t in TONES], name="tone")),
            Label("Word limit", Input(type="number", name="word_limit", min="10", max="2000",
                                      value=str(chat.word_limit()))),
            Small(id="chat-settings-msg", role="status"),
            Button("Save", type="submit"),
            hx_post="/chat/settings", hx_target="#chat-settings-msg", hx_swap="outerHTML",
        ),
        cls="chat-settings", id="chat-settings",
    )


def chat_panel(ctx: Context, profile_id: int, client_id: str = "") -> Any:
    history = ctx.conversation.history(profile_id, limit=PAGE_HISTORY + 1)
    older = len(history) > PAGE_HISTORY
    messages = [render_history(history[-PAGE_HISTORY:])] if history else [
        P("Ask anything, or say “add a task to call Bob”. Workflow notes appear here too.", cls="muted",
          id="chat-empty")]
    if older:
        messages.insert(0, Small("Earlier messages are kept in the history; the newest are shown.", cls="muted"))
    return Div(
        Header(H2("Assistant"),
               Div(settings_form(ctx),
                   Button("Clear", cls="secondary outline", hx_post="/chat/clear", hx_target="#chat-messages",
                          hx_swap="innerHTML", hx_confirm="Clear the whole conversation for this profile?",
                          aria_label="Clear the conversation"), cls="chat-tools"),
               cls="chat-head"),
        status_line(ctx.chat.status()),
        Div(*messages, id="chat-messages", cls="chat-messages", sse_swap="chat", hx_swap="beforeend",
            aria_live="polite"),
        Form(chat_input(), Div(Button("Send", type="submit", id="chat-send"), cls="chat-buttons"),
             id="chat-form", ws_send=True),
        Form(Input(type="hidden", name="stop", value="1"), stop_button(False), id="chat-stop", ws_send=True),
        hx_ext="ws", ws_connect=f"/ws?client={client_id}&profile={profile_id}", cls="chat", id="chat",
    )
