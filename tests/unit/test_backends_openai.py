"""The OpenAI-compatible backend against a protocol-exact fake: streaming, auth, options, failures."""

from __future__ import annotations

import time

import pytest

from cardflow.chat.backends import BackendError, OpenAICompatBackend, parse_tool_calls
from tests.unit._backends_helpers import (
    COMMAND_SCHEMA,
    HELLO,
    collect,
    collect_until_error,
    dead_url,
    openai_fixture,  # noqa: F401 - the fixture "openai"
    openai_server_fixture,  # noqa: F401 - the fixture "openai_server"
    run,
)


def test_openai_models(openai):
    openai.script.models = ["a", "b"]
    assert run(openai.backend.models()) == ["a", "b"]


def test_openai_streams_chunks_in_order(openai):
    openai.script.reply = ["Hel", "lo", " there"]
    chunks = run(collect(openai.backend.stream(HELLO, model="smollm2-135m-instruct")))
    assert chunks == ["Hel", "lo", " there"]
    sent = openai.script.requests[-1]
    assert sent["body"]["stream"] is True and sent["body"]["messages"] == HELLO
    assert "authorization" not in sent["headers"]


def test_openai_base_url_may_end_in_v1(openai):
    backend = OpenAICompatBackend(openai.url + "/v1/", model="smollm2-135m-instruct")
    assert "".join(run(collect(backend.stream(HELLO)))) == "Hello from the fake OpenAI server."


def test_openai_auth_header(openai):
    openai.script.api_key = "sk-test"
    with pytest.raises(BackendError, match=r"401\) \(check the API key\)"):
        run(openai.backend.models())
    _, err = run(collect_until_error(openai.backend.stream(HELLO, model="smollm2-135m-instruct")))
    assert "didn't provide an API key" in str(err)
    backend = OpenAICompatBackend(openai.url, api_key="sk-test")
    assert run(backend.models()) == ["smollm2-135m-instruct"]
    assert run(collect(backend.stream(HELLO, model="smollm2-135m-instruct")))
    assert openai.script.requests[-1]["headers"]["authorization"] == "Bearer sk-test"


def test_openai_json_schema_and_options_reach_the_server(openai):
    options = {
        "json_schema": COMMAND_SCHEMA,
        "max_tokens": 40,
        "temperature": 0,
        "seed": 7,
        "idle_timeout": 5,
    }
    run(collect(openai.backend.stream(HELLO, model="smollm2-135m-instruct", options=options)))
    body = openai.script.requests[-1]["body"]
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "command", "schema": COMMAND_SCHEMA},
    }
    assert body["max_tokens"] == 40 and body["temperature"] == 0 and body["seed"] == 7
    assert "idle_timeout" not in body and "json_schema" not in body


def test_openai_tool_calls_are_accumulated(openai):
    openai.script.reply = "Adding it."
    openai.script.tool_calls = [
        {"name": "insert", "arguments": {"target": "task", "name": "buy milk"}},
        {"name": "toggle", "arguments": {"target": "task", "id": 3}},
    ]
    tools = [{"type": "function", "function": {"name": "insert", "parameters": {"type": "object"}}}]
    chunks = run(
        collect(openai.backend.stream(HELLO, model="smollm2-135m-instruct", options={"tools": tools}))
    )
    assert "".join(chunks[:-1]) == "Adding it."
    assert parse_tool_calls(chunks[-1]) == openai.script.tool_calls
    assert openai.script.requests[-1]["body"]["tools"] == tools
    assert parse_tool_calls("plain text") is None


def test_openai_unknown_model(openai):
    _, err = run(collect_until_error(openai.backend.stream(HELLO, model="gpt-99")))
    assert "404" in str(err) and "does not exist" in str(err)


def test_openai_error_event_malformed_and_stall(openai):
    model = "smollm2-135m-instruct"
    openai.script.error_after = 1
    chunks, err = run(collect_until_error(openai.backend.stream(HELLO, model=model)))
    assert chunks == ["Hello"] and "server had an error" in str(err)
    openai.script.error_after, openai.script.malformed_after = None, 0
    _, err = run(collect_until_error(openai.backend.stream(HELLO, model=model)))
    assert "malformed stream" in str(err)
    openai.script.malformed_after, openai.script.stall_after = None, 1
    started = time.perf_counter()
    _, err = run(
        collect_until_error(openai.backend.stream(HELLO, model=model, options={"idle_timeout": 0.3}))
    )
    assert "stopped sending text for 0.3 s" in str(err)
    assert time.perf_counter() - started < 2


def test_openai_down_fails_fast():
    started = time.perf_counter()
    with pytest.raises(BackendError, match="is not answering"):
        run(OpenAICompatBackend(dead_url()).models())
    assert time.perf_counter() - started < 2.5
