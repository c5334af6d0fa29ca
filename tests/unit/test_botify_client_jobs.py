"""Export jobs: created once, polled to DONE or a named failure, within a deadline."""

from __future__ import annotations

import pytest

from cardflow.botify import BotifyJobFailed, BotifyJobTimeout, failure_reason
from cardflow.botify import queries as q
from tests.fakes.botify import ORG, PROJECT
from tests.unit._botify_client_helpers import (
    fake_fixture,  # noqa: F401 - the fixture "fake"
    make,
    run,
)


@pytest.mark.parametrize("style", ["int", "str"])
def test_create_export_job_id_int_or_str(fake, style):
    fake.state.job_id_style = style

    async def go():
        async with make(fake) as bf:
            return await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)

    job = run(go())
    assert job == {"job_id": "1001", "job_url": f"{fake.base_url}/v1/jobs/1001", "job_status": "CREATED"}
    assert fake.state.jobs_created == 1
    stored = fake.state.jobs["1001"]
    assert type(stored.job_id) is (int if style == "int" else str)


def test_wait_job_polls_to_done_with_progress(fake):
    fake.state.status_sequence = ["CREATED", "QUEUED_SOMEWHERE", "PROCESSING"]  # unknown = running
    seen = []

    async def progress(info):
        seen.append(info["job_status"])

    async def go():
        async with make(fake) as bf:
            job = await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)
            return await bf.wait_job(job["job_id"], on_progress=progress, poll_interval=0.001)

    done = run(go())
    assert seen == ["CREATED", "QUEUED_SOMEWHERE", "PROCESSING", "DONE"]
    assert done["job_status"] == "DONE"
    assert done["download_url"].startswith(fake.download_base_url + "/exports/")
    assert fake.state.jobs_created == 1


@pytest.mark.parametrize("style", ["error", "failure_reason", "results"])
def test_failed_job_reason_surfaced(fake, style):
    fake.state.fail_next_jobs = 1
    fake.state.fail_style = style
    fake.state.fail_reason = f"Field crawl.x.depth does not exist ({style})"

    async def go():
        async with make(fake) as bf:
            job = await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)
            await bf.wait_job(job["job_id"], poll_interval=0.001)

    with pytest.raises(BotifyJobFailed) as info:
        run(go())
    assert f"does not exist ({style})" in str(info.value)
    assert info.value.job_id == "1001"


def test_failure_reason_order():
    assert failure_reason({"error": {"message": "A"}, "failure_reason": "B", "results": "C"}) == "A"
    assert failure_reason({"failure_reason": "B", "results": "C"}) == "B"
    assert failure_reason({"results": "C"}) == "C"
    assert failure_reason({}) == "no reason given by Botify"


def test_done_without_results_is_failure(fake):
    fake.state.done_without_results_next = 1

    async def go():
        async with make(fake) as bf:
            job = await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)
            await bf.wait_job(job["job_id"], poll_interval=0.001)

    with pytest.raises(BotifyJobFailed, match="DONE without a download URL"):
        run(go())


def test_wait_job_deadline(fake):
    fake.state.status_sequence = ["PROCESSING"] * 1000

    async def go():
        async with make(fake) as bf:
            job = await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)
            await bf.wait_job(job["job_id"], poll_interval=0.01, deadline=0.15)

    with pytest.raises(BotifyJobTimeout) as info:
        run(go())
    assert info.value.last_status == "PROCESSING" and info.value.job_id == "1001"


def test_wait_job_survives_429_while_polling(fake):
    async def go():
        async with make(fake, max_retries=0) as bf:
            job = await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)
            fake.state.rate_limit_next = 2  # the poll itself is not retried (max_retries=0) ...
            return await bf.wait_job(job["job_id"], poll_interval=0.001)  # ... but polling goes on

    assert run(go())["job_status"] == "DONE"


def test_wait_jobs_polls_several_and_names_the_failed_one(fake):
    fake.state.status_sequence = ["PROCESSING"]
    rounds = []

    async def go():
        async with make(fake) as bf:
            ids = {}
            for kind in ("links", "meta"):
                job = await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)
                ids[kind] = job["job_id"]
            done = await bf.wait_jobs(ids, on_round=rounds.append, poll_interval=0.001)
            fake.state.fail_next_jobs = 1
            failing = await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)
            with pytest.raises(BotifyJobFailed) as info:
                await bf.wait_jobs({**ids, "again": failing["job_id"]}, poll_interval=0.001)
            return done, failing["job_id"], info.value

    done, failed_id, err = run(go())
    assert set(done) == {"links", "meta"} and all(d["download_url"] for d in done.values())
    assert rounds[-1].statuses == {"links": "DONE", "meta": "DONE"} and rounds[-1].polls == len(rounds) >= 2
    assert err.job_id == failed_id and not err.no_file and fake.state.jobs_created == 3


def test_a_refused_create_is_retried_only_when_asked(fake):
    told = []

    async def go():
        async with make(fake) as bf:
            fake.state.rate_limit_next = 2
            job = await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100,
                                         on_refused=lambda err, attempt, delay: told.append((err.status, attempt)))
            return job

    assert run(go())["job_id"] and told == [(429, 0), (429, 1)]
    assert fake.state.job_posts == 3 and fake.state.jobs_created == 1
