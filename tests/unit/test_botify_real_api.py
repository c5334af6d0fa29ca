"""Botify as documented: segment names from the analysis, the job listing, credits, the row cap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from cardflow.botify.client import BotifyClient, analysis_segments
from cardflow.botify.credits import credits_text, estimate
from cardflow.botify.errors import EXPORT_ALREADY_RUNNING, BotifyJobCreateError
from cardflow.botify.queries import export_job_body, link_graph_query, metadata_columns, segment_names
from cardflow.config import SettingsError, from_env
from tests.fakes.botify import ORG, PROJECT, TOKEN, run_fake_botify


@pytest.fixture(scope="module")
def fake():
    with run_fake_botify() as running:
        yield running


def run(coro):
    return asyncio.run(coro)


def test_segment_names_come_from_features_segments_names():
    assert analysis_segments({"features": {"segments": {"names": ["pagetype", "lang"], "rules_raw": "…"}}}) == [
        "pagetype", "lang"]
    assert analysis_segments({"features": {"segments": None}}) == []
    assert analysis_segments({"features": '{"segments": {"names": ["x"]}}'}) == ["x"]  # the spec's string
    assert analysis_segments({}) == [] and analysis_segments(None) == []
    assert segment_names(["a.b", "ok", "ok", "", 3, "x y"]) == ["ok"]  # never a broken field path


def test_the_client_reads_the_segments_of_each_project(fake):
    fake.reset()
    fake.state.add_project("plain", segments=None)
    fake.state.add_project("intl", segments=["lang", "family"])

    async def go():
        async with BotifyClient(TOKEN, fake.base_url) as bf:
            return [await bf.segments(ORG, p, "20240301") for p in (PROJECT, "plain", "intl")]

    assert run(go()) == [["pagetype"], [], ["lang", "family"]]


def test_metadata_columns_keep_the_ingest_order():
    cols = metadata_columns(["lang", "pagetype"])
    assert [c for c, _ in cols] == ["url", "http_code", "depth", "title", "description", "pagetype", "compliant",
                                    "segment:lang", "segment:pagetype"]
    assert dict(cols)["pagetype"] == "segments.pagetype.value"  # the segment named so wins
    assert dict(metadata_columns(["lang"]))["pagetype"] == "segments.lang.value"
    assert dict(metadata_columns([]))["pagetype"] == ""


def test_find_export_reuses_running_and_recent_done_never_failed(fake):
    fake.reset()
    fake.state.status_sequence = ["CREATED", "PROCESSING"]
    query = link_graph_query("20240301", 2)

    async def go():
        async with BotifyClient(TOKEN, fake.base_url) as bf:
            none = await bf.find_export(ORG, PROJECT, query, export_size=100)
            made = await bf.create_export(ORG, PROJECT, query, export_size=100)
            running = await bf.find_export(ORG, PROJECT, query, export_size=100)
            other_size = await bf.find_export(ORG, PROJECT, query, export_size=99)
            other_project = await bf.find_export(ORG, "blog", query, export_size=100)
            for _ in range(3):
                await bf.poll_job(made["job_id"])  # now DONE
            done_old = await bf.find_export(ORG, PROJECT, query, export_size=100)
            since = datetime.now(UTC) - timedelta(hours=1)
            done_new = await bf.find_export(ORG, PROJECT, query, export_size=100, done_since=since)
            return none, made, running, other_size, other_project, done_old, done_new

    none, made, running, other_size, other_project, done_old, done_new = run(go())
    assert none is None and other_size is None and other_project is None
    assert running["job_id"] == made["job_id"] and running["job_status"] == "CREATED"
    assert done_old is None  # a DONE job from before this export was tried: its link may be stale
    assert done_new["job_id"] == made["job_id"] and done_new["job_status"] == "DONE"
    assert ("GET", "/v1/jobs", "page=1&size=100&job_type=export&project=shop") in fake.state.requests

    fake.state.fail_next_jobs = 1

    async def failed():
        async with BotifyClient(TOKEN, fake.base_url) as bf:
            job = await bf.create_export(ORG, PROJECT, link_graph_query("20240301", 1), export_size=5)
            for _ in range(3):
                await bf.poll_job(job["job_id"])
            return await bf.find_export(ORG, PROJECT, link_graph_query("20240301", 1), export_size=5,
                                        done_since=datetime.now(UTC) - timedelta(hours=1))

    assert run(failed()) is None


def test_1058_when_an_advanced_export_is_already_running(fake):
    fake.reset(one_export_at_a_time=True)

    async def go():
        async with BotifyClient(TOKEN, fake.base_url) as bf:
            await bf.create_export(ORG, PROJECT, link_graph_query("20240301", 1), export_size=5)
            await bf.create_export(ORG, PROJECT, link_graph_query("20240301", 2), export_size=5)

    with pytest.raises(BotifyJobCreateError) as info:
        run(go())
    assert info.value.code == EXPORT_ALREADY_RUNNING and not info.value.job_may_exist
    assert "already running" in info.value.hint


def test_credit_estimate_follows_the_documented_rule():
    cost = estimate(edges=12_000, pages=900, export_size=10_000)
    assert (cost.link_rows, cost.page_rows) == (10_000, 900)  # each export stops at export_size rows
    assert cost.total == pytest.approx(10_000 * 0.1 + 900)
    assert estimate(5, None, 50).page_rows == 50  # unknown pages: never understate
    assert credits_text(1900.0) == "1,900" and credits_text(0.3) == "0.3"


def test_the_row_cap_setting():
    assert from_env({}).botify_max_rows == 1_000_000
    assert from_env({"CARDFLOW_BOTIFY_MAX_ROWS": "5000000"}).botify_max_rows == 5_000_000
    for bad in ("0", "-1", "many", "1e6"):
        with pytest.raises(SettingsError, match="CARDFLOW_BOTIFY_MAX_ROWS"):
            from_env({"CARDFLOW_BOTIFY_MAX_ROWS": bad})
    query = link_graph_query("20240301", 1)
    assert export_job_body(ORG, PROJECT, query, export_size=2_000_000, max_rows=5_000_000)["payload"][
        "export_size"] == 2_000_000
    with pytest.raises(ValueError, match="between 1 and 1,000,000"):
        export_job_body(ORG, PROJECT, query, export_size=2_000_000)
