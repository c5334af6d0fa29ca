"""The CRUD base: declare a table, its fields and how one item renders; get routes and a live list.

Every change goes through the data methods (`insert_item`, `update_item`, `delete_item`,
`toggle_item`, `sort_items`), which the routes and the assistant's actions share. Each returns
only the changed fragment to the caller and broadcasts the same change over SSE as
`hx-swap-oob` fragments, so any other open page of the profile updates without a reload.
"""

from __future__ import annotations

from typing import Any, ClassVar

from fasthtml.common import FT, Button, Div, Form, Input, Label, Li, P, Safe, Span, Ul, to_xml
from starlette.requests import Request

from cardflow.actions import Action
from cardflow.actions.crud_actions import crud_actions, row_fields
from cardflow.db import parse_id
from cardflow.errors import Problem
from cardflow.fields import Field, ValidationError
from cardflow.plugins import AppPlugin
from cardflow.ui.components import FieldError, Fragments, NotFound

FACT_ROWS = 30  # rows named in the assistant's facts; a small model's context is short


class CrudApp(AppPlugin):
    table_name: ClassVar[str] = ""
    noun: ClassVar[str] = "item"
    fields: ClassVar[dict[str, Field]] = {}
    add_field: ClassVar[str] = "name"  # the one field of the quick-add box
    toggle_field: ClassVar[str | None] = None
    scoped: ClassVar[bool] = True  # rows carry profile_id and belong to the current profile
    unique_field: ClassVar[str | None] = None  # a field no two rows (of a profile, if scoped) may share
    # Requests for each verb ({"delete": "remove the cat task"}), priming the assistant (chat/choice.py).
    chat_examples: ClassVar[dict[str, str | tuple[str, ...]]] = {}
    deeds: ClassVar[bool] = False  # rows name things to do: "I called Bob" ticks "call Bob" (chat/deeds.py)

    # -- data -----------------------------------------------------------------------------
    @property
    def table(self) -> Any:
        return self.ctx.db.table(self.table_name)

    def items(self, profile_id: int) -> list[Any]:
        # Plain SQL into the row dataclass: fastlite's row → dict → dataclass path cost 2.5 µs a row,
        # and the whole list is drawn on every page load (the load test grows it to thousands).
        where, args = (" WHERE profile_id = ?", (profile_id,)) if self.scoped else ("", ())
        cls = self.table.cls
        return [cls(*row) for row in self.ctx.db.conn.execute(f"{self._select()}{where} ORDER BY priority, id", args)]

    def _select(self) -> str:
        return f"SELECT {self._columns()} FROM {self.table_name}"

    def _columns(self) -> str:
        return ", ".join(row_fields(self.table.cls)[0])

    def get_item(self, item_id: Any, profile_id: int) -> Any | None:
        ident = parse_id(item_id)
        if ident is None:
            return None
        found = self.ctx.db.conn.execute(f"{self._select()} WHERE id = ?", (ident,)).fetchone()
        item = self.table.cls(*found) if found is not None else None
        if item is None or (self.scoped and item.profile_id != profile_id):
            return None
        return item

    def clean(self, values: dict[str, Any], partial: bool = False) -> dict[str, Any]:
        """Validate the declared fields; unknown names are ignored, never written."""
        out = {}
        for name, field in self.fields.items():
            if partial and name not in values:
                continue
            try:
                out[name] = field.parse(values.get(name))
            except ValidationError as exc:
                raise ValidationError(str(exc), field=name) from None
        return out

    def check_unique(self, data: dict[str, Any], profile_id: int, item_id: int | None = None) -> None:
        name = self.unique_field
        if name is None or name not in data:
            return
        wanted = str(data[name]).casefold()
        if any(str(getattr(r, name)).casefold() == wanted and r.id != item_id for r in self.items(profile_id)):
            raise ValidationError(f"A {self.noun} named “{data[name]}” already exists: choose another {name}.",
                                  field=name)

    def insert_item(self, profile_id: int, values: dict[str, Any], *, origin: str | None = None) -> Any:
        data = self.clean(values)
        self.check_unique(data, profile_id)
        with self.ctx.db.transaction():
            top = self.ctx.db.query(f"SELECT coalesce(max(priority), -1) + 1 AS p FROM {self.table_name}"
                                    + (" WHERE profile_id = ?" if self.scoped else ""),
                                    (profile_id,) if self.scoped else ())[0]["p"]
            if self.scoped:
                data["profile_id"] = profile_id
            item = self.table.insert(priority=top, **data)
        self.after_change("insert", item, profile_id, origin)
        return item

    def update_item(self, item_id: Any, profile_id: int, values: dict[str, Any], *, origin: str | None = None) -> Any:
        item = self.get_item(item_id, profile_id)
        if item is None:
            raise LookupError(f"That {self.noun} was not found.")
        data = self.clean(values, partial=True)
        self.check_unique(data, profile_id, item.id)
        with self.ctx.db.transaction():
            item = self.table.update(id=item.id, **data)
        self.after_change("update", item, profile_id, origin)
        return item

    def toggle_item(self, item_id: Any, profile_id: int, *, origin: str | None = None) -> Any:
        item = self.get_item(item_id, profile_id)
        if item is None or not self.toggle_field:
            raise LookupError(f"That {self.noun} was not found.")
        with self.ctx.db.transaction() as conn:
            flipped = not bool(getattr(item, self.toggle_field))
            [row] = conn.execute(
                f"UPDATE {self.table_name} SET {self.toggle_field} = ? WHERE id = ? RETURNING {self._columns()}",
                (flipped, item.id)).fetchall()
            item = self.table.cls(*row)
        self.after_change("update", item, profile_id, origin)
        return item

    def delete_item(self, item_id: Any, profile_id: int, *, origin: str | None = None) -> Any:
        item = self.get_item(item_id, profile_id)
        if item is None:
            raise LookupError(f"That {self.noun} was not found.")
        with self.ctx.db.transaction():  # what belongs to the item goes in the same transaction
            self.before_delete(item)
            self.ctx.db.conn.execute(f"DELETE FROM {self.table_name} WHERE id = ?", (item.id,))
        self.after_change("delete", item, profile_id, origin)
        return item

    def sort_items(self, ids: list[Any], profile_id: int, *, origin: str | None = None) -> list[Any]:
        mine = {i.id for i in self.items(profile_id)}
        wanted = [parse_id(i) for i in ids]
        if None in wanted:
            raise ValidationError("The new order contains something that is not an id.")
        if set(wanted) != mine or len(wanted) != len(mine):
            raise ValidationError("The new order does not match the current list; reload and try again.")
        with self.ctx.db.transaction():
            for priority, item_id in enumerate(wanted):
                self.ctx.db.conn.execute(f"UPDATE {self.table_name} SET priority = ? WHERE id = ?", (priority, item_id))
        items = self.items(profile_id)
        self.after_change("sort", None, profile_id, origin)
        return items

    def before_delete(self, item: Any) -> None:
        """Override to remove what belongs to the item, or to refuse (raise ValidationError)."""

    def owned_rows(self, item: Any) -> list[tuple[str, Any, dict[str, Any]]]:
        """Rows that `before_delete` removes with the item, as (table, key, row), so undo can restore them."""
        return []

    # -- actions --------------------------------------------------------------------------
    def actions(self) -> list[Action]:
        """list, get, add, update, toggle, delete, clear and move, derived from the declared fields."""
        return crud_actions(self)

    def facts(self, profile_id: int) -> list[str]:
        """The app's description, then its rows: counts ("3 tasks: 2 not done, 1 done") and names in order."""
        rows = self.items(profile_id)
        plural = f"{self.noun}{'s' if len(rows) != 1 else ''}"
        count = f"{len(rows)} {plural}"
        if self.toggle_field:
            on = sum(bool(getattr(r, self.toggle_field)) for r in rows)
            count += f": {len(rows) - on} not {self.toggle_field}, {on} {self.toggle_field}"
        out = [*super().facts(profile_id), f"The user has {count}."]
        if rows:
            flag = self.toggle_field
            shown = [f"{i}. “{getattr(r, self.add_field)}”" + (f" ({flag})" if flag and getattr(r, flag) else "")
                     for i, r in enumerate(rows[:FACT_ROWS], 1)]
            more = f" and {len(rows) - FACT_ROWS} more" if len(rows) > FACT_ROWS else ""
            out.append(f"In order: {'; '.join(shown)}{more}.")
        return out

    # -- live updates ---------------------------------------------------------------------
    def after_change(self, op: str, item: Any, profile_id: int, origin: str | None) -> None:
        if not self.ctx.events.client_count:
            return  # no page is listening: skip rendering fragments nobody would receive
        self.ctx.events.publish("oob", to_xml(self.broadcast_fragments(op, item, profile_id)),
                                profile_id=profile_id if self.scoped else None, exclude=origin)

    def broadcast_fragments(self, op: str, item: Any, profile_id: int) -> Any:
        """What other pages swap in: the changed row (or the whole list after a sort) and the counts."""
        if op == "insert":
            row: Any = Ul(self.render_item(item), hx_swap_oob=f"beforeend:#{self.list_id}")
        elif op == "delete":
            row = Div(id=self.item_id(item), hx_swap_oob="delete")
        elif op == "sort":
            row = self.render_list(profile_id, oob=True)
        else:
            row = self.render_item(item, oob=True)
        return row, self.render_counts(profile_id, oob=True)

    # -- rendering ------------------------------------------------------------------------
    @property
    def list_id(self) -> str:
        return f"{self.name}-list"

    def item_id(self, item: Any) -> str:
        return f"{self.table_name}-{item.id}"

    def url(self, action: str, item: Any = None) -> str:
        return f"{self.path}/{item.id}/{action}" if item is not None else f"{self.path}/{action}"

    def render_item(self, item: Any, oob: bool = False) -> Any:
        """One row; apps override this to show more than the quick-add field."""
        from cardflow.ui.components import IconButton

        return Li(Span("⠿", cls="drag-handle", aria_hidden="true"),
                  Span(getattr(item, self.add_field), cls="item-name"),
                  IconButton("Edit", icon="✎", hx_get=self.url("edit", item), hx_target=f"#{self.item_id(item)}",
                             hx_swap="outerHTML"),
                  id=self.item_id(item), data_id=str(item.id), hx_swap_oob="true" if oob else None)

    def render_counts(self, profile_id: int, oob: bool = False) -> Any:
        rows, flag = self.items(profile_id), self.toggle_field  # how many are flagged: "Clear done" shows then
        n, flagged = len(rows), str(sum(bool(getattr(r, flag)) for r in rows)) if flag else None
        return Span(f"{n} {self.noun}{'s' if n != 1 else ''}", id=f"{self.name}-counts", cls="counts",
                    data_flagged=flagged, hx_swap_oob="true" if oob else None)

    def render_list(self, profile_id: int, oob: bool = False) -> Any:
        # The rows joined into one string first: to_xml's per-child work made a 1,500-row list 9 ms.
        rows = Safe("".join(str(to_xml(r)) if isinstance(r, FT) else str(r)
                            for r in map(self.render_item, self.items(profile_id))))
        return Ul(rows, id=self.list_id, cls="item-list", data_sort_url=self.url("sort"),
                  hx_swap_oob="true" if oob else None, aria_label=f"{self.title}")

    def render_add_form(self, value: str = "", error: str | None = None) -> Any:
        field = self.fields[self.add_field]
        error_id = f"{self.name}-add-error"
        return Form(
            Div(Input(name=self.add_field, id=f"{self.name}-add", value=value, placeholder=field.placeholder,
                      aria_label=f"New {self.noun}", aria_invalid="true" if error else None,
                      aria_describedby=error_id, autocomplete="off", autofocus=True, maxlength="500"),
                Button("Add", type="submit"), role="group"),
            FieldError(error, id=error_id),
            hx_post=self.url("insert"), hx_target="this", hx_swap="outerHTML", id=f"{self.name}-add-form",
        )

    def render(self, req: Request) -> Any:
        pid = self.ctx.current_profile_id()
        return Div(self.render_header(pid), self.render_add_form(), self.render_list(pid),
                   P(f"No {self.noun}s yet. Add one above.", cls="empty-state muted"), cls=f"crud {self.name}")

    def render_header(self, profile_id: int) -> Any:
        from fasthtml.common import H2

        flag = self.toggle_field
        clear = Button(f"Clear {flag}", cls="secondary outline clear-flagged", hx_post=self.url("clear"),
                       hx_swap="none", hx_confirm=f"Delete every {flag} {self.noun}? Activity can bring them back.",
                       ) if flag and self.scoped else None
        return Div(H2(self.title), self.render_counts(profile_id), clear, cls="crud-head")

    # -- routes ---------------------------------------------------------------------------
    def register(self) -> None:
        self.route("/insert", ["post"])(self._insert)
        self.route("/sort", ["post"])(self._sort)
        self.route("/{item_id}/view", ["get"])(self._view)
        self.route("/{item_id}/edit", ["get"])(self._edit)
        self.route("/{item_id}/update", ["post"])(self._update)
        self.route("/{item_id}/delete", ["post"])(self._delete)
        if self.toggle_field:
            self.route("/{item_id}/toggle", ["post"])(self._toggle)
        if self.toggle_field and self.scoped:
            self.route("/clear", ["post"])(self._clear)

    def render_edit(self, item: Any, values: dict[str, Any] | None = None, error: str | None = None) -> Any:
        """The inline edit form: one input per declared field. Escape or Cancel restores the row."""
        values = values or {}
        error_id = f"{self.item_id(item)}-error"
        inputs: list[Any] = []
        for name, field in self.fields.items():
            current = values.get(name, getattr(item, name, ""))
            widget = field.widget(name, current, invalid=bool(error), error_id=error_id)
            widget.attrs["id"] = f"{self.item_id(item)}-{name}"
            label = name.replace("_", " ").capitalize()
            widget.attrs["autofocus"] = not inputs or None
            if len(self.fields) > 1:  # several fields need visible labels; a single one is the row itself
                inputs.append(Label(label, widget, cls="edit-field"))
            else:
                widget.attrs["aria-label"] = label
                inputs.append(widget)
        return Li(
            Form(*inputs,
                 Button("Save", type="submit"),
                 Button("Cancel", type="button", cls="secondary", data_cancel="1", hx_get=self.url("view", item),
                        hx_target=f"#{self.item_id(item)}", hx_swap="outerHTML"),
                 hx_post=self.url("update", item), hx_target=f"#{self.item_id(item)}", hx_swap="outerHTML"),
            FieldError(error, id=error_id),
            id=self.item_id(item), data_id=str(item.id), cls="editing",
        )

    @staticmethod
    def origin(req: Request) -> str | None:
        return req.headers.get("x-cardflow-client")

    async def act(self, req: Request, verb: str, *, profile_id: int | None = None, **params: Any) -> Any:
        """Run this app's action `verb` for the page: the same path as MCP, the CLI and the assistant."""
        pid = self.ctx.current_profile_id() if profile_id is None else profile_id
        outcome = await self.ctx.actions.run(f"{self.name}.{verb}", params, actor="ui", profile_id=pid,
                                             origin=self.origin(req))
        return outcome.result

    def _fields_of(self, form: Any) -> dict[str, Any]:
        return {k: str(form.get(k)) for k in self.fields if k in form}

    async def _insert(self, req: Request) -> Any:
        form = await req.form()
        try:
            row = (await self.act(req, "add", **self._fields_of(form)))["item"]
        except Problem as exc:
            return self.render_add_form(str(form.get(self.add_field, "")), str(exc))
        item = self.table.get(row["id"])
        pid = self.ctx.current_profile_id()
        return self.render_add_form(), Ul(self.render_item(item), hx_swap_oob=f"beforeend:#{self.list_id}"), \
            self.render_counts(pid, oob=True)

    async def _view(self, req: Request, item_id: str) -> Any:
        item = self.get_item(item_id, self.ctx.current_profile_id())
        return self.render_item(item) if item else NotFound(f"That {self.noun}")

    async def _edit(self, req: Request, item_id: str) -> Any:
        item = self.get_item(item_id, self.ctx.current_profile_id())
        return self.render_edit(item) if item else NotFound(f"That {self.noun}")

    async def _update(self, req: Request, item_id: str) -> Any:
        pid = self.ctx.current_profile_id()
        form = await req.form()
        item = self.get_item(item_id, pid)
        if item is None:
            return NotFound(f"That {self.noun}")
        values = self._fields_of(form)
        try:
            if values:
                await self.act(req, "update", id=item.id, **values)
        except Problem as exc:
            return self.render_edit(item, dict(form), str(exc))
        return self.render_item(self.table.get(item.id))

    async def _toggle(self, req: Request, item_id: str) -> Any:
        ident = parse_id(item_id)
        # Read once: after the write the profile cache is stale, and asking again costs two queries.
        pid = self.ctx.current_profile_id()
        try:
            row = (await self.act(req, "toggle", id=ident, profile_id=pid))["item"] if ident else None
        except Problem as exc:
            if exc.status != 404:
                raise
            row = None
        if row is None:  # no such row in this profile, or deleted by another request
            return NotFound(f"That {self.noun}")
        # The row as the action left it: re-reading it would cost a query per click.
        return Fragments(self.render_item(self.table.cls(**row)), self.render_counts(pid, oob=True))

    async def _delete(self, req: Request, item_id: str) -> Any:
        pid = self.ctx.current_profile_id()
        item = self.get_item(item_id, pid)
        if item is None:
            return NotFound(f"That {self.noun}")
        try:
            await self.act(req, "delete", id=item.id)
        except Problem as exc:
            return self.toast_error(str(exc))
        return "", self.render_counts(pid, oob=True)

    async def _clear(self, req: Request) -> Any:
        """The header's "Clear done": every flagged row in one logged change (Activity undoes it)."""
        from cardflow.ui.components import Toast

        pid = self.ctx.current_profile_id()
        try:
            done = await self.ctx.actions.run(f"{self.name}.clear", {"which": self.toggle_field}, actor="ui",
                                              profile_id=pid, origin=self.origin(req))
        except Problem as exc:
            return self.toast_error(str(exc))
        return (self.render_list(pid, oob=True), self.render_counts(pid, oob=True),
                Div(Toast(done.summary), hx_swap_oob="beforeend:#toasts"))

    async def _sort(self, req: Request) -> Any:
        form = await req.form()
        ids = [i.strip() for i in str(form.get("ids", "")).split(",") if i.strip()]
        try:
            await self.act(req, "reorder", order=ids)
        except Problem as exc:
            return self.toast_error(str(exc))
        return ""

    @staticmethod
    def toast_error(message: str) -> Any:
        """Refuse without touching the row: a notice in the corner, nothing swapped in place."""
        from fasthtml.common import HtmxResponseHeaders

        from cardflow.ui.components import Toast

        return Div(Toast(message, "error"), hx_swap_oob="beforeend:#toasts"), HtmxResponseHeaders(reswap="none")

