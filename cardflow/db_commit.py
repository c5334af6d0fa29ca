"""Group commit: the event loop's writes share one COMMIT, and it runs in a thread.

Under `synchronous=FULL` every COMMIT waits for an fsync: milliseconds on a busy disk. Run on the
event loop, that wait stalled every request; run one at a time in a thread, it capped writes at
one per fsync (under load, a click waited for 75 others). So writes queue here. A flush takes
every write queued so far, runs each in its own SAVEPOINT inside one `BEGIN IMMEDIATE` (a write
that fails is rolled back alone), then hands the single COMMIT to the commit thread, while the
loop serves other requests from its reader connection. Each caller resumes once the commit that
holds its write is durable; a failed commit fails every write in it, and none was acknowledged.

The hand-off to the thread is not free: about 0.1 ms of CPU and two thread switches per commit,
more than a whole toggle's SQL. On a disk whose fsync returns in a fraction of a millisecond,
blocking the loop for the commit costs less than that, as long as nobody else waits for the
loop. So a commit runs on the loop when no other request is waiting (`others_waiting`) and
commits there are quick (under `INLINE_BELOW` on average, see `CommitPlace`); a slow one (a busy
or spinning disk, a checkpoint) sends the next ones back to the thread. The commit is the same
either way: same transaction, same fsync. Under 200 clients, committing on the loop whenever the
disk was quick cost pages 15% at p50; waiting requests now keep the hand-off.

When a write would commit on the loop anyway and has nothing to share its commit with (nothing
queued or committing, nobody waiting), it runs at once (`_write_now`): the same transaction and
savepoint, without the flush task, the future and the loop turn between them.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cardflow.db import Database

Pending = tuple[contextvars.Context, Callable[[], Any], "asyncio.Future[Any]"]
INLINE_BELOW = 0.002  # seconds: commits on the loop stay there while their running average is under this
STALL = 0.050  # seconds: one commit this slow on the loop is enough to hand off the next ones
SMOOTHING = 1 / 16  # weight of the newest commit in the running average
PROBE_AFTER = 32  # commits handed to the thread before one is tried on the loop again
PROBE_MAX = 4096  # after each slow try the wait doubles, up to this


class CommitPlace:
    """Where the next commit runs: on the event loop while commits there are quick, else in the
    thread, trying one on the loop after `probe_after` of those (twice as many after each slow
    try) to learn whether the disk is quick again.

    Quick is a running average: this disk's fsync is 0.3-0.8 ms with a tail of a few ms (a
    checkpoint), and judging each commit alone sent a quarter of them to the thread. Only commits
    on the loop are timed: in the thread the time would include waiting for the GIL while the loop
    runs. Starts in the thread: nothing is known about the disk yet."""

    def __init__(self, inline_below: float = INLINE_BELOW, probe_after: int = PROBE_AFTER) -> None:
        self.inline_below = inline_below
        self.probe_after = probe_after
        self.inline = False
        self.average = 0.0
        self._wait = probe_after
        self._handed = 0

    def next_inline(self) -> bool:
        """Whether the next commit runs on the loop (and is timed with `measured`)."""
        if self.inline:
            return True
        self._handed += 1
        return self._handed > self._wait

    def measured(self, seconds: float) -> None:
        """The time a commit on the loop took."""
        if self.inline:
            self.average += (seconds - self.average) * SMOOTHING
            if self.average >= self.inline_below or seconds >= STALL:
                self.inline = False
        elif seconds < self.inline_below:  # a try that was quick: the loop takes them from now on
            self.inline, self.average, self._wait = True, seconds, self.probe_after
        else:  # a try that was slow: wait longer before the next
            self._wait = min(self._wait * 2, PROBE_MAX)
        self._handed = 0


class GroupCommit:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[Pending]] = \
            weakref.WeakKeyDictionary()
        self._flushers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]] = \
            weakref.WeakKeyDictionary()
        self._thread: ThreadPoolExecutor | None = None
        self.place = CommitPlace()
        # Whether requests other than the `n` whose writes are in the batch wait for the loop; the
        # server sets it (cardflow/app.py). Then the commit is handed off however quick it would be.
        self.others_waiting: Callable[[int], bool] = lambda n: False

    async def write(self, work: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        if self._alone(loop):
            return self._write_now(work)
        done: asyncio.Future[Any] = loop.create_future()
        # The caller's context (its page's profile, the events it holds back) goes with its work.
        self._queues.setdefault(loop, []).append((contextvars.copy_context(), work, done))
        flusher = self._flushers.get(loop)
        if flusher is None or flusher.done():
            self._flushers[loop] = loop.create_task(self._flush(loop))
        # A cancelled caller does not take its write out of a commit already under way.
        return await asyncio.shield(done)

    def _alone(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Nothing to group with: no write queued or committing on this loop, no other request
        waiting, commits on the loop are quick, and the writer is free (then it is taken)."""
        if self._queues.get(loop) or not self.place.inline or self.others_waiting(1):
            return False
        flusher = self._flushers.get(loop)
        if flusher is not None and not flusher.done():
            return False
        return self.db._lock.acquire(blocking=False)

    def _write_now(self, work: Callable[[], Any]) -> Any:
        """The write and its commit on the loop, as a flush of a batch of one would run them, minus
        the task, the future and the loop turn between them."""
        try:
            [(error, value)] = self._run([(contextvars.copy_context(), work)])
        except BaseException:  # BEGIN itself failed: nothing ran
            self.db._lock.release()
            raise
        if error is not None:  # nothing of it is kept: no commit, and no fsync, for it
            try:
                if self.db.writer.in_transaction:
                    self.db.writer.execute("ROLLBACK")
            finally:
                self.db._lock.release()
            raise error
        started = time.perf_counter()
        self._commit_and_release()
        self.place.measured(time.perf_counter() - started)
        return value

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
                outcomes = self._run([(context, work) for context, work, _ in batch])
            except BaseException as exc:  # BEGIN itself failed: nothing ran
                self.db._lock.release()
                _fail(batch, exc)
                continue
            try:
                if not self.others_waiting(len(batch)) and self.place.next_inline():
                    started = time.perf_counter()
                    self._commit_and_release()
                    self.place.measured(time.perf_counter() - started)
                else:
                    # The commit thread owns the writer from here and releases the lock when it is
                    # done, so a synchronous transaction() on the loop never waits on this coroutine.
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

    def _run(self, batch: list[tuple[contextvars.Context, Callable[[], Any]]]) -> list[tuple[BaseException | None, Any]]:
        writer, depth = self.db.writer, self.db._depth
        outcomes: list[tuple[BaseException | None, Any]] = []
        depth.n = 1
        try:
            writer.execute("BEGIN IMMEDIATE")
            for context, work in batch:
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
