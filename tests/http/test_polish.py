"""Small promises a person notices: unique profile names, labelled fields, reverts that keep values,
a runs table that is never stale."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cardflow.errors import Problem

HX = {"HX-Request": "true"}


def test_a_duplicate_profile_name_is_refused_with_a_message(client: Any, app: Any) -> None:
    ctx = app.state.ctx
    ctx.db.profiles.update(id=1, name="Acme Corp")
    r = client.post("/profiles/insert", data={"name": "acme corp"}, headers=HX)
    assert "A profile named “acme corp” already exists" in r.text
    assert [p.name for p in ctx.db.profiles()] == ["Acme Corp"]
    with pytest.raises(Problem, match="already exists"):
        asyncio.run(ctx.actions.run("profiles.add", {"name": "ACME CORP"}, actor="mcp"))
    other = ctx.db.profiles.insert(name="Globex", active=True, priority=1)
    r = client.post(f"/profiles/{other.id}/update", data={"name": "Acme Corp"}, headers=HX)
    assert "already exists" in r.text and ctx.db.profiles[other.id].name == "Globex"
    # Renaming a profile to its own name (another letter case) is not a clash.
    assert "already exists" not in client.post("/profiles/1/update", data={"name": "ACME Corp"}, headers=HX).text


def test_profile_fields_have_visible_labels(client: Any) -> None:
    html = client.get("/profiles/1/edit", headers=HX).text
    for label in ("Name", "Real name", "Address", "Code"):
        assert f"<label class=\"edit-field\">{label}" in html


def test_revert_offers_the_old_value_again(client: Any) -> None:
    client.post("/hello/init", data={"key": "r"}, headers=HX)
    client.post("/hello/step/name?key=r", data={"name": "Ada"}, headers=HX)
    client.post("/hello/step/greeting?key=r", data={"greeting": "Hi there, Ada"}, headers=HX)
    client.post("/hello/revert/name?key=r", headers=HX)
    assert 'value="Ada"' in client.get("/hello/step/name?key=r", headers=HX).text
    client.post("/hello/step/name?key=r", data={"name": "Grace"}, headers=HX)
    # The greeting was reverted too: its old text comes back rather than a fresh suggestion.
    assert 'value="Hi there, Ada"' in client.get("/hello/step/greeting?key=r", headers=HX).text


def test_saved_runs_show_finalized_at_once(client: Any) -> None:
    client.post("/hello/init", data={"key": "f"}, headers=HX)
    client.post("/hello/step/name?key=f", data={"name": "Ada"}, headers=HX)
    client.post("/hello/step/greeting?key=f", data={"greeting": "Hi"}, headers=HX)
    r = client.post("/hello/finalize?key=f", headers=HX)
    assert 'id="hello-key-table"' in r.text and 'hx-swap-oob="true"' in r.text
    table = r.text[r.text.index('id="hello-key-table"'):]
    assert "finalized" in table and "in progress" not in table
    assert 'hx-trigger="sse:runs-hello"' in r.text


def test_simulator_runs_are_numbered_per_app(client: Any, app: Any) -> None:
    ctx = app.state.ctx
    for _ in range(2):  # other apps' jobs take job ids first
        ctx.db.jobs.insert(pipeline_key="k", step="s", kind="other.kind", status="done", progress=100,
                           detail="{}", created="2026-01-01", updated="2026-01-01")
    r = client.post("/stream_simulator/start", data={"duration": "0.1", "updates": "1"}, headers=HX)
    assert "Run 1:" in r.text and "Run 3:" not in r.text
