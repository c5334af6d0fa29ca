"""The declarative workflow layer: a list of `Step`s becomes routes, cards and the chain reaction.

Each step's card is loaded by a placeholder with `hx_trigger="load"`: a finished step renders
locked (with a revert button) followed by the next step's empty, self-loading card, so opening a key replays
the chain up to the first open step, like "run all cells" in a notebook. All state is kept by
`Pipulate` under the key from the URL; nothing lives in globals, so two tabs never collide.

The route handlers here only parse the request, call one operation of `WorkflowOps` and render
its result with `cardflow.ui.cards`; a refusal is a raised `Problem`, rendered by the app.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, ClassVar
from urllib.parse import urlencode

from fasthtml.common import HtmxResponseHeaders
from loguru import logger
from starlette.requests import Request
from starlette.responses import Response

from cardflow.actions import Action, Outcome
from cardflow.actions.workflow_actions import flow_event, runs_event, workflow_actions
from cardflow.batch.actions import batch_actions
from cardflow.batch.routes import add_batch_routes, batch_link
from cardflow.datasteps.upload import upload_route
from cardflow.errors import Problem
from cardflow.fields import Checkbox, Field, Number, Radio, Select, Text, TextArea, Url, ValidationError
from cardflow.flow_extras import extra_actions
from cardflow.flow_extras import register_routes as register_extra_routes
from cardflow.flow_views import CardView, FlowView, KeyFormView, RunRow, RunsView
from cardflow.jobs import ACTIVE
from cardflow.pipeline import REVERTED
from cardflow.steps import Step, StepCall
from cardflow.ui import cards
from cardflow.workflow_ops import Finalized, UnknownKey, WorkflowOps

KEY_TABLE_ROWS = 25  # the table shows the newest runs; the key box (with its datalist) opens any
KEY_DATALIST = 200
HOOK_PREFIXES = ("render", "submit", "locked")
URL_CACHE = 4096


class Workflow(WorkflowOps):
    """Subclass, set `name`, `title` and `steps`; everything else has a working default."""

    order: ClassVar[int] = 50
    key_label: ClassVar[str] = "Key"
    key_help: ClassVar[str] = "Any name you will recognise later, such as a URL. Reuse a key to resume."

    def url(self, action: str, **params: Any) -> str:
        # Remembered: a card draws three or four, each a route look-up plus URL quoting (~6 µs), and
        # the same key's URLs come back on every click. Bounded, since keys are the user's.
        urls: dict[tuple[Any, ...], str] = self.__dict__.setdefault("_cf_urls", {})
        k = (action, *params.items())
        found = urls.get(k)
        if found is None:
            if len(urls) >= URL_CACHE:
                urls.clear()
            found = urls[k] = str(self.routes[action].to(**params))
        return found

    # -- routes ----------------------------------------------------------------------------
    def register(self) -> None:
        self.routes: dict[str, Any] = {}
        r = self.routes
        r["init"] = self.route("/init", ["post"])(self._init)
        r["step"] = self.route("/step/{step_id}", ["get"])(self._get_step)
        r["submit"] = self.route("/step/{step_id}", ["post"])(self._submit_step)
        r["revert"] = self.route("/revert/{step_id}", ["post"])(self._revert)
        r["finalize"] = self.route("/finalize", ["post"])(self._finalize)
        r["unfinalize"] = self.route("/unfinalize", ["post"])(self._unfinalize)
        r["delete"] = self.route("/delete", ["post"])(self._delete)
        r["export"] = self.route("/export", ["get"])(self._export)
        r["chain"] = self.route("/chain", ["get"])(self._get_chain)
        r["runs"] = self.route("/runs", ["get"])(self._get_runs)
        r["part"] = self.route("/part/{step_id}", ["get"])(self._get_part)  # a data step's partial (datasteps)
        r["upload"] = upload_route(self)  # a card with a file input posts here: streamed, never spooled whole
        self._warn_named_hooks()
        self.register_jobs()
        register_extra_routes(self)  # fork, compare, notebook, receipt (cardflow/flow_extras.py)
        add_batch_routes(self)  # /<app>/batch: many keys at once (cardflow/batch/)
        self.register_extra()

    def actions(self) -> list[Action]:
        """start, submit, revert, finalize… derived from `steps` (docs/actions.md); the routes call them too."""
        return [*workflow_actions(self), *extra_actions(self), *batch_actions(self)]

    def facts(self, profile_id: int) -> list[str]:
        """The description, the steps with their field kinds, the runs, and the latest run's state."""
        steps = "; ".join(f"{i}. {s.title}" + (f" ({type(s.field).__name__.lower()})" if s.field else "")
                          for i, s in enumerate(self.steps, 1))
        out = [*super().facts(profile_id), f"Its steps: {steps}."]
        runs = self.ctx.pipulate.count_keys(self.name, profile_id)
        out.append(f"This profile has {runs} run{'s' if runs != 1 else ''} ({self.key_label.lower()}s).")
        latest = self.ctx.pipulate.list_keys(self.name, profile_id=profile_id, limit=1)
        if latest:
            key = str(latest[0]["key"])
            state = self.ctx.pipulate.read_state(key)
            done = [s.title for s in self.steps if self.done(state, s)]
            nxt = self.first_open(state)
            out.append(f"The latest run is “{key}” ({latest[0]['status']}): {len(done)} of {len(self.steps)} steps "
                       "done" + (f", next step: {nxt.title}." if nxt else "."))
        return out

    def register_extra(self) -> None:
        """Override to add routes of a custom step (use `self.route`, and `self.routes` for `url`)."""

    def _warn_named_hooks(self) -> None:
        # Hooks used to be found by name; a method left with such a name would now be ignored silently.
        for step in self.steps:
            for prefix in HOOK_PREFIXES:
                method = getattr(type(self), f"{prefix}_{step.id}", None)
                if method is not None and method is not getattr(step, prefix):
                    logger.warning(f"{self.name}: {prefix}_{step.id} is not used: pass it as "
                                   f"Step({step.id!r}, …, {prefix}={prefix}_{step.id})")

    # -- views: what the cards show --------------------------------------------------------
    def flow_view(self) -> FlowView:
        # Built once: every card of every request needs it, and nothing in it changes after start-up.
        view: FlowView | None = self.__dict__.get("_cf_flow_view")
        if view is None:
            view = FlowView(name=self.name, title=self.title, description=self.description, path=self.path,
                            key_label=self.key_label, key_help=self.key_help, first_step=self.steps[0].id,
                            url=self.url, event=lambda key: flow_event(self.name, key),
                            runs_event=runs_event(self.name))
            self.__dict__["_cf_flow_view"] = view
        return view

    def key_form_view(self, value: str = "", error: str | None = None) -> KeyFormView:
        known = self.ctx.pipulate.list_keys(self.name, profile_id=self.ctx.current_profile_id(), limit=KEY_DATALIST)
        return KeyFormView(value=value or self.suggest_key(), error=error, known_keys=[k["key"] for k in known])

    def runs_view(self) -> RunsView:
        profile_id = self.ctx.current_profile_id()
        rows = self.ctx.pipulate.list_keys(self.name, profile_id=profile_id, limit=KEY_TABLE_ROWS)
        total = self.ctx.pipulate.count_keys(self.name, profile_id) if len(rows) == KEY_TABLE_ROWS else len(rows)
        return RunsView(rows=[RunRow(r["key"], r["updated"], r["status"]) for r in rows], total=total)

    def card_view(self, key: str, step: Step, state: dict[str, Any], *, error: str | None = None,
                  raw: Any = None, notice: str | None = None) -> CardView:
        ids = self.step_ids
        following = ids[ids.index(step.id) + 1] if ids.index(step.id) + 1 < len(ids) else None
        base = CardView(key=key, step_id=step.id, title=step.title, help=step.help, done=self.done(state, step),
                        finalized=bool(state.get("finalize", {}).get("finalized")), next_step=following,
                        notice=notice, job_step=step.job is not None)
        call = self.call(key, step, state)
        if base.done:
            value = step.locked(self, call) if step.locked else step.display(call.data)
            return replace(base, value=value)
        job = self.ctx.jobs.latest(key, step.id) if step.job is not None else None
        if job is not None and job.status in ACTIVE:
            return replace(base, running=job)
        if job is not None and job.status in ("failed", "cancelled", "interrupted") and not error:
            error = f"The last run {job.status}: {json.loads(job.detail or '{}').get('message', '')}"
        if step.render is not None:
            return replace(base, inputs=step.render(self, call), error=error, ran_before=job is not None)
        widget = None
        if step.field is not None:
            reverted = state.get(REVERTED) or {}
            value = raw if raw is not None else step.value_of(reverted[step.id]) if step.id in reverted else \
                self._suggestion(step, call.values)
            widget = step.field.widget(step.id, value, invalid=bool(error),
                                       error_id=cards.error_id(self.flow_view(), step.id))
        return replace(base, widget=widget, error=error, ran_before=job is not None)

    @staticmethod
    def _suggestion(step: Step, values: dict[str, Any]) -> Any:
        if step.suggest is None:
            return ""
        try:
            return step.suggest(values)
        except (KeyError, TypeError, ValueError):  # an earlier value it needs is missing or odd
            return ""

    def _step_card(self, key: str, step: Step, state: dict[str, Any], **kw: Any) -> Any:
        return cards.step_card(self.flow_view(), self.card_view(key, step, state, **kw))

    def _chain(self, key: str) -> Any:
        return cards.chain(self.flow_view(), key)

    def _key_table(self) -> Any:
        return cards.key_table(self.flow_view(), self.runs_view())

    # -- handlers --------------------------------------------------------------------------
    def render(self, req: Request) -> Any:
        raw = req.query_params.get("key")
        key, error = None, None
        if raw is not None:
            try:
                key = self.open_key(raw)
            except UnknownKey as exc:
                error = f"The key “{raw}” belongs to another workflow." if exc.owner else \
                    f"No saved workflow has the key “{raw}”. Start it below."
            except ValidationError as exc:
                error = str(exc)
        return cards.landing(self.flow_view(), self.key_form_view(key or "", error), self.runs_view(), key), \
            batch_link(self)

    def _key(self, req: Request) -> str:
        return self.open_key(req.query_params.get("key"))

    async def act(self, req: Request, verb: str, **params: Any) -> Outcome:
        """Run this workflow's action `verb` for the page: the same path as MCP, the CLI and the assistant."""
        return await self.ctx.actions.run(f"{self.name}.{verb}", params, actor="ui",
                                          profile_id=self.ctx.current_profile_id(),
                                          origin=req.headers.get("x-cardflow-client"))

    async def _init(self, req: Request) -> Any:
        raw = str((await req.form()).get("key") or "")
        try:
            key = (await self.act(req, "start", key=raw)).result["key"]
        except Problem as exc:  # shown at the key field, with what was typed
            value = raw if isinstance(exc, ValidationError) else raw.strip()
            return cards.key_error(self.flow_view(), self.key_form_view(value, str(exc)))
        table = self._key_table()
        table.attrs["hx-swap-oob"] = "true"  # the new run shows in "Saved runs" at once
        return cards.workspace(self.flow_view(), key), table, HtmxResponseHeaders(push_url=f"{self.path}?{urlencode({'key': key})}")

    async def _get_step(self, req: Request, step_id: str) -> Any:
        key = self._key(req)
        step = self.require_step(step_id)
        state = self.ctx.pipulate.read_state(key)
        open_step = self.first_open(state)
        if open_step is not None and self.step_ids.index(open_step.id) < self.step_ids.index(step.id):
            step = open_step  # a stale tab asked for a later card: show the step that is really next
        return self._step_card(key, step, state)

    async def _get_chain(self, req: Request) -> Any:
        return self._chain(self._key(req))

    async def _get_runs(self, req: Request) -> Any:
        return self._key_table()

    def _chain_and_runs(self, key: str) -> Any:
        """The chain, and "Saved runs" out of band: a finalize or revert changes a run's status."""
        table = self._key_table()
        table.attrs["hx-swap-oob"] = "true"
        return self._chain(key), table

    async def _submit_step(self, req: Request, step_id: str) -> Any:
        key = self._key(req)
        step = self.require_step(step_id)
        if getattr(step.kind, "receives_files", False):  # streamed to the data dir, never parsed into memory
            return await step.kind.receive(self, req, key, step)
        form = await req.form()
        # The form as a JSON value: a field step's values, or every field of a custom step's form.
        value: Any = {k: form.getlist(k) for k in form} if step.submit is not None else \
            (form.getlist(step.id) if step.id in form else None)
        try:
            outcome = await self.act(req, "job_start" if step.job is not None else "submit", key=key, step=step.id,
                                     value=value)
        except Finalized as exc:  # the card stays as it is, with the reason under it
            return self._step_card(key, step, self.ctx.pipulate.read_state(key), notice=str(exc))
        except ValidationError as exc:  # at the field, keeping what was typed
            return cards.open_card(self.flow_view(), self.card_view(
                key, step, self.ctx.pipulate.read_state(key), error=str(exc), raw=form.get(step.id)))
        # A job's task may already have moved the run on: read it then.
        state = self._state_after(outcome, key) if step.job is None else self.ctx.pipulate.read_state(key)
        return self._step_card(key, step, state)

    def _state_after(self, outcome: Outcome, key: str) -> dict[str, Any]:
        """The run as the action left it (its recorded row, so the card costs no second read), or
        as it is now when the action recorded no change to it."""
        for change in outcome.changes:
            if change.table == "pipeline" and change.key == key and change.after is not None:
                state: dict[str, Any] = json.loads(change.after["data"])
                return state
        return self.ctx.pipulate.read_state(key)

    async def _get_part(self, req: Request, step_id: str) -> Any:
        """A partial of a data step (a table page, a chart): its kind fetches and renders it."""
        key = self._key(req)
        step = self.require_step(step_id)
        if getattr(step.kind, "part", None) is None:
            raise Problem(f"The step “{step_id}” has no partial to show.", 404)
        return await step.kind.part(self, req, key, step)

    async def _revert(self, req: Request, step_id: str) -> Any:
        key = self._key(req)
        self.require_step(step_id)  # the page's own wording for a step that does not exist
        await self.act(req, "revert", key=key, step=step_id)
        return self._chain_and_runs(key)

    async def _finalize(self, req: Request) -> Any:
        key = self._key(req)
        try:
            await self.act(req, "finalize", key=key)
        except Problem:
            pass  # a step was reopened meanwhile (another tab): the chain shows which
        return self._chain_and_runs(key)

    async def _unfinalize(self, req: Request) -> Any:
        key = self._key(req)
        await self.act(req, "unfinalize", key=key)
        return self._chain_and_runs(key)

    async def _delete(self, req: Request) -> Any:
        key = self.clean_key(req.query_params.get("key"))
        try:
            await self.act(req, "delete", key=key)
        except UnknownKey:
            pass  # already gone (a double click, another tab): the table shows what is left
        return self._key_table()

    async def _export(self, req: Request) -> Response:
        key = self._key(req)
        body = json.dumps(self.export(key), indent=2)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:80] or "workflow"
        return Response(body, media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{self.name}-{safe}.json"'})


__all__ = ["Checkbox", "Field", "Number", "Radio", "Select", "Step", "StepCall", "Text", "TextArea", "Url",
           "ValidationError", "Workflow"]
