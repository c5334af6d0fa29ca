"""Activity: every change made in this profile, by whom, newest first, each with Undo."""

from __future__ import annotations

from typing import Any

from fasthtml.common import FT, H2, Button, Div, Form, Label, Li, Option, P, Select, Small, Span, Ul
from starlette.requests import Request

from cardflow.actions import ACTORS, Action, Call
from cardflow.actions import log as action_log
from cardflow.actions.schema import integer, obj, string
from cardflow.actions.undo import pipeline_keys, tables_of, undo_entry, undone_by
from cardflow.actions.workflow_actions import flow_event, runs_event
from cardflow.crud import CrudApp
from cardflow.db import parse_id
from cardflow.errors import Problem
from cardflow.plugins import AppPlugin
from cardflow.ui.components import Toast

ACTOR_LABELS = {"ui": "you", "assistant": "assistant", "mcp": "MCP", "cli": "CLI"}
SHOWN = 100


class Activity(AppPlugin):
    name = "activity"
    title = "Activity"
    order = 95
    description = "Every change made in this profile (by you, the assistant, MCP or the CLI), newest first, " \
                  "each with Undo."
    prompt = "The user is looking at the activity log: what changed, who changed it, and Undo buttons."

    # -- actions ---------------------------------------------------------------------------
    def actions(self) -> list[Action]:
        def list_(call: Call) -> dict[str, Any]:
            entries = action_log.recent(call.ctx.db, call.profile_id, actor=call.params.get("actor"),
                                        limit=call.params.get("limit", 50))
            return {"entries": [{"id": e.id, "created": e.created, "actor": e.actor, "action": e.action,
                                 "summary": e.summary} for e in entries]}

        def undo(call: Call) -> dict[str, Any]:
            changes = undo_entry(call, call.params["id"])
            self.refresh_pages(changes, call.profile_id, call.origin)
            return {"undone": call.params["id"]}

        return [
            Action("activity.list", "List the changes made in this profile, newest first (by actor if given).", list_,
                   obj({"actor": string("ui, assistant, mcp or cli", enum=list(ACTORS)),
                        "limit": integer("At most this many.", minimum=1, maximum=500)}), read_only=True, app="",
                   examples=("what did you change?",)),
            Action("activity.undo", "Undo one logged change by its activity id (refused if the rows changed "
                   "since). An undo can itself be undone.", undo, obj({"id": integer("The activity id.", minimum=1)},
                                                                      ["id"]), app=""),
        ]

    def refresh_pages(self, changes: list[dict[str, Any]], profile_id: int, origin: str | None) -> None:
        """Open pages show the restored rows: CRUD lists re-render, workflow chains reload."""
        tables = tables_of(changes)
        for plugin in self.ctx.registry.plugins:
            if isinstance(plugin, CrudApp) and plugin.table_name in tables:
                plugin.after_change("sort", None, profile_id, origin)
        for app, key in pipeline_keys(changes):
            self.ctx.events.publish(flow_event(app, key), "changed", profile_id=profile_id, exclude=origin)
            self.ctx.events.publish(runs_event(app), "changed", profile_id=profile_id, exclude=origin)

    # -- page ------------------------------------------------------------------------------
    def register(self) -> None:
        self.route("/list")(self._list)
        self.route("/undo/{entry_id}", ["post"])(self._undo)

    def render(self, req: Request) -> FT:
        actor = req.query_params.get("actor") or None
        return Div(H2(self.title), P(self.description, cls="muted"), self.filter_form(actor),
                   self.entries(actor), cls="activity")

    def filter_form(self, actor: str | None) -> FT:
        options = [Option("Everyone", value="", selected=actor is None)]
        options += [Option(ACTOR_LABELS[a].capitalize(), value=a, selected=actor == a) for a in ACTORS]
        return Form(Label("Show changes by", Select(*options, name="actor", id="activity-actor")),
                    hx_get=f"{self.path}/list", hx_trigger="change", hx_target="#activity-list",
                    hx_swap="outerHTML", cls="activity-filter")

    def entries(self, actor: str | None) -> FT:
        pid = self.ctx.current_profile_id()
        rows = action_log.recent(self.ctx.db, pid, actor=actor if actor in ACTORS else None, limit=SHOWN)
        reversed_by = undone_by(self.ctx.db, pid)
        if not rows:
            return Div(P("Nothing has changed yet in this profile.", cls="muted"), id="activity-list")
        items = []
        for e in rows:
            undone = reversed_by.get(e.id)
            items.append(Li(
                Span(f"#{e.id}", cls="activity-id"), " ",
                Small(e.created[:19].replace("T", " "), cls="muted"), " ",
                Span(ACTOR_LABELS.get(e.actor, e.actor), cls=f"actor actor-{e.actor}"), " ",
                Span(e.summary or e.action, cls="activity-summary"), " ",
                Small(e.action, cls="muted"),
                Small(f" · undone by #{undone}", cls="muted") if undone else None,
                Button("Undo", cls="secondary outline", hx_post=f"{self.path}/undo/{e.id}",
                       hx_target="#activity-list", hx_swap="outerHTML", aria_label=f"Undo #{e.id}"),
                id=f"activity-{e.id}", cls="activity-entry"))
        return Ul(*items, id="activity-list", cls="activity-list")

    async def _list(self, req: Request) -> FT:
        return self.entries(req.query_params.get("actor") or None)

    async def _undo(self, req: Request, entry_id: str) -> Any:
        ident = parse_id(entry_id)
        try:
            if ident is None:
                raise Problem("That is not an activity id.", 404)
            outcome = await self.ctx.actions.run("activity.undo", {"id": ident}, actor="ui",
                                                 origin=req.headers.get("x-cardflow-client"))
            toast = Toast(outcome.summary)
        except Problem as exc:
            toast = Toast(str(exc), "error")
        return self.entries(None), Div(toast, hx_swap_oob="beforeend:#toasts")
