"""Clearing many rows at once (``<app>.clear``): from the page's "Clear done", from the assistant
after a Confirm, from the CLI; one logged change that Undo brings back whole."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.http.test_chat import ORIGIN, build, converse
from tests.http.test_receipts import BASE, receipts
from tests.unit.test_cli_actions import cardflow

HX = {"HX-Request": "true"}


def seed(ctx: Any, rows: list[tuple[str, bool]], profile_id: int = 1) -> None:
    for i, (name, done) in enumerate(rows):
        ctx.db.tasks.insert(profile_id=profile_id, name=name, done=done, priority=i)


def shown(ctx: Any, profile_id: int = 1) -> list[tuple[str, bool]]:
    return [(t.name, bool(t.done)) for t in ctx.db.tasks() if t.profile_id == profile_id]


ROWS = [("pay rent", False), ("call <mum>", True), ("fix the sink", False), ("walk the dog", True)]


def test_clear_done_from_the_page_takes_only_this_profiles_done_rows_and_activity_brings_them_back(
        client: Any, app: Any) -> None:
    ctx = app.state.ctx
    other = ctx.db.profiles.insert(name="Globex", active=True, priority=1).id
    seed(ctx, ROWS)
    seed(ctx, [("globex done", True)], other)
    page = client.get("/tasks").text
    assert 'hx-post="/tasks/clear"' in page and "hx-confirm=" in page and ">Clear done<" in page
    assert 'data-flagged="2"' in page  # the button shows while some are done (cardflow.css)
    r = client.post("/tasks/clear", headers=HX)
    assert r.status_code == 200 and "Deleted 2 done tasks." in r.text
    assert "2 open · 0 done" in r.text and 'data-flagged="0"' in r.text and 'id="tasks-list"' in r.text and "walk the dog" not in r.text
    assert shown(ctx) == [("pay rent", False), ("fix the sink", False)]
    assert shown(ctx, other) == [("globex done", True)]  # another profile's rows are never in reach
    (entry,) = ctx.db.query("SELECT id, actor, action FROM action_log")
    assert (entry["actor"], entry["action"]) == ("ui", "tasks.clear")

    again = client.post("/tasks/clear", headers=HX)  # nothing left to clear: said, nothing logged
    assert "There was nothing to delete: no done tasks." in again.text
    assert ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 1

    undone = client.post(f"/activity/undo/{entry['id']}", headers=HX)
    assert "Undid: Deleted 2 done tasks." in undone.text
    assert shown(ctx) == ROWS  # every row back, in its place
    assert "&lt;mum&gt;" in client.get("/tasks").text and "<mum>" not in client.get("/tasks").text


def test_an_app_of_every_profiles_rows_has_nothing_to_clear(client: Any, app: Any) -> None:
    assert "profiles.clear" not in app.state.ctx.actions and "tasks.clear" in app.state.ctx.actions
    assert "/profiles/clear" not in client.get("/profiles").text
    assert client.post("/profiles/clear", headers=HX).status_code in (404, 405)


def test_the_assistants_clear_waits_for_confirm_then_undo_brings_every_row_back(data_dir, monkeypatch):
    clear = '{"action": "tasks.clear", "params": {"which": "all"}}'
    wrong = '{"action": "tasks.clear", "params": {"which": "everything"}}'
    app = build(data_dir, monkeypatch, replies=[wrong, clear])
    ctx = app.state.ctx
    seed(ctx, ROWS)
    with TestClient(app, base_url=BASE, headers=ORIGIN) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "throw everything away"))  # a value the action does not take
        assert "must be one of: all, done, not done" in frames and "receipt-proposal" not in frames
        assert shown(ctx) == ROWS
        frames = "".join(converse(client, "start again with an empty list"))
        assert "receipt-proposal" in frames and "Delete every task" in frames and "Confirm" in frames
        assert shown(ctx) == ROWS  # nothing without a click
        proposal = receipts(app)[-1]
        r = client.post(f"/chat/receipt/{proposal.id}/confirm")
        assert "receipt-done" in r.text and "Deleted 4 tasks." in r.text and shown(ctx) == []
        r = client.post(f"/chat/receipt/{proposal.id}/undo/0")
        assert "is-undone" in r.text and shown(ctx) == ROWS
    logged = ctx.db.query("SELECT actor, action FROM action_log ORDER BY id")
    assert [(x["actor"], x["action"]) for x in logged] == [("assistant", "tasks.clear"), ("ui", "activity.undo")]


def test_clear_from_the_cli_and_its_refusals(data_dir) -> None:
    for name in ("a", "b", "c"):
        assert cardflow(data_dir, "call", "tasks.add", f"name={name}").returncode == 0
    assert cardflow(data_dir, "call", "tasks.toggle", "item=b").returncode == 0
    missing = cardflow(data_dir, "call", "tasks.clear")
    assert missing.returncode == 2 and "Missing parameter: “which”" in missing.stderr
    bad = cardflow(data_dir, "call", "tasks.clear", "which=finished")
    assert bad.returncode == 2 and "must be one of: all, done, not done" in bad.stderr
    done = cardflow(data_dir, "call", "tasks.clear", "which=not done")
    assert done.returncode == 0 and "Deleted 2 tasks not done." in done.stdout
    from cardflow.db import Database

    assert Database(data_dir / "cardflow.db").query("SELECT name, done FROM task") == [{"name": "b", "done": 1}]


def test_a_clear_is_one_transaction(app: Any, monkeypatch) -> None:
    """A row that cannot be deleted halfway leaves every row as it was, and nothing logged."""
    ctx = app.state.ctx
    seed(ctx, ROWS)
    tasks = ctx.registry.by_name("tasks")
    real = type(tasks).delete_item
    calls = []

    def flaky(self: Any, item_id: Any, profile_id: int, *, origin: str | None = None) -> Any:
        calls.append(item_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(self, item_id, profile_id, origin=origin)

    monkeypatch.setattr(type(tasks), "delete_item", flaky)
    with pytest.raises(RuntimeError):
        asyncio.run(ctx.actions.run("tasks.clear", {"which": "all"}, actor="mcp"))
    assert len(calls) == 2 and shown(ctx) == ROWS
    assert ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0
