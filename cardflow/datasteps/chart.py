"""The Chart kind: a bar, line or pie chart of a table's or an upload's rows, drawn by Chart.js.

The user picks the x column, the y column (summed per x; or the row count) and the chart type in
the card; DuckDB groups the whole file server-side and at most `max_points` points reach the page,
as JSON in the canvas's data-datastep-chart attribute. /static/datasteps.js draws it with the vendored
Chart.js (/static/vendor/chart.umd.min.js), loaded when a chart first shows.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from fasthtml.common import Canvas, Div, Label, Option, P, Script
from fasthtml.common import Select as SelectTag
from starlette.requests import Request

from cardflow.datasteps.base import SCRIPT, DataFlow, part_url, source_of
from cardflow.datasteps.query import points
from cardflow.errors import Problem
from cardflow.fields import ValidationError
from cardflow.steps import Step, StepCall

TYPES = ("bar", "line", "pie")
COUNT = ""  # the y choice "number of rows"
NUMERIC = ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "NUMERIC", "HUGEINT", "BIGINT", "SMALLINT", "TINYINT")


@dataclass(frozen=True)
class Chart:
    """A chart of `source`'s rows; `x`, `y` and `type` are the choices the card starts with."""

    source: str
    x: str | None = None
    y: str | None = None
    type: str = "bar"
    max_points: int = 500

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"Chart(type=...) is one of {TYPES}")

    def _defaults(self, columns: list[str], types: list[str]) -> tuple[str, str]:
        x = self.x if self.x in columns else columns[0]
        numeric = [c for c, t in zip(columns, types, strict=False) if t.upper().startswith(NUMERIC) and c != x]
        y = self.y if self.y in columns else (numeric[0] if numeric else COUNT)
        return x, y

    # -- hooks -------------------------------------------------------------------------------------
    def render(self, wf: DataFlow, call: StepCall) -> Any:
        src = source_of(wf, call.state, self.source)
        x, y = self._defaults(src.columns, src.types)
        sid = call.step.id

        def select(name: str, label: str, choices: list[tuple[str, str]], chosen: str) -> Any:
            return Label(label, SelectTag(*[Option(text, value=v, selected=v == chosen) for v, text in choices],
                                          name=name, id=f"field-{sid}-{name}"))

        cols = [(c, c) for c in src.columns]
        return Div(select("x", "X axis (one point per value)", cols, x),
                   select("y", "Y axis (summed)", [(COUNT, "Number of rows"), *cols], y),
                   select("type", "Chart type", [(t, t.capitalize()) for t in TYPES], self.type), cls="grid")

    def submit(self, wf: DataFlow, call: StepCall) -> dict[str, Any]:
        form = call.form
        src = source_of(wf, call.state, self.source)
        x, y = self._defaults(src.columns, src.types)
        x = str(form.get("x") or x) if form is not None else x
        y = str(form.get("y") if form is not None and "y" in form else y)
        kind = str(form.get("type") or self.type) if form is not None else self.type
        if x not in src.columns:
            raise ValidationError(f"There is no column “{x[:80]}” for the x axis.")
        if y != COUNT and y not in src.columns:
            raise ValidationError(f"There is no column “{y[:80]}” for the y axis.")
        if kind not in TYPES:
            raise ValidationError(f"The chart type is one of: {', '.join(TYPES)}.")
        return {call.step.id: {"source": self.source, "x": x, "y": y or None, "type": kind}}

    def locked(self, wf: DataFlow, call: StepCall) -> Any:
        return Div(P("Drawing the chart…", cls="muted"), hx_get=part_url(wf, call.key, call.step.id),
                   hx_trigger="load", hx_swap="outerHTML", hx_target="this", cls="data-chart-wrap",
                   aria_busy="true")

    # -- abilities ---------------------------------------------------------------------------------
    async def preview(self, wf: DataFlow, state: dict[str, Any], step: Step, **options: Any) -> dict[str, Any]:
        saved = state.get(step.id)
        if not isinstance(saved, dict):
            raise Problem(f"Save “{step.title}” first: its choices make the chart.", 409)
        v = saved[step.id]
        src = source_of(wf, state, self.source)
        labels, values = await asyncio.to_thread(points, wf.ctx.settings.data_dir, src, v["x"], v.get("y"),
                                                 self.max_points)
        return {"step": step.id, "type": v["type"], "x": v["x"], "y": v.get("y"), "labels": labels,
                "values": values, "truncated": len(labels) >= self.max_points}

    async def part(self, wf: Any, req: Request, key: str, step: Step) -> Any:
        try:
            r = (await wf.act(req, "preview", key=key, step=step.id)).result
        except Problem as exc:
            return Div(P(str(exc), cls="field-error", role="alert"), cls="data-chart-wrap")
        return chart_view(wf.name, step.id, r)


def chart_view(app: str, step_id: str, r: dict[str, Any]) -> Any:
    label = f"Sum of {r['y']}" if r.get("y") else "Number of rows"
    spec = {"type": r["type"], "labels": ["" if v is None else str(v) for v in r["labels"]],
            "values": r["values"], "label": label, "x": r["x"]}
    note = P(f"The first {len(r['labels']):,} values of {r['x']} are shown.", cls="muted") if r.get("truncated") else None
    return Div(Canvas(data_datastep_chart=json.dumps(spec), role="img",
                      aria_label=f"{r['type'].capitalize()} chart of {label.lower()} by {r['x']}"),
               note, Script(src=SCRIPT), id=f"{app}-{step_id}-chart", cls="data-chart-wrap", data_chart_for=step_id)
