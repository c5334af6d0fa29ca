"""Background jobs: long work with persisted progress that survives reloads and restarts.

A job is bound to a (pipeline key, step). Its progress (0-100, a message, a few log lines) is
written to the `job` table and published over SSE as `job-<id>` (the progress fragment) and
`job-<id>-end` (a signal the card uses to reload itself). After a restart, jobs that were running
are resumed when their kind says how (e.g. "poll this remote job id"), otherwise marked
interrupted with a Retry button. A job that raises ends as failed with a readable message: a
`Problem`'s own sentence, else the exception's text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fasthtml.common import to_xml
from loguru import logger

from cardflow.db import Database, Job, now_iso
from cardflow.errors import Problem
from cardflow.events import Broadcaster

ACTIVE = ("queued", "running")
LOG_KEEP = 50


@dataclass
class JobKind:
    name: str
    run: Callable[[JobContext], Awaitable[dict[str, Any] | None]]
    resumable: bool = False  # `run` is called again after a restart and picks up from `ctx.detail`
    on_done: Callable[[Job, dict[str, Any]], None] | None = None


class JobContext:
    """What a running job sees: its params, its saved detail, and ways to report progress."""

    def __init__(self, manager: JobManager, job: Job) -> None:
        self.manager = manager
        self.job_id = saved_id(job)
        self.key = job.pipeline_key
        self.step = job.step
        self.detail: dict[str, Any] = json.loads(job.detail or "{}")
        self.resumed = bool(self.detail.get("resumed"))

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = self.detail.get("params", {})
        return params

    def save(self, **values: Any) -> None:
        """Persist values at once (e.g. a remote job id) so that a restart can resume from them."""
        self.detail.update(values)
        self.manager._write(self.job_id, detail=self.detail)

    async def progress(self, pct: float, message: str = "", log: str | None = None, *, persist: bool = True) -> None:
        """Report progress. `persist=False` only updates the page (for fast streams, e.g. LLM text);
        the next persisted call or the end of the job writes the latest state."""
        if log:
            self.detail["log"] = ([*self.detail.get("log", []), log])[-LOG_KEEP:]
        self.detail["message"] = message
        self.pct = max(0.0, min(100.0, float(pct)))
        if persist:
            self.manager._write(self.job_id, progress=self.pct, detail=self.detail)
            self.manager.publish(self.job_id)
        else:
            self.manager.publish_live(self.job_id, self.pct, self.detail)
        await asyncio.sleep(0)  # a cancel lands here rather than deep inside the work


class JobManager:
    def __init__(self, db: Database, events: Broadcaster, renderer: Callable[[Job], Any] | None = None) -> None:
        self.db = db
        self.events = events
        self.kinds: dict[str, JobKind] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.renderer = renderer  # job -> its progress fragment, published over SSE; None renders nothing
        self.shutting_down = False

    def register(self, kind: JobKind) -> None:
        self.kinds[kind.name] = kind

    # -- persistence ------------------------------------------------------------------------
    def get(self, job_id: int) -> Job | None:
        job: Job | None = self.db.jobs.get(int(job_id), default=None)
        return job

    def latest(self, key: str, step: str) -> Job | None:
        rows: list[Job] = self.db.jobs(where="pipeline_key = ? AND step = ?", where_args=(key, step), order_by="id DESC", limit=1)
        return rows[0] if rows else None

    def active(self, kind: str | None = None) -> list[Job]:
        where = "status IN ('queued', 'running')" + (" AND kind = ?" if kind else "")
        rows: list[Job] = self.db.jobs(where=where, where_args=(kind,) if kind else (), order_by="id")
        return rows

    def recent(self, kind: str, limit: int = 20) -> list[Job]:
        rows: list[Job] = self.db.jobs(where="kind = ?", where_args=(kind,), order_by="id DESC", limit=limit)
        return rows

    def _write(self, job_id: int, **values: Any) -> None:
        if "detail" in values:
            values["detail"] = json.dumps(values["detail"])
        values["updated"] = now_iso()
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.db.transaction():
            self.db.conn.execute(f"UPDATE job SET {sets} WHERE id = ?", (*values.values(), job_id))

    def publish(self, job_id: int, end: bool = False) -> None:
        job = self.get(job_id)
        if job is None:
            return
        if self.renderer is not None:
            self.events.publish(f"job-{job_id}", to_xml(self.renderer(job)))
        if end:
            self.events.publish(f"job-{job_id}-end", job.status)

    def publish_live(self, job_id: int, pct: float, detail: dict[str, Any]) -> None:
        job = self.get(job_id)
        if job is not None and self.renderer is not None:
            job.progress, job.detail = pct, json.dumps(detail)
            self.events.publish(f"job-{job_id}", to_xml(self.renderer(job)))

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, kind: str, *, key: str = "", step: str = "", params: dict[str, Any] | None = None) -> Job:
        if kind not in self.kinds:
            raise ValueError(f"Unknown job kind {kind!r}")
        stamp = now_iso()
        with self.db.transaction():
            job: Job = self.db.jobs.insert(Job(pipeline_key=key, step=step, kind=kind, status="running", progress=0,
                                          detail=json.dumps({"params": params or {}, "log": [], "message": "Starting…"}),
                                          created=stamp, updated=stamp))
        self._spawn(job)
        return job

    def _spawn(self, job: Job) -> None:
        job_id = saved_id(job)
        self.tasks[job_id] = asyncio.get_running_loop().create_task(self._run(job_id), name=f"job-{job_id}")

    async def _run(self, job_id: int) -> None:
        job = self.get(job_id)
        if job is None:  # its run was deleted before the task got going
            self.tasks.pop(job_id, None)
            return
        kind = self.kinds[job.kind]
        ctx = JobContext(self, job)
        try:
            result = await kind.run(ctx) or {}
        except asyncio.CancelledError:
            if not self.shutting_down:
                self._finish(job_id, "cancelled", ctx, message="Cancelled.")
            raise
        except Problem as exc:  # refused for a reason the user can act on: no traceback in the log
            logger.info(f"job {job_id} ({job.kind}) refused: {exc.message}")
            self._finish(job_id, "failed", ctx, message=exc.message)
        except Exception as exc:  # a job that raises ends as failed; the server keeps running
            logger.opt(exception=exc).warning(f"job {job_id} ({job.kind}) failed")
            self._finish(job_id, "failed", ctx, message=_readable(exc))
        else:
            ctx.detail["result"] = result
            ctx.detail["completions"] = ctx.detail.get("completions", 0) + 1
            # The result is saved (e.g. into the workflow step) in the same transaction that marks the
            # job done, so nobody ever sees "done" without its data.
            try:
                with self.db.transaction():
                    if kind.on_done is not None:
                        kind.on_done(self.get(job_id) or job, result)
                    self._finish(job_id, "done", ctx, message=ctx.detail.get("message") or "Done.", progress=100)
            except Exception as exc:
                logger.opt(exception=exc).error(f"job {job_id}: saving the result failed")
                self._finish(job_id, "failed", ctx, message=f"The result could not be saved: {_readable(exc)}")
                return
            self.publish(job_id, end=True)
        finally:
            self.tasks.pop(job_id, None)

    def _finish(self, job_id: int, status: str, ctx: JobContext, *, message: str, progress: float | None = None) -> None:
        ctx.detail["message"] = message
        values: dict[str, Any] = {"status": status, "detail": ctx.detail}
        if progress is not None:
            values["progress"] = progress
        self._write(job_id, **values)
        if status != "done":
            self.publish(job_id, end=True)

    def cancel(self, job_id: int) -> bool:
        task = self.tasks.get(int(job_id))
        if task is None or task.done():
            job = self.get(job_id)
            if job is not None and job.status in ACTIVE:  # orphaned (e.g. its process died): just mark it
                self._write(job_id, status="cancelled")
                self.publish(job_id, end=True)
                return True
            return False
        task.cancel()
        return True

    async def recover(self) -> list[int]:
        """At start-up: resume resumable jobs that were running, mark the others interrupted."""
        resumed = []
        for job in self.active():
            job_id = saved_id(job)
            kind = self.kinds.get(job.kind)
            detail = json.loads(job.detail or "{}")
            if kind is not None and kind.resumable:
                detail["resumed"] = True
                detail.setdefault("log", []).append("Resumed after a restart.")
                self._write(job_id, status="running", detail=detail)
                self._spawn(job)
                resumed.append(job_id)
            else:
                detail["message"] = "Interrupted by a server restart. Retry to run it again."
                self._write(job_id, status="interrupted", detail=detail)
        return resumed

    async def shutdown(self) -> None:
        """Stop without marking jobs finished, so `recover()` can resume them next time."""
        self.shutting_down = True
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)


def saved_id(job: Job) -> int:
    """The id of a job read from (or inserted into) the table, which always has one."""
    if job.id is None:
        raise ValueError("This job was never saved: it has no id")
    return job.id


def _readable(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) < 500 else text[:497] + "…"
