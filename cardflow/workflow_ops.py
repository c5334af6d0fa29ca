"""What a workflow can do, without HTML: open a key, save a step, revert, finalize, export, run a job.

The web routes (`cardflow.workflow`), the notebook, and any other caller use these same methods,
so a value is validated the same way wherever it comes from. Refusals are raised as `Problem`
(`ValidationError` for the user's input, with `field` naming the step); whoever called renders them.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from starlette.datastructures import FormData

from cardflow.db import Job
from cardflow.errors import NotFoundProblem, Problem
from cardflow.fields import Raw, ValidationError
from cardflow.jobs import ACTIVE, JobKind
from cardflow.plugins import AppPlugin
from cardflow.steps import Step, StepCall, as_form

KEY_MAX = 200
KEY_PATTERN = re.compile(r"[^\x00-\x1f\x7f]+")
FINALIZED = "This workflow is finalized: unlock it to change a step."


# Set by a batch while it runs rows: each saved step would otherwise post its own chat note (60
# notes for a 20-row Hello batch); the batch posts one summary note when it ends instead.
QUIET_NOTES: contextvars.ContextVar[bool] = contextvars.ContextVar("cardflow_quiet_notes", default=False)


class UnknownKey(NotFoundProblem):
    """No run of this workflow has the key: never made, deleted, another app's or another profile's."""

    def __init__(self, key: str, owner: str | None = None) -> None:
        self.key, self.owner = key, owner  # `owner`: the other app that has the key, when there is one
        super().__init__(f"The key “{key}” belongs to another workflow." if owner else
                         f"There is no saved run with the key “{key}” (it may have been deleted). "
                         "Start it again from the key box.")


class Finalized(Problem):
    """The run is locked; nothing in it changes until it is unlocked."""

    status = 409

    def __init__(self) -> None:
        super().__init__(FINALIZED)


def _raw(form: FormData, name: str) -> Raw:
    # Absent (an unticked checkbox, a JSON caller that left it out) is not the same as empty.
    return [str(v) for v in form.getlist(name)] if name in form else None


def _with_field(exc: ValidationError, step: Step) -> None:
    if exc.field is None:
        exc.field = step.id


class WorkflowOps(AppPlugin):
    """The steps and the operations on a run; `Workflow` adds the routes and cards."""

    steps: ClassVar[list[Step]] = []

    # -- steps and state -------------------------------------------------------------------
    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def require_step(self, step_id: str) -> Step:
        step = self.step(step_id)
        if step is None:
            raise NotFoundProblem(f"This workflow has no step “{step_id}”.")
        return step

    def values(self, state: dict[str, Any]) -> dict[str, Any]:
        """Each finished step's main value by step id: what `suggest=` functions receive."""
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

    def call(self, key: str, step: Step, state: dict[str, Any], form: FormData | None = None) -> StepCall:
        return StepCall(key=key, step=step, state=state, values=self.values(state), form=form)

    # -- keys ------------------------------------------------------------------------------
    @staticmethod
    def clean_key(raw: Any) -> str:
        key = str(raw or "").strip()
        if not key:
            raise ValidationError("Type a key to start or resume a workflow.", field="key")
        if len(key) > KEY_MAX:
            raise ValidationError(f"Keys are at most {KEY_MAX} characters.", field="key")
        if not KEY_PATTERN.fullmatch(key):
            raise ValidationError("Keys cannot contain control characters.", field="key")
        return key

    def suggest_key(self) -> str:
        profile = self.ctx.db.profiles.get(self.ctx.current_profile_id(), default=None)
        prefix = re.sub(r"[^a-z0-9]+", "-", (profile.name if profile else "key").lower()).strip("-") or "key"
        n = self.ctx.pipulate.count_keys(self.name) + 1
        while self.ctx.pipulate.exists(f"{prefix}-{self.name}-{n:02d}"):
            n += 1
        return f"{prefix}-{self.name}-{n:02d}"

    def _profile_of(self, key: str) -> int:
        rows = self.ctx.db.query("SELECT profile_id FROM pipeline WHERE key = ?", (key,))
        return int(rows[0]["profile_id"] or 0) if rows else 0

    def open_key(self, raw_key: Any, profile_id: int | None = None) -> str:
        """The clean key of an existing run of this workflow (of `profile_id`, when given)."""
        key = self.clean_key(raw_key)
        rows = self.ctx.db.query("SELECT app_name, profile_id FROM pipeline WHERE key = ?", (key,))
        if not rows:
            raise UnknownKey(key)
        owner = rows[0]["app_name"]
        if owner not in (self.name, ""):  # "": made outside any app (a notebook), open to all
            raise UnknownKey(key, owner)
        # Profile 0 is a run made without a profile: every profile may open it.
        if profile_id is not None and int(rows[0]["profile_id"] or 0) not in (0, profile_id):
            raise UnknownKey(key)
        return key

    def start(self, raw_key: Any, profile_id: int) -> tuple[str, dict[str, Any]]:
        """Create the run (or resume it) and return its key and state."""
        key = self.clean_key(raw_key)
        owner = self.ctx.pipulate.app_of(key)
        if owner not in (None, self.name, ""):
            raise Problem(f"“{key}” is already used by the {owner} workflow: choose another key.", 409, field="key")
        state = self.ctx.pipulate.initialize_if_missing(key, {"app_name": self.name, "profile_id": profile_id})
        return key, state

    def _state(self, key: str) -> dict[str, Any]:
        state = self.ctx.pipulate.read_state(key)
        if not state:
            raise UnknownKey(key)
        return state

    def _writable(self, key: str, state: dict[str, Any] | None = None) -> dict[str, Any]:
        state = self._state(key) if state is None else state
        if state.get("finalize", {}).get("finalized"):
            raise Finalized()
        return state

    def _require_earlier_done(self, step: Step, state: dict[str, Any]) -> None:
        first = self.first_open(state)
        if first is not None and self.step_ids.index(first.id) < self.step_ids.index(step.id):
            raise Problem(f"Finish “{first.title}” first: the steps are done in order.", 409)

    # -- steps -----------------------------------------------------------------------------
    async def submit(self, key: str, step_id: str, form: FormData | Mapping[str, Any], profile_id: int) -> dict[str, Any]:
        """Validate and save one step as its web form would; return the new state."""
        step, data = await self.check_submit(key, step_id, form)
        return self.save_submit(key, step, data, profile_id)

    async def check_submit(self, key: str, step_id: str,
                           form: FormData | Mapping[str, Any]) -> tuple[Step, dict[str, Any]]:
        """The step and its data from a submitted form, without writing; raises to refuse it."""
        step = self.require_step(step_id)
        state = self._writable(key)
        if step.job is not None:
            raise Problem(f"“{step.title}” is a job step: start it instead.", 409)
        self._require_earlier_done(step, state)
        try:
            data = await self.validate(step, key, as_form(form), state)
        except ValidationError as exc:
            _with_field(exc, step)
            raise
        return step, data

    def save_submit(self, key: str, step: Step, data: dict[str, Any], profile_id: int, *,
                    state: dict[str, Any] | None = None) -> dict[str, Any]:
        """Save checked data: the state and its chat note in one transaction (one commit, one fsync).
        The run is checked again inside it, since another tab may have locked it during validation;
        `state` is the run as the caller already read it inside the same transaction."""
        with self.ctx.db.transaction():
            state = self._writable(key, state)
            self._require_earlier_done(step, state)
            state = self.ctx.pipulate.set_step_data(key, step.id, data, state=state)
            self.announce(step, data, profile_id)
        return state

    async def validate(self, step: Step, key: str, form: FormData, state: dict[str, Any]) -> dict[str, Any]:
        """Turn a submitted form into the step's data; raises ValidationError to refuse it."""
        if step.submit is not None:
            result = step.submit(self, self.call(key, step, state, form))
            if inspect.isawaitable(result):
                result = await result
            if not isinstance(result, dict):
                raise TypeError(f"The submit hook of step {step.id!r} returned {type(result).__name__}, not a dict")
            return result
        if step.field is None:
            return {step.id: True}
        return {step.id: step.field.parse(_raw(form, step.id))}

    def announce(self, step: Step, data: dict[str, Any], profile_id: int) -> None:
        if QUIET_NOTES.get():
            return
        text = step.message(step.value_of(data)) if step.message else f"{self.title} · {step.title}: {step.display(data)}"
        self.ctx.conversation.note(profile_id, str(text)[:300], app=self.name)

    def revert(self, key: str, step_id: str) -> dict[str, Any]:
        """Clear the step and every later one (this also lifts a finalize)."""
        step = self.require_step(step_id)
        self._state(key)
        # The cleared values come back as the fields' suggestions: a revert is for changing a value,
        # not for typing it all again.
        return self.ctx.pipulate.revert(key, step.id, order=self.step_ids, remember=True)

    # -- the whole run ---------------------------------------------------------------------
    def finalize(self, key: str) -> dict[str, Any]:
        first = self.first_open(self._state(key))
        if first is not None:
            raise Problem(f"“{first.title}” is still open: finish every step before finalizing.", 409)
        state = self.ctx.pipulate.finalize(key)
        if not QUIET_NOTES.get():
            self.ctx.conversation.note(self._owner_profile(key), f"{self.title}: “{key}” finalized.", app=self.name)
        return state

    def unfinalize(self, key: str) -> dict[str, Any]:
        self._state(key)
        return self.ctx.pipulate.unfinalize(key)

    def _owner_profile(self, key: str) -> int:
        return self._profile_of(key) or self.ctx.current_profile_id()

    def delete(self, key: str) -> None:
        owner = self.ctx.pipulate.app_of(key)
        if owner != self.name:
            raise UnknownKey(key, owner or None)
        self.ctx.pipulate.delete(key)
        self.on_delete(key)

    def on_delete(self, key: str) -> None:
        """Override to remove what a run left outside the state blob (files, caches)."""

    def export(self, key: str) -> dict[str, Any]:
        return {"key": key, "app": self.name, "state": self._state(key)}

    # -- job steps -------------------------------------------------------------------------
    def job_kind(self, step: Step) -> str:
        return f"{self.name}.{step.id}"

    def register_jobs(self) -> None:
        for step in self.steps:
            if step.job is not None:
                self.ctx.jobs.register(JobKind(self.job_kind(step), functools.partial(step.job, self),
                                               resumable=step.resumable, on_done=self._job_done))

    def start_job(self, key: str, step_id: str, form: FormData | Mapping[str, Any]) -> Job:
        """Start the step's job (or return the run already going: a double click never starts two)."""
        step = self.require_step(step_id)
        state = self._writable(key)
        if step.job is None:
            raise Problem(f"“{step.title}” is not a job step: submit it instead.", 409)
        self._require_earlier_done(step, state)
        running = self.ctx.jobs.latest(key, step.id)
        if running is not None and running.status in ACTIVE:
            return running
        params: dict[str, Any] = {"values": self.values(state)}
        if step.field is not None:
            try:
                params[step.id] = step.field.parse(_raw(as_form(form), step.id))
            except ValidationError as exc:
                _with_field(exc, step)
                raise
        return self.ctx.jobs.start(self.job_kind(step), key=key, step=step.id, params=params)

    def _job_done(self, job: Job, result: dict[str, Any]) -> None:
        step = self.step(job.step)
        if step is None or not self.ctx.pipulate.exists(job.pipeline_key):
            return
        data = {step.id: result.get(step.id, result), **{k: v for k, v in result.items() if k != step.id}}
        self.ctx.pipulate.set_step_data(job.pipeline_key, step.id, data)
        self.announce(step, data, self._owner_profile(job.pipeline_key))
