"""What the backend tests share: one prompt, one schema, ways to drain a stream, the fake servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from cardflow.chat.backends import BackendError, OllamaBackend, OpenAICompatBackend
from tests.fakes.ollama import OllamaScript, free_port, serve
from tests.fakes.ollama import make_app as make_ollama_app
from tests.fakes.openai_compat import OpenAIScript
from tests.fakes.openai_compat import make_app as make_openai_app

HELLO = [{"role": "user", "content": "Say hello."}]
COMMAND_SCHEMA = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": ["insert", "delete"]},
        "name": {"type": "string", "maxLength": 20},
    },
    "required": ["action", "name"],
}


def run(coro):  # pytest-asyncio is not a dependency; each test owns its event loop
    return asyncio.run(coro)


async def collect(chunks: AsyncIterator[str]) -> list[str]:
    return [c async for c in chunks]


async def collect_until_error(chunks: AsyncIterator[str]) -> tuple[list[str], BackendError]:
    got: list[str] = []
    with pytest.raises(BackendError) as info:
        async for c in chunks:
            got.append(c)
    return got, info.value


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there: connections are refused


# --- fixtures: one server per module, a fresh script per test ---------------------------------
# Test modules import the `*_fixture` functions; each fixture keeps its own name (`ollama`, ...).
# Imported under another name, ruff does not read a test's parameter as a redefinition.


@pytest.fixture(scope="module", name="ollama_server")
def ollama_server_fixture():
    app = make_ollama_app()
    with serve(app) as url:
        yield app, url


@pytest.fixture(name="ollama")
def ollama_fixture(ollama_server):
    app, url = ollama_server
    app.state.script = OllamaScript()
    return SimpleNamespace(url=url, script=app.state.script, backend=OllamaBackend(url))


@pytest.fixture(scope="module", name="openai_server")
def openai_server_fixture():
    app = make_openai_app()
    with serve(app) as url:
        yield app, url


@pytest.fixture(name="openai")
def openai_fixture(openai_server):
    app, url = openai_server
    app.state.script = OpenAIScript()
    return SimpleNamespace(url=url, script=app.state.script, backend=OpenAICompatBackend(url))
