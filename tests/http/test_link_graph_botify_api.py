"""The link graph against Botify as the real API behaves: the project's own segments, existing
exports looked up before paying again, one advanced export at a time (1058), the credit cost shown."""

from __future__ import annotations

import csv
import io

import pytest

from cardflow.botify.client import BotifyClient
from cardflow.botify.queries import link_graph_query
from tests.fakes.botify import ORG, PROJECT, TOKEN, build_site, expected_edge_count
from tests.http.test_link_graph import KEY, connect, detail, make_client, run_step, wait_step

SLUG = "20240301-2"


@pytest.fixture
def lg(botify, data_dir, monkeypatch):
    from cardflow.apps.link_graph import LinkGraph

    monkeypatch.setattr(LinkGraph, "poll_interval", 0.02)
    monkeypatch.setattr(LinkGraph, "poll_max", 0.2)
    monkeypatch.setattr(LinkGraph, "backoff_base", 0.01)
    with make_client(data_dir, botify.base_url) as c:
        yield c


def through_depth(c, project=PROJECT, depth=3, size="1000000"):
    assert c.post("/link_graph/init", data={"key": KEY}).status_code == 200
    c.post("/link_graph/step/project", params={"key": KEY}, data={"project": f"https://app.botify.com/{ORG}/{project}/"})
    r = c.post("/link_graph/step/analysis", params={"key": KEY}, data={"analysis": SLUG})
    assert c.ctx.pipulate.get_step_data(KEY, "analysis"), r.text
    assert "field-depth" in (r := c.post("/link_graph/counts", params={"key": KEY})).text, r.text
    r = c.post("/link_graph/step/depth", params={"key": KEY}, data={"depth": str(depth), "export_size": size})
    assert c.ctx.pipulate.get_step_data(KEY, "depth"), r.text


def metadata_rows(data_dir, c):
    gid = c.ctx.pipulate.get_step_data(KEY, "download")["download"]["graph"]
    return list(csv.reader(io.StringIO((data_dir / "linkgraph" / gid / "metadata.csv").read_text())))


@pytest.mark.parametrize("segments", [None, ["lang", "family"]])
def test_a_project_without_a_pagetype_segment_exports_and_graphs(lg, botify, data_dir, segments):
    botify.state.add_project("news", segments=segments)
    connect(lg)
    through_depth(lg, project="news")
    assert lg.ctx.pipulate.get_step_data(KEY, "analysis")["segments"] == (segments or [])
    run_step(lg, "export")
    export = lg.ctx.pipulate.get_step_data(KEY, "export")["export"]
    assert export["segments"] == (segments or [])  # kept for colouring the graph by them later
    asked = botify.state.jobs[export["meta_job"]].payload["query"]["query"]["dimensions"]
    assert [d for d in asked if ".segments." in d] == [f"crawl.{SLUG}.segments.{n}.value" for n in segments or []]
    run_step(lg, "download")
    rows = metadata_rows(data_dir, lg)
    # Saved in the column order the ingest reads; pagetype is the first segment, or empty without one.
    assert rows[0] == ["url", "http_code", "depth", "title", "description", "pagetype", "compliant",
                       *(f"segment:{n}" for n in segments or [])]
    assert len(rows) - 1 == sum(1 for p in build_site() if p.http_code == 200 and p.depth <= 3)
    home = next(r for r in rows if r[0] == "https://www.example.com/")
    assert home[5] == ("en" if segments else "") and home[6] == "true"
    run_step(lg, "graph")
    gid = lg.ctx.pipulate.get_step_data(KEY, "download")["download"]["graph"]
    assert lg.get("/graph_view/data", params={"graph": gid}).json()["total_nodes"] > 20


def test_the_old_hard_coded_pagetype_field_is_refused_by_the_fake(botify):
    """What the fake now knows: a segment field the project does not have does not exist (1029)."""
    botify.state.add_project("news", segments=["lang"])
    query = link_graph_query(SLUG, 2)
    query["query"]["dimensions"].append(f"crawl.{SLUG}.segments.pagetype.value")
    import asyncio

    async def go():
        async with BotifyClient(TOKEN, botify.base_url) as bf:
            return await bf.create_export(ORG, "news", query, export_size=10)

    with pytest.raises(Exception, match="1029"):
        asyncio.run(go())


def test_a_lost_create_response_is_found_not_paid_twice(lg, botify, monkeypatch):
    from cardflow.apps.link_graph import LinkGraph

    monkeypatch.setattr(LinkGraph, "request_timeout", 0.3)
    connect(lg)
    through_depth(lg)
    botify.state.lose_job_response_next, botify.state.slow_seconds = 1, 1.0  # made, answer lost
    job = run_step(lg, "export")
    assert botify.state.job_posts == 2 and botify.state.jobs_created == 2
    assert any("links: found existing job" in line for line in detail(job)["log"])


def test_a_retry_after_a_lost_create_response_creates_no_second_job(lg, botify, monkeypatch):
    from cardflow.apps.link_graph import LinkGraph

    monkeypatch.setattr(LinkGraph, "request_timeout", 0.3)
    connect(lg)
    through_depth(lg)
    botify.state.lose_job_response_next, botify.state.slow_seconds = 1, 1.0
    botify.state.listing_hides_jobs = True  # the listing lags: the first run cannot see the job yet
    lg.post("/link_graph/step/export", params={"key": KEY})
    job = wait_step(lg, KEY, "export")
    assert job.status == "failed" and "Retry looks for it" in detail(job)["message"]
    made = next(iter(botify.state.jobs))
    botify.state.listing_hides_jobs = False
    job = run_step(lg, "export")  # Retry
    assert detail(job)["links_job"] == made
    assert botify.state.jobs_created == 2 and botify.state.job_posts == 2  # links once, metadata once


def test_a_running_export_of_the_same_query_is_reused(lg, botify):
    import asyncio

    connect(lg)
    through_depth(lg)
    query = link_graph_query(SLUG, 3)

    async def start():  # e.g. a colleague, or an earlier Cardflow, started the same export
        async with BotifyClient(TOKEN, botify.base_url) as bf:
            return await bf.create_export(ORG, PROJECT, query, export_size=1_000_000)

    theirs = asyncio.run(start())["job_id"]
    job = run_step(lg, "export")
    assert detail(job)["links_job"] == theirs and botify.state.jobs_created == 2


def test_a_1058_refusal_exports_the_second_after_the_first(lg, botify):
    connect(lg)
    through_depth(lg)
    botify.state.one_export_at_a_time = True
    job = run_step(lg, "export")
    assert job.status == "done"
    log = detail(job)["log"]
    refused = next(i for i, line in enumerate(log) if "page metadata: refused (1058)" in line)
    links_done = next(i for i, line in enumerate(log) if line == "links: DONE")
    meta_made = next(i for i, line in enumerate(log) if line.startswith("page metadata: job "))
    assert refused < links_done < meta_made
    assert botify.state.job_posts == 3 and botify.state.jobs_created == 2


def test_the_credit_cost_is_shown_before_the_export(lg, botify):
    connect(lg)
    through_depth(lg, depth=2, size="1000000")
    pages = sum(1 for p in build_site() if p.http_code == 200 and p.depth <= 2)
    expected = expected_edge_count(2) * 0.1 + pages
    card = lg.get("/link_graph/step/export", params={"key": KEY}).text
    assert f"about {expected:,.1f} Botify export credits" in card
    assert f"{expected_edge_count(2):,} link rows × 0.1 + {pages:,} page rows × 1" in card
    assert botify.state.job_posts == 0  # shown before anything is paid for
    lg.post("/link_graph/revert/depth", params={"key": KEY})
    depth_card = lg.get("/link_graph/step/depth", params={"key": KEY}).text
    assert "Credits at 1,000,000 rows" in depth_card and "0.1 per link row and 1 per page row" in depth_card


def test_the_row_cap_is_a_setting(botify, data_dir, monkeypatch):
    from dataclasses import replace

    from cardflow.apps.link_graph import LinkGraph

    monkeypatch.setattr(LinkGraph, "poll_interval", 0.02)
    with make_client(data_dir, botify.base_url) as c:
        c.ctx.settings = replace(c.ctx.settings, botify_max_rows=10)
        connect(c)
        through_depth(c, depth=2, size="10")
        c.post("/link_graph/revert/depth", params={"key": KEY})
        assert "Export size (rows, at most 10)" in c.get("/link_graph/step/depth", params={"key": KEY}).text
        r = c.post("/link_graph/step/depth", params={"key": KEY}, data={"depth": "2", "export_size": "11"})
        assert "from 1 to 10." in r.text
        c.post("/link_graph/step/depth", params={"key": KEY}, data={"depth": "2", "export_size": "10"})
        # Both exports capped at 10 rows: 10 * 0.1 + 10 * 1 credits.
        assert "about 11 Botify export credits" in c.get("/link_graph/step/export", params={"key": KEY}).text
