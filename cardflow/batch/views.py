"""The batch page: the form, the list of batches, and the status grid (rows x steps).

Plain functions of view data: the routes and the live publisher fetch, these only render. Every
key, value and message is text in an FT tree, so it is escaped when rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fasthtml.common import (
    FT,
    H2,
    H3,
    A,
    Button,
    Div,
    Form,
    Input,
    Label,
    P,
    Small,
    Span,
    Table,
    Tbody,
    Td,
    Textarea,
    Th,
    Thead,
    Tr,
)

from cardflow.batch.report import RowReport
from cardflow.batch.store import Counts
from cardflow.ui.components import FieldError


@dataclass(frozen=True)
class StepHead:
    id: str
    title: str


@dataclass(frozen=True)
class BatchSummary:
    id: int
    created: str
    status: str
    source: str
    counts: Counts


@dataclass(frozen=True)
class GridView:
    flow_path: str  # /<app>: the grid links each key to its run there
    batch: BatchSummary
    steps: list[StepHead]
    rows: list[RowReport]


@dataclass(frozen=True)
class PageView:
    name: str
    title: str
    path: str  # /<app>
    steps: list[StepHead]
    batches: list[BatchSummary]
    grid: GridView | None


def batch_url(path: str, batch: int | None = None, action: str = "") -> str:
    if batch is None:
        return f"{path}/batch"
    return f"{path}/batch/{batch}/{action}" if action else f"{path}/batch?{urlencode({'id': batch})}"


def page(view: PageView, error: str | None = None, text: str = "") -> FT:
    return Div(
        H2(f"{view.title}: batch runs"),
        P(A(f"Back to {view.title}", href=view.path)),
        batch_form(view, error, text),
        Div(grid(view.grid) if view.grid else None, id="batch-current"),
        batch_list(view),
        cls="batch-page", data_workflow=view.name,
    )


def batch_form(view: PageView, error: str | None = None, text: str = "") -> FT:
    columns = ", ".join(s.id for s in view.steps)
    return Form(
        P("One row per key: a header row with a ", Span("key", cls="wf-key"), " column and a column per step id (",
          Span(columns, cls="wf-key"), "), or just one key per line. Each row runs the steps with its values; an "
          "empty cell stops that row at its step for you to finish.", cls="muted"),
        Label("Paste rows", Textarea(text, name="text", id="batch-text", rows="6",
                                     placeholder=f"key,{columns}", aria_describedby="batch-error")),
        Label("…or upload a CSV file", Input(type="file", name="file", id="batch-file", accept=".csv,text/csv,text/plain")),
        FieldError(error, id="batch-error"),
        Button("Run batch", type="submit", id="batch-run"),
        hx_post=batch_url(view.path), hx_encoding="multipart/form-data", hx_target="this", hx_swap="outerHTML",
        id="batch-form", cls="batch-form",
    )


def batch_list(view: PageView, oob: bool = False) -> FT:
    """The batches of this workflow; `oob` when it rides along with a grid reload, so the list's
    status and counts follow the grid instead of staying as they were when the page loaded."""
    swap = {"hx_swap_oob": "true"} if oob else {}
    if not view.batches:
        return Div(P("No batches of this workflow yet in this profile.", cls="muted"), id="batch-list", **swap)
    body = [Tr(Td(A(f"Batch {b.id}", href=batch_url(view.path, b.id))), Td(b.created[:19].replace("T", " ")),
               Td(b.source), Td(b.status), Td(b.counts.text())) for b in view.batches]
    return Div(H3("Batches"), Table(Thead(Tr(Th("Batch"), Th("Started (UTC)"), Th("From"), Th("Status"),
                                             Th("Rows"))), Tbody(*body), cls="key-table"), id="batch-list", **swap)


def grid_id(batch: int) -> str:
    return f"batch-{batch}-grid"


def row_id(batch: int, row: int) -> str:
    return f"batch-{batch}-row-{row}"


def grid(view: GridView) -> FT:
    b = view.batch
    running = b.status == "running"
    # Rows change live over SSE (row_fragment); the end of the batch, or a poll while it runs (for
    # whatever happened before this grid reached the page), reloads the whole grid.
    live = {"hx_get": batch_url(view.flow_path, b.id, "grid"), "hx_swap": "outerHTML",
            "hx_trigger": f"sse:batch-{b.id}-end" + (", every 2s" if running else "")}
    controls = [
        Button("Cancel", id="batch-cancel", cls="secondary outline", hx_post=batch_url(view.flow_path, b.id, "cancel"),
               hx_target=f"#{grid_id(b.id)}", hx_swap="outerHTML",
               hx_confirm="Cancel this batch? Rows not yet run are cancelled.") if running else None,
        Button("Retry failed", id="batch-retry", cls="secondary", hx_post=batch_url(view.flow_path, b.id, "retry"),
               hx_target=f"#{grid_id(b.id)}", hx_swap="outerHTML")
        if b.counts["failed"] or b.counts["cancelled"] else None,
        A("Download CSV", href=batch_url(view.flow_path, b.id, "export"), download=True, id="batch-export",
          role="button", cls="secondary outline"),
    ]
    head = Tr(Th("Line"), Th("Key"), Th("Status"), *[Th(s.title, title=s.id) for s in view.steps])
    return Div(
        H3(f"Batch {b.id}", Small(f" · {b.source}", cls="muted") if b.source else None),
        counts_line(b),
        Div(*[c for c in controls if c is not None], cls="batch-controls", role="group"),
        Div(sse_swap=f"batch-{b.id}", hx_swap="none", hidden=True),  # carries row_fragment's oob rows
        Div(Table(Thead(head), Tbody(*[row(view, r) for r in view.rows]), cls="batch-grid"), cls="batch-scroll"),
        id=grid_id(b.id), cls="batch", data_status=b.status, **live,
    )


def counts_line(b: BatchSummary) -> FT:
    return P(Span(b.status, cls=f"batch-status batch-{b.status}"), " · ", b.counts.text() or "no rows",
             id=f"batch-{b.id}-counts", role="status")


def row(view: GridView, r: RowReport) -> FT:
    link = f"{view.flow_path}?{urlencode({'key': r.key})}"
    return Tr(
        Td(str(r.line)),
        Td(A(r.key, href=link) if r.status != "refused" else r.key),
        Td(Span(r.status, cls=f"batch-status batch-{r.status}"),
           Small(r.message, cls="batch-message") if r.message and r.step == "" else None),
        *[cell(r, s) for s in view.steps],
        id=row_id(view.batch.id, r.id), data_status=r.status, data_key=r.key,
    )


def cell(r: RowReport, step: StepHead) -> FT:
    if step.id in r.done_steps:
        return Td(r.values[step.id], cls="cell-done", data_step=step.id)
    if r.step == step.id and r.status in ("stopped", "failed", "cancelled"):
        return Td(Span(r.status, cls=f"batch-status batch-{r.status}"), " ", Small(r.message, cls="batch-message"),
                  cls=f"cell-{r.status}", data_step=step.id)
    if r.step == step.id and r.status == "running":
        return Td(Span("running", cls="batch-status batch-running", aria_busy="true"), cls="cell-running",
                  data_step=step.id)
    return Td("", cls="cell-open", data_step=step.id)


def row_fragment(view: GridView, r: RowReport) -> tuple[FT, FT]:
    """One changed row and the counts, swapped in place over SSE."""
    tr = row(view, r)
    tr.attrs["hx-swap-oob"] = "true"
    counts = counts_line(view.batch)
    counts.attrs["hx-swap-oob"] = "true"
    return tr, counts
