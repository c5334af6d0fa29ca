"""Group commit: the event loop's writes share one COMMIT, and it runs in a thread.

Under `synchronous=FULL` every COMMIT waits for an fsync: milliseconds on a busy disk. Run on the
event loop, that wait stalled every request; run one at a time in a thread, it capped writes at
one per fsync (under load, a click waited for 75 others). So writes queue here. A flush takes
every write queued so far, runs each in its own SAVEPOINT inside one `BEGIN IMMEDIATE` (a write
that fails is rolled back alone), then hands the single COMMIT to the commit thread, while the
loop serves other requests from its reader connection. Each caller resumes once the commit that
holds its write is durable; a failed commit fails every write in it, and none was acknowledged.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cardflow.db import Database

Pending = tuple[contextvars.Context, Callable[[], Any], "asyncio.Future[Any]"]


class GroupCommit:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[Pending]] = \
            weakref.WeakKeyDictionary()
        self._flushers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]] = \
            weakref.WeakKeyDictionary()
        self._thread: ThreadPoolExecutor | None = None

    async def write(self, work: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        # The caller's context (its page's profile, the events it holds back) goes with its work.
        self._queues.setdefault(loop, []).append((contextvars.copy_context(), work, done))
        flusher = self._flushers.get(loop)
        if flusher is None or flusher.done():
            self._flushers[loop] = loop.create_task(self._flush(loop))
        # A cancelled caller does not take its write out of a commit already under way.
        return await asyncio.shield(done)

    async def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        queue = self._queues[loop]
        while queue:
            batch = queue[:]
            del queue[:]
            # A writer in another thread (a job, a sync handler) may hold the lock: wait for it here,
            # not in a worker thread, where waits could starve the commit that releases it.
            while not self.db._lock.acquire(blocking=False):
                await asyncio.sleep(0.001)
            try:
                outcomes = self._run(batch)
            except BaseException as exc:  # BEGIN itself failed: nothing ran
                self.db._lock.release()
                _fail(batch, exc)
                continue
            try:
                # The commit thread owns the writer from here and releases the lock when it is done,
                # so a synchronous transaction() on the loop never waits on this coroutine.
                await loop.run_in_executor(self.committer(), self._commit_and_release)
            except BaseException as exc:
                _fail(batch, exc)
                continue
            for (_, _, done), (error, value) in zip(batch, outcomes, strict=True):
                if done.done():
                    continue
                if error is not None:
                    done.set_exception(error)
                else:
                    done.set_result(value)

    def _run(self, batch: list[Pending]) -> list[tuple[BaseException | None, Any]]:
        writer, depth = self.db.writer, self.db._depth
        outcomes: list[tuple[BaseException | None, Any]] = []
        depth.n = 1
        try:
            writer.execute("BEGIN IMMEDIATE")
            for context, work, _ in batch:
                writer.execute("SAVEPOINT cardflow_write")
                try:
                    value = context.run(work)
                except BaseException as exc:
                    writer.execute("ROLLBACK TO cardflow_write")
                    writer.execute("RELEASE cardflow_write")
                    outcomes.append((exc, None))
                    continue
                writer.execute("RELEASE cardflow_write")
                outcomes.append((None, value))
        except BaseException:
            if writer.in_transaction:
                writer.execute("ROLLBACK")
            raise
        finally:
            depth.n = 0
        return outcomes

    def committer(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="cardflow-commit")
        return self._thread

    def _commit_and_release(self) -> None:
        writer = self.db.writer
        try:
            try:
                writer.execute("COMMIT")
            except BaseException:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                raise
        finally:
            self.db._lock.release()

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)


def _fail(batch: list[Pending], exc: BaseException) -> None:
    for _, _, done in batch:
        if not done.done():
            done.set_exception(exc)
