"""Actions every workflow gets from its `steps`, with no code in the workflow itself.

`<app>.list_keys`, `.state`, `.start`, `.submit`, `.revert`, `.finalize`, `.unfinalize`, `.delete`,
`.export`, and for workflows with job steps `.job_start`, `.job_status`, `.job_cancel`. Each calls
the Workflow's own operations (the ones its web routes call), so a value submitted here is
validated by the step's field exactly as the form validates it. Changes are recorded with the
state before and after, and open pages of the key reload their cards.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any, Protocol

from cardflow.actions.base import Action, Call
from cardflow.actions.schema import Schema, anything, integer, obj, string
from cardflow.datasteps.actions import data_actions
from cardflow.errors import Problem

KEY = string("The workflow key (any text you chose, such as a URL).", max_length=200, min_length=1)


class FlowLike(Protocol):
    """What the derived actions need from a workflow (cardflow.workflow.Workflow provides it)."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def steps(self) -> Any: ...
    @property
    def ctx(self) -> Any: ...

    def open_key(self, raw_key: Any, profile_id: int | None = None) -> str: ...
    def start(self, raw_key: Any, profile_id: int) -> tuple[str, dict[str, Any]]: ...
    async def submit(self, key: str, step_id: str, form: Any, profile_id: int) -> dict[str, Any]: ...
    async def check_submit(self, key: str, step_id: str, form: Any) -> tuple[Any, dict[str, Any]]: ...
    def save_submit(self, key: str, step: Any, data: dict[str, Any], profile_id: int, *,
                    state: dict[str, Any] | None = None) -> dict[str, Any]: ...
    def revert(self, key: str, step_id: str) -> dict[str, Any]: ...
    def finalize(self, key: str) -> dict[str, Any]: ...
    def unfinalize(self, key: str) -> dict[str, Any]: ...
    def delete(self, key: str) -> None: ...
    def export(self, key: str) -> dict[str, Any]: ...
    def start_job(self, key: str, step_id: str, form: Any) -> Any: ...
    def suggest_key(self) -> str: ...


def flow_event(app: str, key: str) -> str:
    """The SSE event an open page of this key listens to (names must be plain tokens)."""
    return "flow-" + hashlib.sha1(f"{app}\x00{key}".encode()).hexdigest()[:16]


def runs_event(app: str) -> str:
    """The SSE event an open page of this workflow listens to for its list of saved runs."""
    return f"runs-{app}"


def describe_state(wf: FlowLike, key: str, state: dict[str, Any]) -> dict[str, Any]:
    steps = []
    next_step = None
    for s in wf.steps:
        data = state.get(s.id)
        done = isinstance(data, dict)
        if not done and next_step is None:
            next_step = s.id
        steps.append({"id": s.id, "title": s.title, "done": done,
                      "value": s.value_of(data) if done else None, "job": s.job is not None})
    return {"key": key, "app": wf.name, "finalized": bool(state.get("finalize", {}).get("finalized")),
            "next_step": next_step, "steps": steps, "state": state}


def _step_help(wf: FlowLike, jobs: bool) -> str:
    lines = []
    for s in wf.steps:
        if (s.job is not None) != jobs:
            continue
        if s.field is not None and s.submit is None:
            kind = json.dumps(s.field.json_schema(), ensure_ascii=False)
            lines.append(f"“{s.id}” ({s.title}): a value, {kind}" + (" required" if s.field.required else ""))
        elif getattr(s.kind, "receives_files", False):
            lines.append(f"“{s.id}” ({s.title}): {s.kind.describe()}")
        elif s.submit is not None:
            lines.append(f"“{s.id}” ({s.title}): an object of the step form's fields")
        else:
            lines.append(f"“{s.id}” ({s.title}): no value needed")
    return "; ".join(lines)


def _form(step: Any, value: Any) -> dict[str, Any]:
    """The step's form as the page would post it."""
    if step.submit is not None and isinstance(value, dict):
        return value
    if isinstance(value, dict):
        raise Problem(f"The step “{step.id}” takes a single value, not an object.", field="value")
    if value is None:
        return {}
    if isinstance(value, list):
        return {step.id: [_text(v) for v in value]}
    return {step.id: _text(value)}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict) else str(value)


def workflow_actions(wf: FlowLike) -> list[Action]:
    n = wf.name
    ctx = wf.ctx
    plain = [s.id for s in wf.steps if s.job is None]
    jobs = [s.id for s in wf.steps if s.job is not None]

    def row(key: str) -> dict[str, Any] | None:
        rows = ctx.db.query("SELECT * FROM pipeline WHERE key = ?", (key,))
        return rows[0] if rows else None

    def changed(call: Call, key: str, before: dict[str, Any] | None, after: dict[str, Any] | None = None) -> None:
        """Record the pipeline row as it was and is (undo restores rows), and tell open pages.

        ``after``: the row as the caller just wrote it, when it knows; otherwise it is read."""
        after = row(key) if after is None else after
        if after != before:
            call.record("pipeline", key, before, after)
        ctx.events.publish(flow_event(n, key), "changed", profile_id=call.profile_id, exclude=call.origin)
        ctx.events.publish(runs_event(n), "changed", profile_id=call.profile_id, exclude=call.origin)

    def key_of(call: Call) -> str:
        return wf.open_key(call.params["key"], call.profile_id)

    def list_keys(call: Call) -> dict[str, Any]:
        rows = ctx.pipulate.list_keys(n, profile_id=call.profile_id, limit=call.params.get("limit", 50))
        return {"keys": [{"key": r["key"], "status": r["status"], "updated": r["updated"]} for r in rows],
                "count": ctx.pipulate.count_keys(n, call.profile_id)}

    def state(call: Call) -> dict[str, Any]:
        key = key_of(call)
        return describe_state(wf, key, ctx.pipulate.read_state(key))

    def start(call: Call) -> dict[str, Any]:
        raw = call.params.get("key") or wf.suggest_key()
        existed = ctx.pipulate.exists(str(raw).strip())
        key, st = wf.start(raw, call.profile_id)
        if not existed:
            changed(call, key, None)
        call.say(f"{'Resumed' if existed else 'Started'} {wf.title} “{key}”.")
        return describe_state(wf, key, st)

    async def check_submit(call: Call) -> None:
        """Validation may await (a step's submit hook): done before the transaction, see `submit`."""
        key, step_id = key_of(call), call.params["step"]
        step = next(s for s in wf.steps if s.id == step_id)
        form = _form(step, call.params.get("value"))
        if "file" in call.params:  # an upload step (cardflow.datasteps): a local file, copied in and checked
            if not getattr(step.kind, "receives_files", False):
                raise Problem(f"The step “{step_id}” takes no file.", field="file")
            form = {step.id: call.params["file"]}
        call.prepared = (key, *(await wf.check_submit(key, step_id, form)))

    def submit(call: Call) -> dict[str, Any]:
        # The state, its chat note and the action_log row commit together (the runner's transaction).
        key, step, data = call.prepared
        before = row(key)
        state = json.loads(before["data"]) if before else None  # read once, inside the transaction
        after = wf.save_submit(key, step, data, call.profile_id, state=state)
        # A submit rewrites the blob and its stamp only (Pipulate._modify), exactly so: no re-read.
        changed(call, key, before, {**before, "data": json.dumps(after), "updated": after["updated"]} if before else None)
        call.say(f"{wf.title} “{key}”: saved {step.title}.")
        return describe_state(wf, key, after)

    def simple(op: str, verb: str) -> Any:
        def handler(call: Call) -> dict[str, Any]:
            key = key_of(call)
            before = row(key)
            after = getattr(wf, op)(key, call.params["step"]) if "step" in call.params else getattr(wf, op)(key)
            changed(call, key, before)
            call.say(f"{wf.title} “{key}”: {verb}.")
            return describe_state(wf, key, after)
        return handler

    def delete(call: Call) -> dict[str, Any]:
        key = key_of(call)
        before = row(key)
        wf.delete(key)
        changed(call, key, before)
        call.say(f"Deleted {wf.title} “{key}”.")
        return {"deleted": key}

    def export(call: Call) -> dict[str, Any]:
        return wf.export(key_of(call))

    step_param = string("The step id: " + ", ".join(plain), enum=plain) if plain else string()
    acts = [
        Action(f"{n}.list_keys", f"List the saved runs (keys) of {wf.title} in this profile, newest first.",
               list_keys, obj({"limit": integer("At most this many.", minimum=1, maximum=500)}), read_only=True),
        Action(f"{n}.state", f"Read one {wf.title} run: each step's value, the next open step, finalized or not.",
               state, obj({"key": KEY}, ["key"]), read_only=True),
        Action(f"{n}.start", f"Start a {wf.title} run under a key, or resume it if the key exists.",
               start, obj({"key": KEY}), commit_off_loop=True),
        Action(f"{n}.submit", f"Save one step of a {wf.title} run, checked as the form checks it. Steps: "
               f"{_step_help(wf, jobs=False)}.", submit,
               obj({"key": KEY, "step": step_param, "value": anything("The step's value."),
                    "file": string("An upload step's file: the path of a local file to copy in.", max_length=4096,
                                   min_length=1)}, ["key", "step"]), precheck=check_submit, commit_off_loop=True),
        Action(f"{n}.revert", f"Clear a step of a {wf.title} run and every later step.", simple("revert", "reverted"),
               obj({"key": KEY, "step": string("The step id.", enum=[s.id for s in wf.steps])}, ["key", "step"]),
               destructive=True, confirm=True),
        Action(f"{n}.finalize", f"Lock a finished {wf.title} run.", simple("finalize", "finalized"),
               obj({"key": KEY}, ["key"])),
        Action(f"{n}.unfinalize", f"Unlock a finalized {wf.title} run.", simple("unfinalize", "unlocked"),
               obj({"key": KEY}, ["key"])),
        Action(f"{n}.delete", f"Delete a saved {wf.title} run.", delete, obj({"key": KEY}, ["key"]),
               destructive=True, confirm=True),
        Action(f"{n}.export", f"A {wf.title} run's whole state as JSON.", export, obj({"key": KEY}, ["key"]),
               read_only=True, chat=False),
    ]
    if jobs:
        acts += job_actions(wf, jobs)
    acts += data_actions(wf)
    return [replace(a, app=n) for a in acts]


def job_actions(wf: FlowLike, job_steps: list[str]) -> list[Action]:
    n, ctx = wf.name, wf.ctx
    step_param: Schema = string("The job step's id: " + ", ".join(job_steps), enum=job_steps)

    def describe(job: Any) -> dict[str, Any]:
        if job is None:
            return {"status": "not started"}
        detail = json.loads(job.detail or "{}")
        return {"job_id": job.id, "status": job.status, "progress": job.progress,
                "message": detail.get("message", ""), "log": detail.get("log", [])[-10:]}

    def start(call: Call) -> dict[str, Any]:
        key = wf.open_key(call.params["key"], call.profile_id)
        step = next(s for s in wf.steps if s.id == call.params["step"])
        job = wf.start_job(key, step.id, _form(step, call.params.get("value")))
        call.record("job", job.id, None, {"id": job.id, "pipeline_key": key, "step": step.id, "status": job.status})
        call.say(f"{wf.title} “{key}”: started {step.title}.")
        return describe(job)

    def status(call: Call) -> dict[str, Any]:
        key = wf.open_key(call.params["key"], call.profile_id)
        return describe(ctx.jobs.latest(key, call.params["step"]))

    def cancel(call: Call) -> dict[str, Any]:
        key = wf.open_key(call.params["key"], call.profile_id)
        job = ctx.jobs.latest(key, call.params["step"])
        if job is None or job.status not in ("queued", "running"):
            raise Problem("No run of that step is in progress.", 409)
        ctx.jobs.cancel(job.id)
        call.say(f"{wf.title} “{key}”: cancelling {call.params['step']}.")
        return describe(ctx.jobs.get(job.id))

    ref = {"key": KEY, "step": step_param}
    return [
        Action(f"{n}.job_start", f"Start a job step of a {wf.title} run (it runs in the background). Steps: "
               f"{_step_help(wf, jobs=True)}.", start,
               obj({**ref, "value": anything("The step's input, if it asks for one.")}, ["key", "step"])),
        Action(f"{n}.job_status", f"Progress of a {wf.title} job step.", status, obj(ref, ["key", "step"]),
               read_only=True),
        Action(f"{n}.job_cancel", f"Cancel a running {wf.title} job step.", cancel, obj(ref, ["key", "step"])),
    ]
