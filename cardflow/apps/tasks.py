"""Tasks: a to-do list per profile, on the shared CRUD base (the assistant edits it too)."""

from __future__ import annotations

from html import escape
from typing import Any

from fasthtml.common import NotStr

from cardflow.crud import CrudApp
from cardflow.fields import Text


class Tasks(CrudApp):
    name = "tasks"
    title = "Tasks"
    order = 10
    description = "A to-do list for the current profile: add with Enter, tick, edit, drag to reorder, clear the done ones."
    prompt = ("The user is looking at their task list. You can add, rename, tick, delete and reorder tasks "
              "for them by emitting one JSON command, as described in your instructions.")
    table_name = "task"
    noun = "task"
    fields = {"name": Text(required=True, max_length=500, placeholder="Add a task and press Enter")}
    toggle_field = "done"
    deeds = True  # a task is a thing to do, written as one: "call Bob"
    # How people ask for each action, for the assistant's choice (chat/choice.py); invented rows.
    # Several forms each: a request, and the ways of saying it without the verb (a reminder for an
    # add, a statement that it is done for a toggle). The toggle's un-tick is asked for in its own
    # verb: without it, "uncheck …" and "uncomplete …" were read as a delete.
    chat_examples = {
        "list": ("show my tasks", "what's on my list?"),
        "get": "show the cat task",
        "add": ("add feed the cat to my list", "remind me to feed the cat", "new task: feed the cat"),
        "update": ("rename feed the cat to feed the dog", "change feed the cat to feed the dog"),
        "toggle": ("I fed the cat, tick it off", "the cat is fed", "untick feed the cat, it is not done yet"),
        "delete": ("remove the cat task", "delete feed the cat"),
        "clear": ("clear out the ticked-off ones", "get rid of everything on the list"),
        "move": ("put feed the cat at the top", "move the cat task to the bottom"),
    }

    def render_counts(self, profile_id: int, oob: bool = False) -> Any:
        row = self.ctx.db.query("SELECT count(*) AS n, coalesce(sum(done != 0), 0) AS done FROM task "
                                "WHERE profile_id = ?", (profile_id,))[0]
        total, done = int(row["n"]), int(row["done"])
        oob_attr = ' hx-swap-oob="true"' if oob else ""  # a template, like the rows: every write returns it
        return NotStr(f'<span id="{self.name}-counts" class="counts" data-flagged="{done}"{oob_attr} '
                      f'aria-live="polite">{total - done} open · {done} done</span>')

    def render_item(self, task: Any, oob: bool = False) -> Any:
        # A plain template rather than FT objects: lists draw every row, and this is ~20x cheaper
        # (0.2 ms → 0.01 ms a row). The task name is the only user text, and it is escaped.
        dom = self.item_id(task)
        target = f'hx-target="#{dom}" hx-swap="outerHTML"'
        done_cls = ' class="done"' if task.done else ""
        oob_attr = ' hx-swap-oob="true"' if oob else ""
        checked = " checked" if task.done else ""
        return NotStr(
            f'<li id="{dom}" data-id="{int(task.id)}"{done_cls}{oob_attr}>'
            '<span class="drag-handle" aria-hidden="true" title="Drag to reorder">⠿</span>'
            f'<input type="checkbox"{checked} hx-post="{self.url("toggle", task)}" aria-labelledby="{dom}-n" {target}>'
            f'<span class="item-name" id="{dom}-n">{escape(task.name)}</span>'
            f'<button class="icon-btn" aria-label="Edit task" title="Edit task" hx-get="{self.url("edit", task)}" '
            f'{target}>✎</button>'
            f'<button class="icon-btn" aria-label="Delete task" title="Delete task" hx-post="{self.url("delete", task)}" '
            f'hx-confirm="Delete this task?" {target}>✕</button></li>')
