"""The declarative workflow layer: a list of `Step`s becomes routes, cards and the chain reaction.

Each step's card is loaded by a placeholder with `hx_trigger="load"`: a finished step renders
locked (with a revert button) followed by the next step's empty, self-loading card, so opening a key replays
the chain up to the first open step, like "run all cells" in a notebook. All state is kept by
`Pipulate` under the key from the URL; nothing lives in globals, so two tabs never collide.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from cardflow.fields import Checkbox, Field, Number, Radio, Select, Text, TextArea, Url, ValidationError
from cardflow.jobs import JobKind
from cardflow.plugins import AppPlugin
from cardflow.ui import cards

KEY_MAX = 200
KEY_PATTERN = re.compile(r"[^\x00-\x1f\x7f]+")


@dataclass
class Step:
    """One card. `field` reads one value; `render`/`submit` hooks let a step do anything."""

    id: str
    title: str
    field: Field | None = None
    suggest: Callable[[dict[str, Any]], Any] | None = None
    help: str = ""
    # Hooks: render(wf, key, values) -> FT for the open card's inputs;
    # submit(wf, key, form, values) -> dict to save (raise ValidationError to refuse).
    render: Callable[..., Any] | None = None
    submit: Callable[..., dict[str, Any]] | None = None
    message: Callable[[Any], str] | None = None
    # A job step: `job(ctx)` runs in the background with a live progress bar; what it returns
    # is saved as the step's data. `field` (optional) is asked first and passed as ctx.params.
    job: Callable[..., Any] | str | None = None
    resumable: bool = False
    options: dict[str, Any] = dataclass_field(default_factory=dict)

    def value_of(self, data: dict[str, Any] | None) -> Any:
        return (data or {}).get(self.id)

    def display(self, data: dict[str, Any]) -> str:
        value = self.value_of(data)
        if self.field is not None:
            return self.field.display(value)
        return "" if value is None else str(value)


class Workflow(AppPlugin):
    """Subclass, set `name`, `title` and `steps`; everything else has a working default."""

    steps: ClassVar[list[Step]] = []
    order: ClassVar[int] = 50
    key_label: ClassVar[str] = "Key"
    key_help: ClassVar[str] = "Any name you will recognise later, such as a URL. Reuse a key to resume."

    # -- state helpers ---------------------------------------------------------------------
    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def values(self, state: dict[str, Any]) -> dict[str, Any]:
        """Each finished step's main value by step id: what `suggest=` lambdas receive."""
        out = {}
        for s in self.steps:
            data = state.get(s.id)
            if isinstance(data, dict):
                out[s.id] = data.get(s.id, data)
        return out

    def done(self, state: dict[str, Any], step: Step) -> bool:
        return isinstance(state.get(step.id), dict)

    def first_open(self, state: dict[str, Any]) -> Step | None:
        return next((s for s in self.steps if not self.done(state, s)), None)

    def suggest_key(self) -> str:
        profile = self.ctx.db.profiles.get(self.ctx.current_profile_id(), default=None)
        prefix = re.sub(r"[^a-z0-9]+", "-", (profile.name if profile else "key").lower()).strip("-") or "key"
        n = self.ctx.pipulate.count_keys(self.name) + 1
        while self.ctx.pipulate.exists(f"{prefix}-{self.name}-{n:02d}"):
            n += 1
        return f"{prefix}-{self.name}-{n:02d}"

    @staticmethod
    def clean_key(raw: Any) -> str:
        key = str(raw or "").strip()
        if not key:
            raise ValidationError("Type a key to start or resume a workflow.")
        if len(key) > KEY_MAX:
            raise ValidationError(f"Keys are at most {KEY_MAX} characters.")
        if not KEY_PATTERN.fullmatch(key):
            raise ValidationError("Keys cannot contain control characters.")
        return key

    def url(self, action: str, **params: Any) -> str:
        return self.routes[action].to(**params)

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
        for step in self.steps:
            if step.job is not None:
                # `job="method_name"` binds a workflow method; a callable gets the workflow as its first argument.
                run = getattr(self, step.job) if isinstance(step.job, str) else functools.partial(step.job, self)
                self.ctx.jobs.register(JobKind(self.job_kind(step), run, resumable=step.resumable,
                                               on_done=self._job_done))
        self.register_extra()

    def job_kind(self, step: Step) -> str:
        return f"{self.name}.{step.id}"

    def _job_done(self, job: Any, result: dict[str, Any]) -> None:
        step = self.step(job.step)
        if step is None or not self.ctx.pipulate.exists(job.pipeline_key):
            return
        data = {step.id: result.get(step.id, result), **{k: v for k, v in result.items() if k != step.id}}
        self.ctx.pipulate.set_step_data(job.pipeline_key, step.id, data)
        self.announce(step, data)

    def register_extra(self) -> None:
        """Override to add routes of a custom step."""

    def render(self, req: Request) -> Any:
        raw = req.query_params.get("key")
        key, error = None, None
        if raw is not None:
            try:
                key = self.clean_key(raw)
            except ValidationError as exc:
                error = str(exc)
        if key and not self.ctx.pipulate.exists(key):
            key, error = None, f"No saved workflow has the key “{raw}”. Start it below."
        if key and self.ctx.pipulate.app_of(key) not in (self.name, ""):
            key, error = None, f"The key “{raw}” belongs to another workflow."
        return cards.landing(self, key, error)

    def _key_or_error(self, req: Request) -> tuple[str | None, Any]:
        try:
            key = self.clean_key(req.query_params.get("key"))
        except ValidationError as exc:
            return None, cards.Problem(str(exc))
        if not self.ctx.pipulate.exists(key):
            return None, cards.Problem("This workflow key does not exist any more. Start again from the key box.")
        return key, None

    async def _init(self, req: Request) -> Any:
        form = await req.form()
        try:
            key = self.clean_key(form.get("key"))
        except ValidationError as exc:
            return cards.key_error(self, str(form.get("key") or ""), str(exc))
        owner = self.ctx.pipulate.app_of(key)
        if owner not in (None, self.name, ""):
            return cards.key_error(self, key, f"“{key}” is already used by the {owner} workflow: choose another key.")
        self.ctx.pipulate.initialize_if_missing(key, {"app_name": self.name,
                                                      "profile_id": self.ctx.current_profile_id()})
        table = cards.key_table(self)
        table.attrs["hx-swap-oob"] = "true"  # the new run shows in "Saved runs" at once
        return cards.workspace(self, key), table, _push_url(f"{self.path}?{_qs(key=key)}")

    def _key_and_step(self, req: Request, step_id: str) -> tuple[str | None, Step | None, Any]:
        key, problem = self._key_or_error(req)
        step = self.step(step_id) if problem is None else None
        if problem is None and step is None:
            problem = cards.Problem(f"This workflow has no step “{step_id}”.")
        return key, step, problem

    async def _get_step(self, req: Request, step_id: str) -> Any:
        key, step, problem = self._key_and_step(req, step_id)
        if problem is not None:
            return problem
        state = self.ctx.pipulate.read_state(key)
        open_step = self.first_open(state)
        if open_step is not None and self.step_ids.index(open_step.id) < self.step_ids.index(step.id):
            step = open_step  # a stale tab asked for a later card: show the step that is really next
        return cards.step_card(self, key, step, state)

    async def _submit_step(self, req: Request, step_id: str) -> Any:
        key, step, problem = self._key_and_step(req, step_id)
        if problem is not None:
            return problem
        state = self.ctx.pipulate.read_state(key)
        if self.ctx.pipulate.is_finalized(key):
            return cards.step_card(self, key, step, state, notice="This workflow is finalized: unlock it to change a step.")
        form = await req.form()
        if step.job is not None:
            return self._start_job(step, key, form, state)
        try:
            data = await self.process(step, key, form, state)
        except ValidationError as exc:
            return cards.open_card(self, key, step, state, error=str(exc), raw=form.get(step.id))
        state = self.ctx.pipulate.set_step_data(key, step.id, data)
        self.announce(step, data)
        return cards.step_card(self, key, step, state)

    def _start_job(self, step: Step, key: str, form: FormData, state: dict[str, Any]) -> Any:
        running = self.ctx.jobs.latest(key, step.id)
        if running is not None and running.status in ("running", "queued"):
            return cards.open_card(self, key, step, state)  # a double click never starts a second job
        params: dict[str, Any] = {"values": self.values(state)}
        if step.field is not None:
            try:
                params[step.id] = step.field.parse(form.getlist(step.id) if step.id in form else None)
            except ValidationError as exc:
                return cards.open_card(self, key, step, state, error=str(exc), raw=form.get(step.id))
        self.ctx.jobs.start(self.job_kind(step), key=key, step=step.id, params=params)
        return cards.open_card(self, key, step, state)

    async def process(self, step: Step, key: str, form: FormData, state: dict[str, Any]) -> dict[str, Any]:
        """Turn the submitted form into the step's saved data; raise ValidationError to refuse."""
        hook = step.submit or getattr(self, f"submit_{step.id}", None)
        if hook is not None:
            result = hook(self, key, form, self.values(state)) if step.submit else hook(key, form, self.values(state))
            if hasattr(result, "__await__"):
                result = await result
            return result
        if step.field is None:
            return {step.id: True}
        raw = form.getlist(step.id) if step.id in form else None
        return {step.id: step.field.parse(raw)}

    def announce(self, step: Step, data: dict[str, Any]) -> None:
        text = step.message(step.value_of(data)) if step.message else f"{self.title} · {step.title}: {step.display(data)}"
        self.ctx.conversation.note(self.ctx.current_profile_id(), text[:300], app=self.name)

    async def _revert(self, req: Request, step_id: str) -> Any:
        key, problem = self._key_or_error(req)
        if problem is not None:
            return problem
        if step_id not in self.step_ids:
            return cards.Problem(f"This workflow has no step “{step_id}”.")
        self.ctx.pipulate.revert(key, step_id, order=self.step_ids)
        return cards.chain(self, key)

    async def _finalize(self, req: Request) -> Any:
        key, problem = self._key_or_error(req)
        if problem is not None:
            return problem
        if self.first_open(self.ctx.pipulate.read_state(key)) is not None:
            return cards.chain(self, key)  # not every step is done: nothing to finalize yet
        self.ctx.pipulate.finalize(key)
        self.ctx.conversation.note(self.ctx.current_profile_id(), f"{self.title}: “{key}” finalized.", app=self.name)
        return cards.chain(self, key)

    async def _unfinalize(self, req: Request) -> Any:
        key, problem = self._key_or_error(req)
        if problem is not None:
            return problem
        self.ctx.pipulate.unfinalize(key)
        return cards.chain(self, key)

    async def _delete(self, req: Request) -> Any:
        try:
            key = self.clean_key(req.query_params.get("key"))
        except ValidationError as exc:
            return cards.Problem(str(exc))
        if self.ctx.pipulate.app_of(key) == self.name:
            self.ctx.pipulate.delete(key)
            self.on_delete(key)
        return cards.key_table(self)

    def on_delete(self, key: str) -> None:
        """Override to remove what a run left outside the state blob (files, caches)."""

    async def _export(self, req: Request) -> Any:
        key, problem = self._key_or_error(req)
        if problem is not None:
            return Response("That workflow key does not exist.", status_code=404)
        body = json.dumps({"key": key, "app": self.name, "state": self.ctx.pipulate.read_state(key)}, indent=2)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:80] or "workflow"
        return Response(body, media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{self.name}-{safe}.json"'})


def _qs(**params: Any) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _push_url(url: str) -> Any:
    from fasthtml.common import HtmxResponseHeaders

    return HtmxResponseHeaders(push_url=url)


__all__ = ["Checkbox", "Number", "Radio", "Select", "Step", "Text", "TextArea", "Url", "ValidationError", "Workflow"]
