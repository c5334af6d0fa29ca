"""Tasks: a to-do list per profile, on the shared CRUD base (the assistant edits it too)."""

from __future__ import annotations

from typing import Any

from fasthtml.common import Input, Li, Span

from cardflow.crud import CrudApp
from cardflow.fields import Text
from cardflow.ui.components import IconButton


class Tasks(CrudApp):
    name = "tasks"
    title = "Tasks"
    order = 10
    description = "A to-do list for the current profile: add with Enter, tick, edit, drag to reorder."
    prompt = ("The user is looking at their task list. You can add, rename, tick, delete and reorder tasks "
              "for them by emitting one JSON command, as described in your instructions.")
    table_name = "task"
    noun = "task"
    fields = {"name": Text(required=True, max_length=500, placeholder="Add a task and press Enter")}
    toggle_field = "done"

    def render_counts(self, profile_id: int, oob: bool = False) -> Any:
        row = self.ctx.db.query("SELECT count(*) AS n, coalesce(sum(done != 0), 0) AS done FROM task "
                                "WHERE profile_id = ?", (profile_id,))[0]
        total, done = row["n"], row["done"]
        return Span(f"{total - done} open · {done} done", id=f"{self.name}-counts", cls="counts",
                    hx_swap_oob="true" if oob else None, aria_live="polite")

    def render_item(self, task: Any, oob: bool = False) -> Any:
        dom = self.item_id(task)
        target = {"hx_target": f"#{dom}", "hx_swap": "outerHTML"}
        return Li(
            Span("⠿", cls="drag-handle", aria_hidden="true", title="Drag to reorder"),
            Input(type="checkbox", checked=bool(task.done), hx_post=self.url("toggle", task),
                  aria_labelledby=f"{dom}-n", **target),
            Span(task.name, cls="item-name", id=f"{dom}-n"),
            IconButton("Edit task", icon="✎", hx_get=self.url("edit", task), **target),
            IconButton("Delete task", icon="✕", hx_post=self.url("delete", task), hx_confirm="Delete this task?",
                       **target),
            id=dom, data_id=str(task.id), cls="done" if task.done else None,
            hx_swap_oob="true" if oob else None,
        )
