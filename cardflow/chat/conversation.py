"""Chat history per profile, and the notes that apps and workflows post into the chat panel.

Roles: ``user`` (escaped text), ``assistant`` (model text, sanitized markdown, with a "What the
model saw" disclosure when its meta is stored), ``receipt`` (JSON only the app writes, drawn by
receipts.py), ``system`` (app-switch lines) and ``note`` (workflow lines).
"""

from __future__ import annotations

from html import escape
from typing import Any

from fasthtml.common import Div, NotStr, Small, to_xml

from cardflow.chat.receipts import ROLE as RECEIPT
from cardflow.chat.receipts import inspector, render_receipt
from cardflow.db import Database, Message, now_iso
from cardflow.events import Broadcaster

ROLES = ("user", "assistant", "system", "note", RECEIPT)
SWITCH_PREFIX = "Switched to the "  # the app-switch line; consecutive ones collapse into one
# The app's line when the user types after a change that waits for Confirm: about the page, not
# conversation, so (like the switch line) the model is not shown it.
STILL_WAITING = ("The change proposed above has not been made: typing does not confirm it. "
                 "Press Confirm on it to make it, or Cancel.")


LABELS = {"user": "You", "assistant": "Assistant", "system": "App", "note": "Workflow"}
PAGE_HISTORY = 60  # messages drawn with the page; the model's context has its own budget


def render_message(msg: Message, *, stream_id: str | None = None) -> Any:
    """One chat bubble. User text is escaped; model text is markdown rendered and sanitized."""
    if msg.role == RECEIPT:
        return render_receipt(msg)
    if msg.role == "assistant":
        from cardflow.chat.render import render_markdown

        body: Any = NotStr(render_markdown(msg.content))
    else:
        body = msg.content
    return Div(Small(LABELS.get(msg.role, msg.role), cls="msg-who"), Div(body, cls="msg-body", id=stream_id),
               inspector(msg) if msg.role == "assistant" else None,
               cls=f"msg msg-{msg.role}", id=f"msg-{msg.id}" if msg.id else None)


def render_history(messages: list[Message]) -> NotStr:
    """Many bubbles at once, as one string: a page carries dozens, and FT objects cost ~0.4 ms each."""
    from cardflow.chat.render import render_markdown

    parts = []
    for m in messages:
        if m.role == RECEIPT or m.meta:  # rarer, and with buttons: drawn by their components
            parts.append(to_xml(render_message(m)))
            continue
        body = render_markdown(m.content) if m.role == "assistant" else escape(m.content)
        parts.append(f'<div class="msg msg-{escape(m.role)}" id="msg-{m.id:d}"><small class="msg-who">'
                     f'{escape(LABELS.get(m.role, m.role))}</small><div class="msg-body">{body}</div></div>')
    return NotStr("\n".join(parts))


class Conversation:
    def __init__(self, db: Database, events: Broadcaster) -> None:
        self.db = db
        self.events = events

    def add(self, profile_id: int, role: str, content: str, app: str = "", *, broadcast: bool = True,
            exclude: str | None = None, meta: str | None = None) -> Message:
        if role not in ROLES:
            raise ValueError(f"unknown chat role {role!r}")
        msg = Message(profile_id=profile_id, role=role, content=content, app=app, created=now_iso(), meta=meta)
        # Plain SQL: the table helper's insert re-reads the schema and the new row (a fifth of a
        # workflow submit's server time, for a row whose every field is already here).
        with self.db.transaction() as conn:
            [(new_id,)] = conn.execute("INSERT INTO message (profile_id, role, content, app, created, meta) "
                                       "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                       (profile_id, role, content, app, msg.created, meta)).fetchall()
        msg.id = int(new_id)  # type: ignore[arg-type]  # an INTEGER PRIMARY KEY comes back as int
        if broadcast and self.events.client_count:
            self.events.publish("chat", to_xml(render_message(msg)), profile_id=profile_id, exclude=exclude)
        return msg

    def note(self, profile_id: int, text: str, app: str = "") -> Message:
        """A short line from an app or a workflow step, shown in the chat and kept in history."""
        return self.add(profile_id, "note", text, app)

    def get(self, profile_id: int, msg_id: int) -> Message | None:
        """One message of this profile (another profile's id is as good as missing)."""
        rows = self.db.messages(where="id = ? AND profile_id = ?", where_args=(msg_id, profile_id))
        return rows[0] if rows else None

    def set_content(self, msg: Message, content: str) -> Message:
        """Rewrite a message in place: a receipt's state, a collapsed app-switch line."""
        with self.db.transaction():
            self.db.conn.execute("UPDATE message SET content = ? WHERE id = ?", (content, msg.id))
        msg.content = content
        return msg

    def switched(self, profile_id: int, text: str, app: str) -> Message:
        """An app-switch line; a switch right after another one rewrites it instead of adding a line."""
        last = self.history(profile_id, limit=1)
        if last and last[0].role == "system" and last[0].content.startswith(SWITCH_PREFIX):
            with self.db.transaction():
                self.db.conn.execute("UPDATE message SET content = ?, app = ? WHERE id = ?", (text, app, last[0].id))
            last[0].content, last[0].app = text, app
            return last[0]
        return self.add(profile_id, "system", text, app)

    def history(self, profile_id: int, limit: int = 200) -> list[Message]:
        rows = self.db.messages(where="profile_id = ?", where_args=(profile_id,), order_by="id DESC", limit=limit)
        return list(reversed(rows))

    def clear(self, profile_id: int) -> int:
        with self.db.transaction():
            n: int = self.db.query("SELECT count(*) AS n FROM message WHERE profile_id = ?", (profile_id,))[0]["n"]
            self.db.conn.execute("DELETE FROM message WHERE profile_id = ?", (profile_id,))
        return n
