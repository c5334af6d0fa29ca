"""Actions no other test calls directly: link graphs, run lists, exports and job steps."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from cardflow.errors import Problem
from cardflow.linkgraph.ingest import ingest


def run(ctx: Any, name: str, params: dict[str, Any] | None = None) -> Any:
    return asyncio.run(ctx.actions.run(name, params or {}, actor="cli")).result


@pytest.fixture
def ctx(app: Any) -> Any:
    return app.state.ctx


def test_link_graph_actions_read_a_built_graph(ctx: Any, data_dir: Path) -> None:
    folder = data_dir / "linkgraph" / "crawl-graph-site-0123456789"
    folder.mkdir(parents=True)
    edges = folder / "edges.csv"
    edges.write_text("source,target\nhttps://s.test/,https://s.test/a\nhttps://s.test/,https://s.test/b\n"
                     "https://s.test/a,https://s.test/b\n")
    ingest(edges, None, folder / "graph.duckdb")
    (folder / "meta.json").write_text(json.dumps({"app": "crawl_graph", "key": "site", "nodes": 3, "edges": 3}))

    graphs = run(ctx, "graph_view.list")["graphs"]
    assert [g["graph"] for g in graphs] == [folder.name] and graphs[0]["key"] == "site"
    gid = {"graph": folder.name}
    summary = run(ctx, "graph_view.summary", gid)
    assert summary["node_count"] == 3 and summary["edge_count"] == 3
    assert run(ctx, "graph_view.top_pages", gid)["pages"][0]["url"] == "https://s.test/b"
    assert [p["url"] for p in run(ctx, "graph_view.search", {**gid, "query": "/a"})["pages"]] == ["https://s.test/a"]
    links = run(ctx, "graph_view.links", {**gid, "url": "https://s.test/a"})
    assert links["inlink_count"] == 1 and links["outlink_count"] == 1
    assert "orphan_count" in run(ctx, "graph_view.orphans", gid)
    with pytest.raises(Problem, match="no page"):
        run(ctx, "graph_view.links", {**gid, "url": "https://s.test/none"})
    with pytest.raises(Problem, match="no link graph"):
        run(ctx, "graph_view.summary", {"graph": "nope"})


def test_list_keys_and_export(ctx: Any) -> None:
    run(ctx, "hello.start", {"key": "one"})
    run(ctx, "hello.submit", {"key": "one", "step": "name", "value": "Ada"})
    listed = run(ctx, "hello.list_keys")
    assert listed["count"] == 1 and listed["keys"][0]["key"] == "one"
    exported = run(ctx, "hello.export", {"key": "one"})
    assert exported["app"] == "hello" and exported["state"]["name"] == {"name": "Ada"}


def test_a_submit_records_the_row_as_written_so_it_undoes_and_redoes(ctx: Any) -> None:
    run(ctx, "hello.start", {"key": "two"})
    before = ctx.db.query("SELECT * FROM pipeline WHERE key = 'two'")[0]
    outcome = asyncio.run(ctx.actions.run("hello.submit", {"key": "two", "step": "name", "value": "Ada"}, actor="cli"))
    written = ctx.db.query("SELECT * FROM pipeline WHERE key = 'two'")[0]
    (change,) = [c for c in outcome.changes if c.table == "pipeline"]
    assert change.before == before and change.after == written  # the recorded row is the stored one, exactly
    undo = asyncio.run(ctx.actions.run("activity.undo", {"id": outcome.log_id}, actor="cli"))
    assert ctx.db.query("SELECT * FROM pipeline WHERE key = 'two'")[0] == before
    run(ctx, "activity.undo", {"id": undo.log_id})  # the undo's undo: the submitted row again
    assert ctx.db.query("SELECT * FROM pipeline WHERE key = 'two'")[0] == written


def test_job_step_actions_start_report_and_refuse_a_cancel_with_nothing_running(ctx: Any) -> None:
    run(ctx, "poetflow.start", {"key": "poem"})
    assert run(ctx, "poetflow.job_status", {"key": "poem", "step": "poem"}) == {"status": "not started"}
    with pytest.raises(Problem, match=r"is still open|Finish"):
        run(ctx, "poetflow.job_start", {"key": "poem", "step": "poem"})  # the topic comes first
    with pytest.raises(Problem, match="No run of that step is in progress"):
        run(ctx, "poetflow.job_cancel", {"key": "poem", "step": "poem"})
