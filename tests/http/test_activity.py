"""The Activity page: every change in the profile, newest first, by actor, each with Undo."""

from __future__ import annotations

import asyncio
from typing import Any

HX = {"HX-Request": "true"}


def run(ctx: Any, name: str, params: dict[str, Any], actor: str) -> Any:
    return asyncio.run(ctx.actions.run(name, params, actor=actor))


def test_activity_lists_changes_by_actor_and_undoes_them(client: Any, app: Any) -> None:
    ctx = app.state.ctx
    run(ctx, "tasks.add", {"name": "from the agent"}, "mcp")
    client.post("/tasks/insert", data={"name": "<b>typed</b>"}, headers=HX)
    page = client.get("/activity").text
    assert page.index("Added task “&lt;b&gt;typed&lt;/b&gt;”.") < page.index("Added task “from the agent”.")
    assert "<b>typed</b>" not in page  # user text is escaped

    only_mcp = client.get("/activity/list?actor=mcp", headers=HX).text
    assert "from the agent" in only_mcp and "typed" not in only_mcp

    entry = ctx.db.query("SELECT id FROM action_log WHERE actor = 'mcp'")[0]["id"]
    r = client.post(f"/activity/undo/{entry}", headers=HX)
    assert "Undid: Added task “from the agent”." in r.text
    assert [t.name for t in ctx.db.tasks()] == ["<b>typed</b>"]
    assert "undone by #" in r.text

    again = client.post(f"/activity/undo/{entry}", headers=HX)  # nothing left to undo: refused, said
    assert "has changed since" in again.text
    assert [t.name for t in ctx.db.tasks()] == ["<b>typed</b>"]
    assert "not an activity id" in client.post("/activity/undo/abc", headers=HX).text


def test_activity_is_per_profile(client: Any, app: Any) -> None:
    ctx = app.state.ctx
    other = ctx.db.profiles.insert(name="Globex", active=True, priority=1).id
    asyncio.run(ctx.actions.run("tasks.add", {"name": "globex only"}, actor="cli", profile_id=other))
    assert "globex only" not in client.get("/activity").text
    entry = ctx.db.query("SELECT id FROM action_log")[0]["id"]
    assert "no activity" in client.post(f"/activity/undo/{entry}", headers=HX).text
    assert [t.name for t in ctx.db.tasks()] == ["globex only"]
