"""A batch of a job-step workflow (Poetflow on the scripted backend) keeps to the concurrency limit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cardflow.config import Settings

ROWS = 7


def max_overlap(intervals: list[tuple[str, str]]) -> int:
    """The most jobs running at one time, from each job's start and end (ISO times sort as text)."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    most = now = 0
    for _, step in edges:  # at a tie an end (-1) sorts first: a job ending as another starts is not overlap
        now += step
        most = max(most, now)
    return most


@pytest.mark.parametrize("limit", [None, 3])
def test_job_steps_run_at_most_limit_at_once_and_reach_it(tmp_path: Path, monkeypatch, limit):
    from cardflow.app import build_app

    monkeypatch.setenv("CARDFLOW_SCRIPTED_DELAY", "0.03")
    monkeypatch.setenv("CARDFLOW_SCRIPTED_REPLIES", '["Rain on the roof, a slow and quiet song tonight"]')
    if limit is not None:
        monkeypatch.setenv("CARDFLOW_BATCH_CONCURRENCY", str(limit))
    expected = limit or 2  # the documented default
    app = build_app(Settings(data_dir=tmp_path / "data", open_browser=False, llm="scripted"))
    ctx = app.state.ctx
    seen: list[int] = []

    async def batch_with_a_counter() -> dict:
        done = asyncio.Event()

        async def count() -> None:  # the jobs running right now, sampled while the batch runs
            while not done.is_set():
                seen.append(len(ctx.jobs.active()))
                await asyncio.sleep(0.005)

        counter = asyncio.create_task(count())
        try:
            text = "key,topic\n" + "\n".join(f"poem-{i},rain {i}" for i in range(ROWS))
            return (await ctx.actions.run("poetflow.batch", {"csv": text, "wait": True}, actor="mcp")).result
        finally:
            done.set()
            await counter

    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        result = client.portal.call(batch_with_a_counter)
    assert result["counts"] == {"done": ROWS}
    jobs = ctx.db.query("SELECT pipeline_key, status, created, updated FROM job ORDER BY id")
    assert len(jobs) == ROWS and {j["status"] for j in jobs} == {"done"}  # one job per key, none twice
    assert max(seen) == expected
    assert max_overlap([(j["created"], j["updated"]) for j in jobs]) == expected
    for row in result["rows"]:  # the suggestion (the poem) became the final version, then finalized
        assert row["values"]["final"] == row["values"]["poem"] == "Rain on the roof, a slow and quiet song tonight"
