"""The batch page of every workflow, at /<app>/batch: each handler calls the `<app>.batch*` action.

GET /<app>/batch[?id=N]          the page: form, the batch's grid, the list of batches
POST /<app>/batch                 start a batch from the pasted text or the uploaded file
GET /<app>/batch/{id}/grid        the grid (reloaded live)
POST /<app>/batch/{id}/cancel     cancel, then the grid
POST /<app>/batch/{id}/retry      run the failed and cancelled rows again, then the grid
GET /<app>/batch/{id}/export      the CSV download
"""

from __future__ import annotations

from typing import Any

from fasthtml.common import A, P
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from cardflow.batch.actions import CSV_MAX, runner_of
from cardflow.batch.live import grid_view, steps_of, summary
from cardflow.batch.schema import Batch
from cardflow.batch.views import PageView, batch_form, batch_list, batch_url, grid, page
from cardflow.db import parse_id
from cardflow.errors import NotFoundProblem, Problem
from cardflow.shell import render_app_page
from cardflow.workflow_ops import WorkflowOps

LIST_LIMIT = 20


def batch_link(wf: WorkflowOps) -> Any:
    """The way from a workflow's page to its batches."""
    return P(A("Batch runs: many keys at once from a CSV or a list", href=batch_url(wf.path), id="batch-link"),
             cls="batch-link")


def add_batch_routes(wf: WorkflowOps) -> None:
    ctx = wf.ctx
    runner = runner_of(ctx)

    def page_view(current: Batch | None) -> PageView:
        batches = runner.store.recent(wf.name, ctx.current_profile_id(), limit=LIST_LIMIT)
        return PageView(wf.name, wf.title, wf.path, steps_of(wf), [summary(runner, b) for b in batches],
                        grid_view(wf, runner, current) if current else None)

    def batch_of(raw: str) -> Batch:
        bid = parse_id(raw)
        if bid is None:
            raise NotFoundProblem(f"“{raw[:40]}” is not a batch number.")
        return runner.store.get(bid, wf.name, ctx.current_profile_id())

    async def act(req: Request, verb: str, **params: Any) -> Any:
        return (await ctx.actions.run(f"{wf.name}.{verb}", params, actor="ui", profile_id=ctx.current_profile_id(),
                                      origin=req.headers.get("x-cardflow-client"))).result

    async def show(req: Request) -> Any:
        raw = req.query_params.get("id")
        current = batch_of(raw) if raw is not None else None
        return render_app_page(ctx, ctx.registry, wf, req, page(page_view(current)))

    async def create(req: Request) -> Any:
        form = await req.form()
        text = str(form.get("text") or "")
        upload = form.get("file")
        source = "pasted"
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                try:
                    text = (await upload.read()).decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise Problem(f"{upload.filename} is not UTF-8 text: save it as CSV (UTF-8).") from None
                source = upload.filename
            if not text.strip():
                raise Problem("Paste some rows or choose a CSV file first.")
            if len(text) > CSV_MAX:
                raise Problem(f"That is {len(text):,} characters; the page takes at most {CSV_MAX:,}. Run a bigger "
                              f"file from the command line: cardflow call {wf.name}.batch file=rows.csv")
            started = await act(req, "batch", csv=text, source=source[:200], wait=False)
        except Problem as exc:  # at the form, keeping what was pasted
            return batch_form(page_view(None), str(exc), str(form.get("text") or ""))
        return Response(status_code=204, headers={"HX-Redirect": batch_url(wf.path, int(started["batch"]))})

    def grid_and_list(found: Batch) -> Any:
        return grid(grid_view(wf, runner, found)), batch_list(page_view(None), oob=True)

    async def grid_fragment(req: Request, batch: str) -> Any:
        return grid_and_list(batch_of(batch))

    async def cancel(req: Request, batch: str) -> Any:
        found = batch_of(batch)
        try:
            await act(req, "batch_cancel", batch=found.id)
        except Problem:
            pass  # it ended meanwhile: the grid shows how
        return grid_and_list(runner.store.get(int(found.id or 0), wf.name, found.profile_id))

    async def retry(req: Request, batch: str) -> Any:
        found = batch_of(batch)
        try:
            await act(req, "batch_retry", batch=found.id)
        except Problem:
            pass  # nothing left to retry (another tab did it): the grid shows how it is
        return grid_and_list(runner.store.get(int(found.id or 0), wf.name, found.profile_id))

    async def export(req: Request, batch: str) -> Response:
        found = batch_of(batch)
        result = await act(req, "batch_export", batch=found.id)
        return Response(result["csv"], media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{wf.name}-batch-{found.id}.csv"'})

    wf.route("/batch", ["get"])(show)
    wf.route("/batch", ["post"], name=f"{wf.name}:batch_create")(create)
    wf.route("/batch/{batch}/grid", ["get"])(grid_fragment)
    wf.route("/batch/{batch}/cancel", ["post"])(cancel)
    wf.route("/batch/{batch}/retry", ["post"])(retry)
    wf.route("/batch/{batch}/export", ["get"])(export)
