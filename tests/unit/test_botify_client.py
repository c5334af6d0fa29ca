"""BotifyClient against the fake Botify server (tests/fakes/botify.py)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from loguru import logger

from cardflow.botify import (
    BotifyClient,
    BotifyError,
    BotifyJobCreateError,
    BotifyJobFailed,
    BotifyJobTimeout,
    analysis_sort_key,
    failure_reason,
    owners,
    parse_project_url,
    propose_depth,
)
from cardflow.botify import queries as q
from tests.fakes.botify import (
    ORG,
    PROJECT,
    READONLY_TOKEN,
    TOKEN,
    expected_edge_count,
)

NEWEST_FIRST = ["20240301-2", "20240301", "20240215", "20240201", "20240105"]


@pytest.fixture
def fake(botify):
    return botify


def make(fake, token: str = TOKEN, **kw) -> BotifyClient:
    kw.setdefault("backoff_base", 0.001)
    return BotifyClient(token, fake.base_url, **kw)


def run(coro):
    return asyncio.run(coro)


def calls(fake, method: str, path: str) -> int:
    return sum(1 for m, p, _ in fake.state.requests if m == method and p == path)


# -- auth ---------------------------------------------------------------------------------------


def test_verify_ok_sends_token_header(fake):
    async def go():
        async with make(fake) as bf:
            return await bf.verify()

    assert run(go()) == "alice"
    assert fake.state.auth_headers == [f"Token {TOKEN}"]


def test_verify_bad_token_401(fake):
    async def go():
        async with make(fake, "nope") as bf:
            await bf.verify()

    with pytest.raises(BotifyError) as info:
        run(go())
    err = info.value
    assert (err.status, err.code, err.transient) == (401, "1001", False)
    assert "Not Authorized" in str(err)
    assert "account" in err.hint
    assert calls(fake, "GET", "/v1/authentication/profile") == 1  # 401 is not retried


def test_verify_forbidden_403(fake):
    async def go():
        async with make(fake, READONLY_TOKEN) as bf:
            await bf.verify()

    with pytest.raises(BotifyError) as info:
        run(go())
    assert (info.value.status, info.value.code) == (403, "1002")
    assert "permission" in info.value.hint.lower()


@pytest.mark.parametrize("keyword", ["Token", "token", "TOKEN"])
def test_fake_accepts_token_keyword_case_insensitively(fake, keyword):
    r = httpx.get(
        f"{fake.base_url}/v1/authentication/profile", headers={"Authorization": f"{keyword} {TOKEN}"}
    )
    assert r.status_code == 200
    assert r.json() == {"data": {"username": "alice", "email": "alice@example.com", "first_name": "Alice"}}


def test_fake_error_bodies_follow_the_spec(fake):
    r = httpx.get(f"{fake.base_url}/v1/authentication/profile", headers={"Authorization": "Bearer x"})
    assert r.status_code == 401 and r.json() == {"error": {"message": "Not Authorized", "error_code": "1001"}}
    fake.state.rate_limit_next = 1
    r = httpx.get(f"{fake.base_url}/v1/authentication/profile", headers={"Authorization": f"Token {TOKEN}"})
    assert r.status_code == 429 and r.json()["error"]["error_code"] == "1053"


# -- listings -----------------------------------------------------------------------------------


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


# -- project URL --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.botify.com/acme/shop/", ("acme", "shop")),
        ("https://app.botify.com/acme/shop", ("acme", "shop")),
        ("  https://APP.botify.com/acme/shop/  ", ("acme", "shop")),
        ("app.botify.com/acme/shop/", ("acme", "shop")),
        ("https://app.botify.com/acme/shop/20240301/segmentation/?x=1#top", ("acme", "shop")),
        ("http://app.botify.com/my.org/my-project_2/", ("my.org", "my-project_2")),
    ],
)
def test_parse_project_url_good(url, expected):
    assert parse_project_url(url) == expected


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("", "Paste the project URL"),
        ("https://api.botify.com/acme/shop/", "host must be app.botify.com"),
        ("https://evil.com/app.botify.com/acme/shop/", "host must be app.botify.com"),
        ("https://app.botify.com.evil.com/acme/shop/", "host must be app.botify.com"),
        ("https://app.botify.com/acme/", "needs both the organisation and the project"),
        ("https://app.botify.com/", "needs both"),
        ("ftp://app.botify.com/acme/shop/", "scheme"),
        ("https://app.botify.com/acme/%20shop/", "not a Botify slug"),
    ],
)
def test_parse_project_url_bad(url, needle):
    with pytest.raises(ValueError, match=needle):
        parse_project_url(url)


_slug = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)


@given(_slug, _slug, st.booleans())
def test_parse_project_url_round_trip(org, project, slash):
    assert parse_project_url(f"https://app.botify.com/{org}/{project}{'/' if slash else ''}") == (
        org,
        project,
    )


# -- BQL ----------------------------------------------------------------------------------------


def test_query_builders_exact_shapes():
    assert q.link_graph_query("20240301", "3") == {
        "collections": ["crawl.20240301"],
        "query": {
            "dimensions": ["url", "crawl.20240301.outlinks_internal.graph.url"],
            "metrics": [],
            "filters": {"field": "crawl.20240301.depth", "predicate": "lte", "value": 3},
        },
    }
    # The segment fields are the analysis's own segments, by their names, after the fixed fields.
    meta = q.page_metadata_query("20240301", segments=["pagetype", "lang"])
    assert meta["query"]["dimensions"] == [
        "crawl.20240301.url",
        "crawl.20240301.http_code",
        "crawl.20240301.depth",
        "crawl.20240301.metadata.title.content",
        "crawl.20240301.metadata.description.content",
        "crawl.20240301.compliant.is_compliant",
        "crawl.20240301.segments.pagetype.value",
        "crawl.20240301.segments.lang.value",
    ]
    bare = q.page_metadata_query("20240301")["query"]["dimensions"]
    assert bare == meta["query"]["dimensions"][:6] and not any(".segments." in d for d in bare)
    assert meta["query"]["metrics"] == []
    assert meta["query"]["filters"] == {"field": "crawl.20240301.http_code", "predicate": "eq", "value": 200}
    assert q.edge_count_query("20240301", 2)["query"]["metrics"] == [
        {"function": "sum", "args": ["crawl.20240301.outlinks_internal.nb.total"]}
    ]
    assert type(q.edge_count_query("x", "4")["query"]["filters"]["value"]) is int
    for bad in (True, -1, "two", 2.5, None):
        with pytest.raises(ValueError):
            q.as_depth(bad)


def test_export_body():
    body = q.export_job_body(
        "acme", "shop", q.link_graph_query("20240301", 2), export_size=1000, filetype="zip"
    )
    assert body["job_type"] == "export"
    p = body["payload"]
    assert (p["username"], p["project"], p["export_size"], p["formatter"], p["connector"]) == (
        "acme",
        "shop",
        1000,
        "csv",
        "direct_download",
    )
    assert p["extra_config"] == {"filetype": "zip"}
    assert p["formatter_config"]["print_header"] is True
    assert (
        q.export_job_body("a", "b", q.link_graph_query("s", 1), export_size=1)["payload"]["extra_config"]
        == {}
    )
    for size in (0, 1_000_001, "10", True):
        with pytest.raises(ValueError):
            q.export_job_body("a", "b", q.link_graph_query("s", 1), export_size=size)


def test_edge_counts_grow_then_stop(fake):
    async def go():
        async with make(fake) as bf:
            return await bf.edge_counts_by_depth(ORG, PROJECT, "20240301-2")

    counts = run(go())
    assert counts == {d: expected_edge_count(d) for d in (1, 2, 3, 4)}  # depth 4 adds nothing: stop
    assert counts[1] < counts[2] < counts[3] == counts[4]
    assert calls(fake, "POST", f"/v1/projects/{ORG}/{PROJECT}/query") == 4
    assert propose_depth(counts, 10_000) == 4
    assert propose_depth(counts, counts[3] - 1) == 2
    assert propose_depth(counts, counts[2]) == 2
    assert propose_depth(counts, 1) == 1
    assert propose_depth({}, 100) == 1


def test_query_unknown_analysis_1004(fake):
    async def go():
        async with make(fake) as bf:
            await bf.query(ORG, PROJECT, q.edge_count_query("19990101", 1))

    with pytest.raises(BotifyError) as info:
        run(go())
    assert (info.value.status, info.value.code) == (404, "1004")


# -- export jobs ----------------------------------------------------------------------------------


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


# -- retries ----------------------------------------------------------------------------------------


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


# -- the token stays secret --------------------------------------------------------------------------


def test_token_absent_from_errors_reprs_and_logs(fake):
    fake.state.echo_token_in_errors = True  # a server that puts the token in its error message
    secret = "tok-secret-9a8b7c6d5e"
    fake.state.tokens[secret] = "alice"
    fake.state.forbidden_tokens.add(secret)
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), level="DEBUG")
    errors: list[BaseException] = []

    async def go():
        async with make(fake, secret, max_retries=1) as bf:
            texts = [repr(bf), str(bf)]
            for call in (
                bf.verify(),
                bf.projects("alice"),
                bf.create_export(ORG, PROJECT, q.link_graph_query("20240301", 1), export_size=1),
            ):
                try:
                    await call
                except BotifyError as err:
                    errors.append(err)
            fake.state.forbidden_tokens.discard(secret)
            fake.state.rate_limit_next = 5
            try:
                await bf.verify()
            except BotifyError as err:
                errors.append(err)
        async with BotifyClient(secret, "http://127.0.0.1:9", max_retries=1, backoff_base=0.001) as dead:
            try:
                await dead.verify()  # connection refused
            except BotifyError as err:
                errors.append(err)
        return texts

    try:
        texts = run(go())
    finally:
        logger.remove(sink)
    assert len(errors) == 5
    assert errors[0].status == 403 and "***" in errors[0].message
    assert errors[-1].status is None and errors[-1].transient
    for err in errors:
        texts += [str(err), repr(err), err.message, err.hint, repr(err.args)]
        assert err.__cause__ is None and err.__context__ is None  # no chained httpx request
    assert lines, "the client logs its requests"
    for text in texts + lines:
        assert secret not in text


def test_token_required():
    with pytest.raises(ValueError):
        BotifyClient("  ", "https://api.botify.com")
