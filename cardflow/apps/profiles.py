"""Profiles: the clients or projects the user works for. Tasks, chat history and workflow keys follow."""

from __future__ import annotations

from typing import Any

from fasthtml.common import Input, Li, Small, Span

from cardflow.actions import Action
from cardflow.actions.shell_actions import switch_profile_action
from cardflow.crud import CrudApp
from cardflow.fields import Text, ValidationError
from cardflow.page_profile import page_profile
from cardflow.ui.components import IconButton
from cardflow.ui.layout import profile_menu


class Profiles(CrudApp):
    name = "profiles"
    title = "Profiles"
    order = 90
    description = "Clients or projects you work for: each has its own tasks, chat and workflow runs."
    prompt = "The user is managing profiles (clients or projects). Help them name and organise them."
    table_name = "profile"
    noun = "profile"
    scoped = False
    toggle_field = "active"
    unique_field = "name"
    # How people ask for each action, for the assistant's choice (chat/choice.py); invented rows.
    chat_examples = {"list": "show my profiles", "get": "show the Acme profile", "add": "add a profile for Acme Ltd",
                     "update": "rename Acme to Acme Ltd", "toggle": "Acme is no longer active",
                     "delete": "remove the Acme profile", "move": "put Acme at the top"}
    fields = {
        "name": Text(required=True, max_length=200, placeholder="New profile name, then Enter"),
        "real_name": Text(max_length=200),
        "address": Text(max_length=500),
        "code": Text(max_length=50),
    }

    def owned_counts(self, profile_id: int) -> tuple[int, int]:
        tasks = self.ctx.db.query("SELECT count(*) AS n FROM task WHERE profile_id = ?", (profile_id,))[0]["n"]
        keys = self.ctx.db.query("SELECT count(*) AS n FROM pipeline WHERE profile_id = ?", (profile_id,))[0]["n"]
        return tasks, keys

    def render_item(self, profile: Any, oob: bool = False) -> Any:
        dom = self.item_id(profile)
        target = {"hx_target": f"#{dom}", "hx_swap": "outerHTML"}
        tasks, keys = self.owned_counts(profile.id)
        details = " · ".join(x for x in (profile.real_name, profile.address, profile.code) if x)
        current = profile.id == self.ctx.current_profile_id()
        return Li(
            Span("⠿", cls="drag-handle", aria_hidden="true", title="Drag to reorder"),
            Input(type="checkbox", role="switch", checked=bool(profile.active), hx_post=self.url("toggle", profile),
                  aria_label="Active", title="Active profiles appear in the profile menu", **target),
            Span(profile.name, Small(f" — {details}") if details else None,
                 Small(" (current)") if current else None, cls="item-name", id=f"{dom}-n"),
            IconButton("Edit profile", icon="✎", hx_get=self.url("edit", profile), **target),
            IconButton("Delete profile", icon="✕", hx_post=self.url("delete", profile),
                       hx_confirm=f"Delete this profile together with its {tasks} task(s) and {keys} workflow key(s)? "
                                  "Activity can undo it.", **target),
            id=dom, data_id=str(profile.id), cls=None if profile.active else "inactive",
            hx_swap_oob="true" if oob else None,
        )

    def actions(self) -> list[Action]:
        return [*super().actions(), switch_profile_action(self.name)]

    def owned_rows(self, profile: Any) -> list[tuple[str, Any, dict[str, Any]]]:
        rows: list[tuple[str, Any, dict[str, Any]]] = []
        for table, key in (("task", "id"), ("pipeline", "key"), ("message", "id")):
            for r in self.ctx.db.query(f"SELECT * FROM {table} WHERE profile_id = ?", (profile.id,)):
                rows.append((table, r[key], r))
        return rows

    def before_delete(self, profile: Any) -> None:
        if len(self.items(0)) <= 1:
            raise ValidationError("This is the only profile: add another before deleting it.")
        with self.ctx.db.transaction():
            self.ctx.db.conn.execute("DELETE FROM task WHERE profile_id = ?", (profile.id,))
            keys = [r["key"] for r in self.ctx.db.query("SELECT key FROM pipeline WHERE profile_id = ?", (profile.id,))]
            for key in keys:
                self.ctx.pipulate.delete(key)
            self.ctx.db.conn.execute("DELETE FROM message WHERE profile_id = ?", (profile.id,))
            if self.ctx.db.store.get("last_profile_id") == profile.id:
                del self.ctx.db.store["last_profile_id"]

    def after_change(self, op: str, item: Any, profile_id: int, origin: str | None) -> None:
        if op == "delete" and self.ctx.db.store.get("last_profile_id") is None:
            others = [p for p in self.items(0) if p.id != item.id]
            if others:
                self.ctx.db.store["last_profile_id"] = others[0].id
        super().after_change(op, item, profile_id, origin)
        if not self.ctx.events.client_count:
            return
        # The profile menu in every open page follows renames, (de)activation and order. Each page
        # gets the menu drawn for the profile it shows: one drawn for the page that made the change
        # would mark that page's profile as current in every other tab.
        for pid in sorted(self.ctx.events.profile_ids()):
            token = page_profile.set(pid)
            try:
                menu = str(profile_menu(self.ctx, oob=True))
            finally:
                page_profile.reset(token)
            self.ctx.events.publish("oob", menu, profile_id=pid)
