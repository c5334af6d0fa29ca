"""Writes under load (issue 19): one commit per change, committed off the event loop.

A step submit used to commit three times (the state, its chat note, the action_log row), each an
fsync under synchronous=FULL, all on the event loop. Now the change and its log row share one
transaction whose COMMIT runs in a worker thread (on the loop while commits are quick: see
cardflow/db_commit.py), while the loop reads from its own connection.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import apsw
import pytest

from cardflow.actions import Action
from cardflow.actions.schema import obj
from cardflow.db import Database
from cardflow.errors import Problem

HX = {"HX-Request": "true"}


@contextmanager
def commits(db: Database) -> Iterator[list[int]]:
    """Count the commits of the writer connection (a transaction that wrote nothing is not one)."""
    seen: list[int] = []

    def hook() -> bool:
        seen.append(1)
        return False  # False: let the commit go ahead

    db.writer.set_commit_hook(hook)
    try:
        yield seen
    finally:
        db.writer.set_commit_hook(None)


def rows(db: Database, sql: str) -> int:
    return int(db.query(sql)[0]["n"])


def test_a_step_submit_commits_state_note_and_log_once(client: Any, app: Any) -> None:
    db = app.state.ctx.db
    client.post("/hello/init", data={"key": "one-commit"}, headers=HX)
    notes, logs = rows(db, "SELECT count(*) AS n FROM message"), rows(db, "SELECT count(*) AS n FROM action_log")
    with commits(db) as seen:
        r = client.post("/hello/step/name?key=one-commit", data={"name": "Ada <b>"}, headers=HX)
    assert r.status_code == 200 and "Ada &lt;b&gt;" in r.text
    assert len(seen) == 1  # was 3: the state, the chat note and the action_log row each committed
    assert rows(db, "SELECT count(*) AS n FROM message") == notes + 1
    assert rows(db, "SELECT count(*) AS n FROM action_log") == logs + 1
    assert app.state.ctx.pipulate.read_state("one-commit")["name"] == {"name": "Ada <b>"}


def test_task_insert_and_toggle_commit_once_each(client: Any, app: Any) -> None:
    db = app.state.ctx.db
    with commits(db) as seen:
        client.post("/tasks/insert", data={"name": "milk"}, headers=HX)
    assert len(seen) == 1
    task = db.tasks()[0]
    with commits(db) as seen:
        r = client.post(f"/tasks/{task.id}/toggle", headers=HX)
    assert len(seen) == 1 and "checked" in r.text
    assert db.tasks[task.id].done


def test_a_refused_step_writes_nothing_and_says_why(client: Any, app: Any) -> None:
    db = app.state.ctx.db
    client.post("/hello/init", data={"key": "refused"}, headers=HX)
    logs = rows(db, "SELECT count(*) AS n FROM action_log")
    with commits(db) as seen:
        r = client.post("/hello/step/name?key=refused", data={"name": ""}, headers=HX)
    assert r.status_code == 200 and 'aria-invalid="true"' in r.text
    assert seen == [] and rows(db, "SELECT count(*) AS n FROM action_log") == logs


def test_a_step_locked_while_its_value_was_checked_is_not_saved(client: Any, app: Any) -> None:
    """Validation may await; the run is checked again inside the transaction that saves."""
    ctx = app.state.ctx
    flow = ctx.registry.by_name("hello")
    client.post("/hello/init", data={"key": "raced"}, headers=HX)

    async def race() -> None:
        step, data = await flow.check_submit("raced", "name", {"name": "Ada"})
        ctx.pipulate.finalize("raced")  # another tab, between the check and the save
        with pytest.raises(Problem, match="finalized"):
            flow.save_submit("raced", step, data, ctx.current_profile_id())

    asyncio.run(race())
    assert "name" not in ctx.pipulate.read_state("raced")


def test_events_wait_for_the_commit_and_a_rollback_sends_none(app: Any) -> None:
    ctx = app.state.ctx
    profile = ctx.current_profile_id()

    def failing(call: Any) -> None:
        ctx.db.tasks.insert(profile_id=call.profile_id, name="half", done=False, priority=0)
        ctx.events.publish("oob", "<li>half</li>", profile_id=call.profile_id)
        raise Problem("Refused after writing.")

    ctx.actions.add(Action("test.failing", "Writes, publishes, then refuses.", failing, obj(),
                           commit_off_loop=True))

    async def go() -> list[Any]:
        queue = ctx.events.listen(profile)
        with pytest.raises(Problem, match="Refused"):
            await ctx.actions.run("test.failing", {}, actor="cli")
        await ctx.actions.run("tasks.add", {"name": "whole"}, actor="cli")
        got = []
        while not queue.empty():
            got.append(queue.get_nowait())
        return got

    events = asyncio.run(go())
    assert [t.name for t in ctx.db.tasks()] == ["whole"]  # the refused write was rolled back
    assert events and all("half" not in e.data for e in events)
    assert any("whole" in e.data for e in events)
    assert rows(ctx.db, "SELECT count(*) AS n FROM action_log WHERE action = 'test.failing'") == 0


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "perf2.db")
    yield database
    database.close()


def test_the_loop_reads_while_a_commit_is_in_flight(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commit (an fsync) runs in a worker thread; the loop's reader neither waits for it nor
    sees the change before it is durable."""
    release = threading.Event()
    started = threading.Event()
    commit = db.commits._commit_and_release
    db.commits.place.inline_below = 0.0  # every commit counts as slow: the thread takes them all

    def slow_commit() -> None:
        started.set()
        release.wait(10)
        commit()

    monkeypatch.setattr(db.commits, "_commit_and_release", slow_commit)

    async def go() -> tuple[int, int, int]:
        write = asyncio.ensure_future(db.write(
            lambda: db.tasks.insert(profile_id=1, name="pending", done=False, priority=0).id))
        while not started.is_set():
            await asyncio.sleep(0.001)
        during = rows(db, "SELECT count(*) AS n FROM task")  # answered now, from the reader
        release.set()
        task_id = await write
        return during, rows(db, "SELECT count(*) AS n FROM task"), task_id

    during, after, task_id = asyncio.run(go())
    assert (during, after) == (0, 1) and task_id
    assert Database(db.path).tasks[task_id].name == "pending"  # another connection sees it: committed


def test_many_writers_and_a_synchronous_one_never_deadlock(db: Database) -> None:
    """Regression: writers waiting for the lock on worker threads starved the commit releasing it."""

    async def go() -> None:
        async def add(i: int) -> None:
            await db.write(lambda: db.conn.execute("INSERT INTO store(key, value) VALUES (?, '1')", (f"k{i}",)))

        writers = [asyncio.ensure_future(add(i)) for i in range(60)]
        await asyncio.sleep(0)
        db.store["sync"] = 1  # a plain transaction() on the loop thread meanwhile
        await asyncio.wait_for(asyncio.gather(*writers), 30)

    asyncio.run(go())
    assert len(db.store) == 61


def test_a_cancelled_writer_still_commits_and_frees_the_lock(db: Database) -> None:
    async def go() -> None:
        first = asyncio.ensure_future(db.write(lambda: db.store.__setitem__("a", 1)))
        await asyncio.sleep(0)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.wait_for(db.write(lambda: db.store.__setitem__("b", 2)), 10)

    asyncio.run(go())
    assert db.store.get("b") == 2


def test_a_failed_write_keeps_nothing(db: Database) -> None:
    def work() -> None:
        db.store["x"] = 1
        raise ValueError("no")

    async def go() -> None:
        with pytest.raises(ValueError):
            await db.write(work)
        await db.write(lambda: db.store.__setitem__("y", 2))

    asyncio.run(go())
    assert "x" not in db.store and db.store["y"] == 2
    with pytest.raises(apsw.SQLError):  # the writer is not left inside a transaction
        db.writer.execute("COMMIT")


def test_writes_queued_together_share_one_commit_and_a_failure_stays_alone(db: Database) -> None:
    """Group commit: one fsync for every write queued while the disk was busy; a write that fails
    is rolled back to its own savepoint and the others are kept."""

    def refused() -> None:
        db.store["refused"] = 1
        raise ValueError("refused")

    async def go() -> list[Any]:
        writes = [db.write(lambda i=i: db.store.__setitem__(f"k{i}", i)) for i in range(20)]
        return await asyncio.gather(*writes[:10], db.write(refused), *writes[10:], return_exceptions=True)

    with commits(db) as seen:
        results = asyncio.run(go())
    assert len(seen) == 1
    assert isinstance(results[10], ValueError) and results.count(None) == 20
    assert "refused" not in db.store and sorted(db.store.keys()) == sorted(f"k{i}" for i in range(20))


def commit_threads(db: Database, n: int, prefix: str) -> list[str]:
    """The thread each of `n` writes committed on."""
    seen: list[str] = []

    def hook() -> bool:
        seen.append(threading.current_thread().name)
        return False

    async def go() -> None:
        for i in range(n):
            await db.write(lambda i=i: db.conn.execute("INSERT INTO store(key, value) VALUES (?, '1')", (f"{prefix}{i}",)))

    db.writer.set_commit_hook(hook)
    try:
        asyncio.run(go())
    finally:
        db.writer.set_commit_hook(None)
    return seen


def test_quick_commits_move_to_the_loop_and_a_slow_one_sends_them_back_to_the_thread(db: Database) -> None:
    """A hand-off costs more CPU than a quick fsync blocks the loop; a slow commit is handed off."""
    from cardflow.db_commit import CommitPlace

    place = db.commits.place = CommitPlace(inline_below=60.0, probe_after=3)  # any commit here is quick
    first = commit_threads(db, 5, "a")
    # Three handed off while nothing is known, then one tried on the loop: quick, so it stays there.
    assert [name.startswith("cardflow-commit") for name in first] == [True, True, True, False, False]
    assert place.inline and len(db.store) == 5

    place.inline_below = 0.0  # from now on every commit is slow: the next one moves back
    second = commit_threads(db, 2, "b")
    assert not second[0].startswith("cardflow-commit") and second[1].startswith("cardflow-commit")
    assert not place.inline and len(db.store) == 7


def test_a_slow_try_on_the_loop_doubles_the_wait_before_the_next() -> None:
    from cardflow.db_commit import STALL, CommitPlace

    place = CommitPlace(inline_below=0.001, probe_after=2)
    assert [place.next_inline() for _ in range(3)] == [False, False, True]
    place.measured(0.005)  # the try was slow: the next waits for 4 hand-offs
    assert [place.next_inline() for _ in range(5)] == [False, False, False, False, True]
    place.measured(0.0002)  # quick: every commit on the loop from now on
    assert all(place.next_inline() for _ in range(10))
    place.measured(0.004)  # one slower commit moves the average, not the commits
    assert place.inline
    place.measured(STALL)  # one stall is enough: back to the thread, the wait reset
    assert [place.next_inline() for _ in range(3)] == [False, False, True]


def test_a_disk_that_turns_slow_sends_commits_to_the_thread_within_a_few() -> None:
    from cardflow.db_commit import CommitPlace

    place = CommitPlace(inline_below=0.002, probe_after=2)
    for _ in range(3):
        place.next_inline()
    place.measured(0.0004)
    slow = 0
    while place.inline:
        place.measured(0.010)  # a disk now taking 10 ms per fsync
        slow += 1
    assert 1 < slow <= 4


def test_a_commit_is_handed_off_while_other_requests_wait_for_the_loop(db: Database) -> None:
    from cardflow.db_commit import CommitPlace

    db.commits.place = CommitPlace(inline_below=60.0, probe_after=0)  # quick: the loop would take it
    asked: list[int] = []

    def others_waiting(n: int) -> bool:
        asked.append(n)
        return len(asked) > 2  # the first two commits find nobody else waiting

    db.commits.others_waiting = others_waiting
    names = commit_threads(db, 4, "w")
    assert [name.startswith("cardflow-commit") for name in names] == [False, False, True, True]
    # Each batch held one write. The first write is queued (nothing is known of the disk yet) and
    # asked once, by its flush; every later one is asked first whether it may commit at once
    # (`_alone`), and the two that found others waiting are asked again by their flush.
    assert asked == [1, 1, 1, 1, 1, 1]


def test_a_lone_write_on_a_quick_disk_commits_at_once_and_fails_cleanly(db: Database) -> None:
    """No write queued, nobody waiting, quick commits: the write and its commit run straight on the
    loop (no flush task); a failing one keeps nothing, raises its own error and frees the writer."""
    from cardflow.db_commit import CommitPlace

    db.commits.place = CommitPlace(inline_below=60.0, probe_after=0)
    db.commits.place.inline = True
    tasks_made: list[int] = []

    def refused() -> None:
        db.store["refused"] = 1
        raise ValueError("refused")

    async def go() -> None:
        loop = asyncio.get_running_loop()
        real = loop.create_task

        def counting(*args: Any, **kwargs: Any) -> Any:
            tasks_made.append(1)
            return real(*args, **kwargs)

        loop.create_task = counting  # type: ignore[method-assign]
        try:
            assert await db.write(lambda: db.store.__setitem__("kept", 1) or "value") == "value"
            with pytest.raises(ValueError, match="refused"):
                await db.write(refused)
            assert await db.write(lambda: db.store.__setitem__("after", 2)) is None
        finally:
            loop.create_task = real  # type: ignore[method-assign]

    with commits(db) as seen:
        asyncio.run(go())
    assert tasks_made == [] and len(seen) == 2  # the refused write committed nothing
    assert db.store["kept"] == 1 and db.store["after"] == 2 and "refused" not in db.store
    assert db.commits.place.inline
    assert db._lock.acquire(blocking=False)
    db._lock.release()
