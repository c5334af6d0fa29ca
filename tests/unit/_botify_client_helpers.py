"""What the BotifyClient tests share: a client on the fake Botify server (tests/fakes/botify/)."""

from __future__ import annotations

import asyncio

import pytest

from cardflow.botify import BotifyClient
from tests.fakes.botify import TOKEN


@pytest.fixture(name="fake")
def fake_fixture(botify):  # imported as `fake_fixture`: ruff would read a test's `fake` as a redefinition
    return botify


def make(fake, token: str = TOKEN, **kw) -> BotifyClient:
    kw.setdefault("backoff_base", 0.001)
    return BotifyClient(token, fake.base_url, **kw)


def run(coro):
    return asyncio.run(coro)


def calls(fake, method: str, path: str) -> int:
    return sum(1 for m, p, _ in fake.state.requests if m == method and p == path)
