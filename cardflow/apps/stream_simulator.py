"""Stream Simulator: a long job with a live progress bar, to see background work and SSE in action."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from fasthtml.common import H2, H3, Button, Div, Form, Input, Label, P, Small
from starlette.requests import Request

from cardflow.fields import Number, ValidationError
from cardflow.jobs import JobContext, JobKind
from cardflow.plugins import AppPlugin
from cardflow.ui.components import FieldError
from cardflow.ui.jobs import job_live

KIND = "simulation"


async def simulate(ctx: JobContext) -> dict[str, Any]:
    """Sleep through `updates` ticks over `duration` seconds; resumes at the tick it had reached."""
    duration, updates = float(ctx.params["duration"]), int(ctx.params["updates"])
    start_tick = int(ctx.detail.get("tick", 0))
    pause = duration / updates
    started = time.monotonic()
    for tick in range(start_tick + 1, updates + 1):
        await asyncio.sleep(pause)
        ctx.detail["tick"] = tick
        await ctx.progress(100 * tick / updates, f"Update {tick} of {updates}", log=f"tick {tick}/{updates}")
    return {"ticks": updates, "seconds": round(time.monotonic() - started, 2)}


class StreamSimulator(AppPlugin):
    name = "stream_simulator"
    title = "Stream simulator"
    order = 60
    description = "Start simulated long jobs and watch their progress stream in; reload or restart mid-run."
    prompt = "The user is trying the stream simulator: long background jobs with a live progress bar."

    duration = Number(required=True, min=0.1, max=3600)
    updates = Number(required=True, min=1, max=1000, integer=True)

    def register(self) -> None:
        self.ctx.jobs.register(JobKind(KIND, simulate, resumable=True))
        self.route("/start", ["post"])(self.start)

    def render(self, req: Any) -> Any:
        runs = self.ctx.jobs.recent(KIND, limit=10)
        return Div(
            H2(self.title),
            P(self.description),
            self.form(),
            H3("Runs"),
            Div(*[self.run_panel(j) for j in runs], id="sim-runs") if runs else
            Div(P("No runs yet.", cls="muted"), id="sim-runs"),
        )

    def form(self, values: dict[str, str] | None = None, error: str | None = None) -> Any:
        values = values or {"duration": "5", "updates": "20"}
        return Form(
            Div(Label("Duration (seconds)", Input(name="duration", type="number", step="any", min="0.1", max="3600",
                                                   value=values.get("duration", ""), id="sim-duration")),
                Label("Updates", Input(name="updates", type="number", min="1", max="1000",
                                       value=values.get("updates", ""), id="sim-updates")),
                cls="grid"),
            FieldError(error, id="sim-error"),
            Button("Start", type="submit", id="sim-start"),
            hx_post=f"{self.path}/start", hx_target="this", hx_swap="outerHTML", id="sim-form",
        )

    def run_panel(self, job: Any) -> Any:
        params = json.loads(job.detail or "{}").get("params", {})
        # Numbered among this app's runs: job ids are shared with every other app's jobs.
        number = self.ctx.db.query("SELECT count(*) AS n FROM job WHERE kind = ? AND id <= ?", (KIND, job.id))[0]["n"]
        return Div(Small(f"Run {number}: {params.get('duration')} s, {params.get('updates')} updates"),
                   job_live(job), cls="sim-run", data_job=str(job.id))

    async def start(self, req: Request) -> Any:
        form = await req.form()
        values = {k: str(form.get(k, "")) for k in ("duration", "updates")}
        params = {}
        for name, field in (("duration", self.duration), ("updates", self.updates)):
            try:
                params[name] = field.parse(values[name])
            except ValidationError as exc:
                return self.form(values, f"{name.capitalize()}: {exc}")
        job = self.ctx.jobs.start(KIND, params=params)
        return self.form(values), Div(self.run_panel(job), hx_swap_oob="afterbegin:#sim-runs")
