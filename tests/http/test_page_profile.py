"""Every write goes to the profile of the page that sent it (the X-Cardflow-Profile header)."""

from __future__ import annotations

from typing import Any


def test_writes_follow_the_page_profile_not_the_last_choice(client: Any, app: Any) -> None:
    ctx = app.state.ctx
    second = ctx.db.profiles.insert(name="Second", active=True, priority=1).id
    ctx.db.store["last_profile_id"] = second  # another tab switched
    first_page = {"HX-Request": "true", "X-Cardflow-Profile": "1"}

    assert client.post("/tasks/insert", data={"name": "typed in tab one"}, headers=first_page).status_code == 200
    assert client.post("/hello/init", data={"key": "run-one"}, headers=first_page).status_code == 200
    assert ctx.db.query("SELECT profile_id FROM task")[0]["profile_id"] == 1
    assert ctx.db.query("SELECT profile_id FROM pipeline WHERE key = 'run-one'")[0]["profile_id"] == 1
    assert ctx.db.query("SELECT profile_id, actor FROM action_log WHERE action = 'tasks.add'") == [
        {"profile_id": 1, "actor": "ui"}]

    # No header (a fresh page load) and a header naming a deleted profile both use the last choice.
    client.post("/tasks/insert", data={"name": "no header"}, headers={"HX-Request": "true"})
    client.post("/tasks/insert", data={"name": "gone"}, headers={"HX-Request": "true", "X-Cardflow-Profile": "99"})
    rows = {r["name"]: r["profile_id"] for r in ctx.db.query("SELECT name, profile_id FROM task")}
    assert rows == {"typed in tab one": 1, "no header": second, "gone": second}


def test_the_page_names_its_profile_for_htmx_sse_and_the_chat_socket(client: Any) -> None:
    html = client.get("/tasks").text
    assert '"X-Cardflow-Profile": "1"' in html.replace("&quot;", '"')
    assert "/sse?client=" in html and "&amp;profile=1" in html
    assert "/ws?client=" in html
