"""Retries: reads back off and try again; a create that may have reached Botify is never repeated."""

from __future__ import annotations

import time

import pytest

from cardflow.botify import BotifyClient, BotifyError, BotifyJobCreateError
from cardflow.botify import queries as q
from tests.fakes.botify import ORG, PROJECT, TOKEN
from tests.unit._botify_client_helpers import (
    calls,
    fake_fixture,  # noqa: F401 - the fixture "fake"
    make,
    run,
)


def test_429_then_success_with_exponential_backoff(fake):
    fake.state.rate_limit_next = 3
    delays: list[float] = []

    async def go():
        async with make(fake, backoff_base=0.01) as bf:

            async def fake_sleep(d):
                delays.append(d)

            bf._sleep = fake_sleep
            return await bf.verify()

    assert run(go()) == "alice"
    assert calls(fake, "GET", "/v1/authentication/profile") == 4
    assert len(delays) == 3
    for attempt, d in enumerate(delays):  # equal jitter: [base*2^n / 2, base*2^n]
        assert 0.01 * 2**attempt / 2 <= d <= 0.01 * 2**attempt


def test_5xx_retried(fake):
    fake.state.server_error_next = 2

    async def go():
        async with make(fake) as bf:
            return await bf.analyses(ORG, PROJECT)

    assert len(run(go())) == 5


def test_retries_exhausted(fake):
    fake.state.rate_limit_next = 10

    async def go():
        async with make(fake, max_retries=2) as bf:
            await bf.verify()

    with pytest.raises(BotifyError) as info:
        run(go())
    assert (info.value.status, info.value.code, info.value.transient) == (429, "1053", True)
    assert calls(fake, "GET", "/v1/authentication/profile") == 3


def test_timeout_retried(fake):
    fake.state.slow_next = 1
    fake.state.slow_seconds = 1.5  # well past the timeout, while a normal answer fits it even on a busy machine

    async def go():
        async with make(fake, timeout=0.5) as bf:
            return await bf.verify()

    assert run(go()) == "alice"
    assert calls(fake, "GET", "/v1/authentication/profile") == 2


@pytest.mark.parametrize(
    ("inject", "status", "may_exist"), [("server_error_next", 500, True), ("rate_limit_next", 429, False)]
)
def test_create_export_never_retried(fake, inject, status, may_exist):
    setattr(fake.state, inject, 1)

    async def go():
        async with make(fake) as bf:
            await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)

    with pytest.raises(BotifyJobCreateError) as info:
        run(go())
    assert info.value.status == status and info.value.job_may_exist is may_exist
    assert fake.state.job_posts == 1
    assert fake.state.jobs_created == 0


def test_create_export_timeout_not_retried_and_job_may_exist(fake):
    fake.state.slow_next = 1
    fake.state.slow_seconds = 0.3

    async def go():
        async with make(fake, timeout=0.1) as bf:
            await bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 2), export_size=100)

    with pytest.raises(BotifyJobCreateError) as info:
        run(go())
    assert info.value.job_may_exist is True
    assert "second export" in str(info.value)
    deadline = time.monotonic() + 2
    while fake.state.jobs_created == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.state.job_posts == 1
    assert fake.state.jobs_created == 1  # Botify made it anyway: exactly why we never retry


def test_next_and_job_links_never_leave_the_base_host():
    bf = BotifyClient(TOKEN, "https://api.botify.com/v1/")
    assert bf.base_url == "https://api.botify.com"
    assert bf._url("https://evil.example/v1/projects/alice?page=2") == "/v1/projects/alice?page=2"
    assert bf.absolute("/v1/jobs/12") == "https://api.botify.com/v1/jobs/12"
    assert bf.absolute("http://elsewhere/v1/jobs/12") == "https://api.botify.com/v1/jobs/12"
    run(bf.aclose())
