"""Wiring: the runner starts with the server (resuming unfinished batches) and tells open pages.

`install_batches(ctx)` is the one line `build_app` calls. A changed row is published as the event
`batch-<id>` carrying that row and the counts as out-of-band fragments; the end of a batch as
`batch-<id>-end`, which reloads the grid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fasthtml.common import to_xml

from cardflow.batch.actions import runner_of
from cardflow.batch.report import counts_of, row_report
from cardflow.batch.runner import BatchRunner
from cardflow.batch.schema import Batch, BatchRow
from cardflow.batch.store import batch_id
from cardflow.batch.views import BatchSummary, GridView, StepHead, row_fragment
from cardflow.workflow_ops import WorkflowOps

if TYPE_CHECKING:
    from cardflow.plugins import Context


def steps_of(wf: WorkflowOps) -> list[StepHead]:
    return [StepHead(s.id, s.title) for s in wf.steps]


def summary(runner: BatchRunner, batch: Batch) -> BatchSummary:
    return BatchSummary(batch_id(batch), batch.created, batch.status, batch.source,
                        runner.store.counts(batch_id(batch)))


def grid_view(wf: WorkflowOps, runner: BatchRunner, batch: Batch) -> GridView:
    rows = runner.store.rows_of(batch_id(batch))
    reports = [row_report(wf.steps, r, wf.ctx.pipulate.read_state(r.key)) for r in rows]
    # The counts follow what the rows show (a row finished by hand counts as done).
    head = BatchSummary(batch_id(batch), batch.created, batch.status, batch.source, counts_of(reports))
    return GridView(wf.path, head, steps_of(wf), reports)


def install_batches(ctx: Context) -> BatchRunner:
    runner = runner_of(ctx)

    def publish(batch: Batch, row: BatchRow) -> None:
        if not ctx.events.client_count:
            return  # nobody is looking (the CLI, a test): skip the rendering
        wf = runner.workflow(batch.app_name)
        current = runner.store.find(batch_id(batch)) or batch
        # Only this row's state is read: a row's change costs the same in a batch of 20 or 5,000.
        report = row_report(wf.steps, row, ctx.pipulate.read_state(row.key))
        view = GridView(wf.path, summary(runner, current), steps_of(wf), [report])
        ctx.events.publish(f"batch-{batch.id}", to_xml(row_fragment(view, report)), profile_id=batch.profile_id)

    def publish_end(batch: Batch) -> None:
        ctx.events.publish(f"batch-{batch.id}-end", batch.status, profile_id=batch.profile_id)

    runner.publish, runner.publish_end = publish, publish_end
    # After the job runner's own recovery (already in the list), so a job it resumed is waited for,
    # not started again; stopped first on shutdown, so no row is marked as if a person had cancelled it.
    ctx.app.lifespan.startup.append(runner.resume)
    ctx.app.lifespan.shutdown.insert(0, runner.shutdown)
    return runner
