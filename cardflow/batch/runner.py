"""The batch runner: each row runs its workflow's steps through the workflow's own actions.

A row calls `<app>.start`, `<app>.submit` (or `<app>.job_start` for a job step) and
`<app>.finalize` through the action registry, as the person who started the batch: every value
is checked by its step's field, every change is logged and undoable, and open pages of the key
follow along. A step already done in the key's state is skipped, which is what makes a row safe to
run again after a restart: nothing runs twice. Job steps hold one of `limit` slots, shared by all
batches, for as long as their job runs.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from loguru import logger

from cardflow.batch.schema import Batch, BatchRow
from cardflow.batch.store import BatchStore, batch_id
from cardflow.db import Job
from cardflow.errors import Problem
from cardflow.fields import ValidationError
from cardflow.jobs import ACTIVE
from cardflow.steps import Step
from cardflow.workflow_ops import QUIET_NOTES, WorkflowOps

if TYPE_CHECKING:
    from cardflow.plugins import Context

CONCURRENCY_ENV = "CARDFLOW_BATCH_CONCURRENCY"
DEFAULT_CONCURRENCY = 2
MAX_CONCURRENCY = 64
JOB_POLL_SECONDS = 0.2

RowHook = Callable[[Batch, BatchRow], None]


def concurrency_limit(env: dict[str, str] | None = None) -> int:
    raw = (os.environ if env is None else env).get(CONCURRENCY_ENV, "")
    if not raw.strip():
        return DEFAULT_CONCURRENCY
    text = raw.strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_CONCURRENCY:
        return int(text)
    # A bad value must not stop the server: say so once, and run with the default.
    logger.warning(f"{CONCURRENCY_ENV} must be a whole number from 1 to {MAX_CONCURRENCY}, not {raw!r}: "
                   f"using {DEFAULT_CONCURRENCY}")
    return DEFAULT_CONCURRENCY


class Stop(Exception):
    """The row ends here: `status` is stopped (a person finishes it) or failed."""

    def __init__(self, status: str, step: str, message: str) -> None:
        super().__init__(message)
        self.status, self.step, self.message = status, step, message


class BatchRunner:
    def __init__(self, ctx: Context, limit: int | None = None) -> None:
        self.ctx = ctx
        self.store = BatchStore(ctx.db)
        self.limit = limit or concurrency_limit()
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.workers: dict[int, list[asyncio.Task[None]]] = {}
        self.shutting_down = False
        self.publish: RowHook | None = None  # set by the views: a row changed, tell open pages
        self.publish_end: Callable[[Batch], None] | None = None

    @property
    def slots(self) -> asyncio.Semaphore:
        """The job slots of the running event loop (tests and the CLI may run more than one loop)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.limit))
        return self._slots[1]

    def workflow(self, app: str) -> WorkflowOps:
        plugin = self.ctx.registry.by_name(app)
        if not isinstance(plugin, WorkflowOps):
            raise Problem(f"There is no workflow “{app}” any more.", 404)
        return plugin

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, batch: Batch, on_row: RowHook | None = None) -> asyncio.Task[None]:
        bid = batch_id(batch)
        running = self.tasks.get(bid)
        if running is not None and not running.done():
            return running
        task = asyncio.get_running_loop().create_task(self._run_batch(bid, on_row), name=f"batch-{bid}")
        self.tasks[bid] = task
        return task

    async def run(self, batch: Batch, on_row: RowHook | None = None) -> None:
        """Run the batch to its end in this process (the CLI, which exits when the command does)."""
        await asyncio.wait([self.start(batch, on_row)])

    async def resume(self) -> list[int]:
        """At start-up, after the job runner's own recovery: every unfinished batch goes on."""
        resumed = []
        for batch in self.store.running():
            bid = batch_id(batch)
            if self.ctx.registry.by_name(batch.app_name) is None:
                logger.warning(f"batch {bid}: the workflow {batch.app_name!r} is not loaded; it waits")
                continue
            self.store.requeue_running(bid)
            self.start(batch)
            resumed.append(bid)
        if resumed:
            logger.info(f"Resumed batches {resumed}")
        return resumed

    async def shutdown(self) -> None:
        """Stop without marking rows, so the next start resumes them from their state."""
        self.shutting_down = True
        tasks = [t for ws in self.workers.values() for t in ws] + list(self.tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)

    def cancel(self, batch: Batch) -> None:
        bid = batch_id(batch)
        if batch.status != "running":
            raise Problem(f"Batch {bid} is not running ({batch.status}).", 409)
        self.store.cancel_queued(bid)
        for task in self.workers.get(bid, []):
            task.cancel()
        if not self.workers.get(bid):  # nothing runs it in this process (e.g. the CLI's): mark it here
            for row in self.store.rows_of(bid):
                if row.status == "running":
                    self._end(batch, row, "cancelled", row.step, "Cancelled.")

    def retry(self, batch: Batch) -> int:
        n = self.store.requeue_failed(batch_id(batch))
        if n:
            refreshed = self.store.find(batch_id(batch)) or batch
            for row in self.store.rows_of(batch_id(batch)):
                if row.status == "queued":
                    self._tell(refreshed, row)
            self.start(refreshed)
        return n

    # -- running ---------------------------------------------------------------------------
    async def _run_batch(self, bid: int, on_row: RowHook | None) -> None:
        batch = self.store.find(bid)
        if batch is None:
            return
        try:
            wf = self.workflow(batch.app_name)
        except Problem as exc:
            logger.warning(f"batch {bid}: {exc}")
            return
        QUIET_NOTES.set(True)  # this task's context, copied into its workers and their jobs
        workers = [asyncio.get_running_loop().create_task(self._work(batch, wf, on_row), name=f"batch-{bid}-{i}")
                   for i in range(max(1, min(self.limit, self.store.open_rows(bid))))]
        self.workers[bid] = workers
        try:
            await asyncio.gather(*workers, return_exceptions=True)
        finally:
            self.workers.pop(bid, None)
            self.tasks.pop(bid, None)
        if self.shutting_down:
            return
        current = self.store.find(bid)
        if current is not None and current.status == "running" and not self.store.open_rows(bid):
            self.store.set_status(bid, "done")
            current = self.store.find(bid)
            self.ctx.conversation.note(batch.profile_id, f"{getattr(wf, 'title', batch.app_name)}: batch {bid} "
                                       f"finished: {self.store.counts(bid).text()}.", app=batch.app_name)
        if current is not None and self.publish_end is not None:
            self.publish_end(current)

    async def _work(self, batch: Batch, wf: WorkflowOps, on_row: RowHook | None) -> None:
        bid = batch_id(batch)
        while not self.shutting_down:
            row = self.store.claim(bid)
            if row is None:
                return
            row_id = int(row.id or 0)
            self._tell(batch, row)
            try:
                status, step, message = await self._row(batch, wf, row)
            except asyncio.CancelledError:
                if not self.shutting_down:  # cancelled by the person: the row says so, its job stops too
                    current = self.store.row(row_id)
                    if current.job_id is not None:
                        self.ctx.jobs.cancel(current.job_id)
                    self._end(batch, current, "cancelled", current.step, "Cancelled while it ran.")
                raise
            except Exception as exc:  # one broken row must not stop the others
                logger.opt(exception=exc).warning(f"batch {bid}: row {row.line} ({row.key}) failed")
                status, step, message = "failed", self.store.row(row_id).step, f"Unexpected error: {exc}"[:300]
            ended = self._end(batch, self.store.row(row_id), status, step, message)
            if on_row is not None:
                on_row(batch, ended)

    def _end(self, batch: Batch, row: BatchRow, status: str, step: str, message: str) -> BatchRow:
        ended = self.store.set_row(int(row.id or 0), status=status, step=step, message=message)
        self._tell(batch, ended)
        return ended

    def _tell(self, batch: Batch, row: BatchRow) -> None:
        if self.publish is not None:
            try:
                self.publish(batch, row)
            except Exception as exc:  # a page that cannot be told must not fail the row
                logger.opt(exception=exc).warning(f"batch {batch.id}: publishing row {row.id} failed")

    async def _act(self, batch: Batch, verb: str, **params: Any) -> Any:
        return (await self.ctx.actions.run(f"{batch.app_name}.{verb}", params, actor=batch.actor,
                                           profile_id=batch.profile_id)).result

    async def _row(self, batch: Batch, wf: WorkflowOps, row: BatchRow) -> tuple[str, str, str]:
        """Run one row from wherever its key's state is; returns (status, step, message)."""
        try:
            await self._act(batch, "start", key=row.key)
            cells: dict[str, str] = json.loads(row.cells or "{}")
            for step in wf.steps:
                # A plain step never waits on anything: yield, or a long batch would hold up every page.
                await asyncio.sleep(0)
                state = self.ctx.pipulate.read_state(row.key)
                if state.get("finalize", {}).get("finalized"):
                    return "done", "", "Finalized."
                if wf.done(state, step):
                    continue
                self.store.set_row(int(row.id or 0), step=step.id)
                self._tell(batch, self.store.row(int(row.id or 0)))
                value = step_input(step, cells, wf.values(state))
                if step.job is not None:
                    await self._job(batch, wf, row, step, value)
                else:
                    await self._submit(batch, row, step, value)
            if not self.ctx.pipulate.is_finalized(row.key):
                await self._act(batch, "finalize", key=row.key)
        except Stop as stop:
            return stop.status, stop.step, stop.message
        except Problem as exc:  # the key itself (another workflow's, another profile's, a deleted profile)
            return "failed", self.store.row(int(row.id or 0)).step, str(exc)
        return "done", "", "Finalized."

    async def _submit(self, batch: Batch, row: BatchRow, step: Step, value: Any) -> None:
        try:
            await self._act(batch, "submit", key=row.key, step=step.id, value=value)
        except ValidationError as exc:  # the field's own message, as the form shows it
            raise Stop("stopped", step.id, str(exc)) from None
        except Problem as exc:
            raise Stop("failed", step.id, str(exc)) from None

    async def _job(self, batch: Batch, wf: WorkflowOps, row: BatchRow, step: Step, value: Any) -> None:
        row_id = int(row.id or 0)
        async with self.slots:
            job = self.ctx.jobs.latest(row.key, step.id)
            mine = self.store.row(row_id).job_id
            if job is not None and job.status not in ACTIVE and job.id == mine and job.status != "interrupted":
                raise Stop("failed", step.id, _job_message(job))  # this row's run of it ended badly already
            if job is None or job.status not in ACTIVE:
                # Never run, someone else's old run, or interrupted by a restart: (re)start it once.
                try:
                    started = await self._act(batch, "job_start", key=row.key, step=step.id, value=value)
                except ValidationError as exc:
                    raise Stop("stopped", step.id, str(exc)) from None
                except Problem as exc:
                    raise Stop("failed", step.id, str(exc)) from None
                job_id = int(started["job_id"])
                self.store.set_row(row_id, job_id=job_id)
            else:  # already running (resumed by the job runner after a restart): wait for that run
                job_id = int(job.id or 0)
                self.store.set_row(row_id, job_id=job_id)
            ended = await self._wait(job_id)
        if ended is None or ended.status != "done":
            raise Stop("failed", step.id, _job_message(ended))
        if not wf.done(self.ctx.pipulate.read_state(row.key), step):
            raise Stop("failed", step.id, "The job finished but its result was not saved.")

    async def _wait(self, job_id: int) -> Job | None:
        while True:
            task = self.ctx.jobs.tasks.get(job_id)
            if task is not None:
                await asyncio.wait([task])
            job = self.ctx.jobs.get(job_id)
            if job is None or job.status not in ACTIVE:
                return job
            await asyncio.sleep(JOB_POLL_SECONDS)  # running in no task of ours: another process's


def step_input(step: Step, cells: dict[str, str], values: dict[str, Any]) -> Any:
    """The value a row gives `step`, or Stop when a person must give it.

    A step that asks for nothing runs with no value. A column in the file gives the value; an
    empty cell stops the row there. With no column for the step, its `suggest=` pre-fill is taken
    (what pressing Save on the untouched form would do); a step with no suggestion stops the row.
    """
    asks = step.field is not None or (step.submit is not None and step.job is None)
    if not asks:
        return None
    if step.id in cells:
        cell = cells[step.id]
        if not cell.strip():
            raise Stop("stopped", step.id, f"No value for “{step.title}” in the file: finish it by hand.")
        if step.submit is not None:
            try:
                parsed = json.loads(cell)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                return parsed
        return cell
    if step.suggest is not None:
        try:
            suggested = step.suggest(values)
        except (KeyError, TypeError, ValueError):
            suggested = None
        if suggested not in (None, ""):
            return suggested
    raise Stop("stopped", step.id, f"The file has no “{step.id}” column: finish “{step.title}” by hand.")


def _job_message(job: Job | None) -> str:
    if job is None:
        return "The job disappeared (its run was deleted)."
    message = json.loads(job.detail or "{}").get("message", "")
    return f"The job {job.status}" + (f": {message}" if message else ".")
