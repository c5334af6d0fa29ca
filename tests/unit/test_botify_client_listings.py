"""Listings read whole: every page of projects and analyses, newest successful analysis first."""

from __future__ import annotations

import pytest

from cardflow.botify import BotifyError, analysis_sort_key, owners
from tests.fakes.botify import ORG, PROJECT
from tests.unit._botify_client_helpers import (
    calls,
    fake_fixture,  # noqa: F401 - the fixture "fake"
    make,
    run,
)

NEWEST_FIRST = ["20240301-2", "20240301", "20240215", "20240201", "20240105"]


def test_projects_every_page_and_owner_normalised(fake):
    fake.state.max_page_size = 2

    async def go():
        async with make(fake, page_size=2) as bf:
            return await bf.projects("alice")

    items = run(go())
    assert [(p["owner"], p["slug"]) for p in items] == [
        ("acme", "shop"),
        ("acme", "blog"),
        ("globex", "docs"),
        ("alice", "personal"),
        ("alice", "sandbox"),
    ]
    assert calls(fake, "GET", "/v1/projects/alice") == 3
    assert owners(items) == ["acme", "alice", "globex"]


def test_projects_follows_next_when_server_caps_page_size(fake):
    fake.state.max_page_size = 2  # the client asks for 100 per page and gets 2

    async def go():
        async with make(fake) as bf:
            return await bf.projects("alice")

    assert len(run(go())) == 5
    assert calls(fake, "GET", "/v1/projects/alice") == 3


def test_projects_of_someone_else(fake):
    async def go():
        async with make(fake) as bf:
            await bf.projects("nobody")

    with pytest.raises(BotifyError) as info:
        run(go())
    assert (info.value.status, info.value.code) == (404, "1007")


def test_analyses_every_page_only_success_newest_first(fake):
    fake.state.max_page_size = 2

    async def go():
        async with make(fake, page_size=2) as bf:
            return await bf.analyses(ORG, PROJECT)

    items = run(go())
    assert [a["slug"] for a in items] == NEWEST_FIRST
    queries_sent = [qs for m, p, qs in fake.state.requests if p == f"/v1/analyses/{ORG}/{PROJECT}/light"]
    assert len(queries_sent) == 3
    assert all("only_success=true" in qs for qs in queries_sent)


def test_analyses_failed_ones_dropped_even_if_server_sends_them(fake):
    fake.state.ignore_only_success = True

    async def go():
        async with make(fake) as bf:
            return await bf.analyses(ORG, PROJECT)

    assert [a["slug"] for a in run(go())] == NEWEST_FIRST


def test_analysis_sort_key_falls_back_to_slug():
    items = [{"slug": "20240101"}, {"slug": "20240101-3"}, {"slug": "20231231"}, {"slug": "20240101-2"}]
    assert [a["slug"] for a in sorted(items, key=analysis_sort_key, reverse=True)] == [
        "20240101-3",
        "20240101-2",
        "20240101",
        "20231231",
    ]


def test_unknown_project(fake):
    async def go():
        async with make(fake) as bf:
            exists = await bf.project_exists(ORG, "nope"), await bf.project_exists(ORG, PROJECT)
            with pytest.raises(BotifyError) as info:
                await bf.analyses(ORG, "nope")
            return exists, info.value

    (missing, present), err = run(go())
    assert (missing, present) == (False, True)
    assert (err.status, err.code) == (404, "1010")
    assert "does not know this project" in err.hint


def test_collections_bare_array(fake):
    async def go():
        async with make(fake) as bf:
            return await bf.collections(ORG, PROJECT)

    ids = [c["id"] for c in run(go())]
    assert "crawl.20240301-2" in ids and "search_console" in ids and "logs" in ids
