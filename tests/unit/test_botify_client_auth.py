"""The token: sent as Botify expects, refused with a useful hint, and never leaked in errors or logs."""

from __future__ import annotations

import httpx
import pytest
from loguru import logger

from cardflow.botify import BotifyClient, BotifyError
from cardflow.botify import queries as q
from tests.fakes.botify import ORG, PROJECT, READONLY_TOKEN, TOKEN
from tests.unit._botify_client_helpers import (
    calls,
    fake_fixture,  # noqa: F401 - the fixture "fake"
    make,
    run,
)

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
