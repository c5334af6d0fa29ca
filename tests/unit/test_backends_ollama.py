"""The Ollama backend against a protocol-exact fake: streaming, options, failures, host parsing."""

from __future__ import annotations

import time

import pytest

from cardflow.chat.backends import (
    TOOL_CALLS_MARKER,
    BackendError,
    OllamaBackend,
    parse_tool_calls,
    resolve_ollama_host,
)
from tests.fakes import ollama as fake_ollama_module
from tests.fakes.ollama import OllamaScript
from tests.unit._backends_helpers import (
    COMMAND_SCHEMA,
    HELLO,
    collect,
    collect_until_error,
    dead_url,
    ollama_fixture,  # noqa: F401 - the fixture "ollama"
    ollama_server_fixture,  # noqa: F401 - the fixture "ollama_server"
    run,
)


def test_ollama_models(ollama):
    ollama.script.models = ["smollm2:135m", "llama3.2:1b"]
    assert run(ollama.backend.models()) == ["smollm2:135m", "llama3.2:1b"]


def test_ollama_streams_chunks_in_order(ollama):
    ollama.script.reply = ["Hel", "lo", ", ", "world", "!"]
    chunks = run(collect(ollama.backend.stream(HELLO, model="smollm2:135m")))
    assert chunks == ["Hel", "lo", ", ", "world", "!"]
    body = ollama.script.requests[-1]
    assert body["stream"] is True
    assert body["model"] == "smollm2:135m"
    assert body["messages"] == HELLO


def test_ollama_without_a_model_uses_the_first_one_listed(ollama):
    ollama.script.models = ["qwen3:0.6b", "smollm2:135m"]
    assert "".join(run(collect(ollama.backend.stream(HELLO)))) == "Hello from the fake Ollama."
    assert ollama.script.requests[-1]["model"] == "qwen3:0.6b"


def test_ollama_with_no_models_says_how_to_get_one(ollama):
    ollama.script.models = []
    _, err = run(collect_until_error(ollama.backend.stream(HELLO)))
    assert "has no models" in str(err)
    assert "ollama pull" in str(err)


def test_ollama_maps_options(ollama):
    options = {
        "json_schema": COMMAND_SCHEMA,
        "max_tokens": 50,
        "temperature": 0.2,
        "num_ctx": 4096,
        "tools": [{"type": "function"}],
    }
    run(collect(ollama.backend.stream(HELLO, model="smollm2:135m", options=options)))
    body = ollama.script.requests[-1]
    assert body["format"] == COMMAND_SCHEMA
    assert body["options"] == {"num_predict": 50, "temperature": 0.2, "num_ctx": 4096}
    assert body["tools"] == [{"type": "function"}]
    assert "json_schema" not in body and "idle_timeout" not in body


def test_ollama_error_line_raises_after_the_text_before_it(ollama):
    ollama.script.reply = ["one", " two", " three"]
    ollama.script.error_after = 2
    chunks, err = run(collect_until_error(ollama.backend.stream(HELLO, model="smollm2:135m")))
    assert chunks == ["one", " two"]
    assert "Ollama reported an error" in str(err)
    assert "unexpected EOF" in str(err)


def test_ollama_unknown_model_is_a_readable_404(ollama):
    _, err = run(collect_until_error(ollama.backend.stream(HELLO, model="nope:7b")))
    assert "404" in str(err)
    assert 'model "nope:7b" not found, try pulling it first' in str(err)


def test_ollama_down_fails_fast():
    backend = OllamaBackend(dead_url())
    started = time.perf_counter()
    _, err = run(collect_until_error(backend.stream(HELLO, model="smollm2:135m")))
    assert "is not answering" in str(err)
    with pytest.raises(BackendError, match="is not answering"):
        run(backend.models())
    assert time.perf_counter() - started < 2.5


def test_ollama_stall_hits_the_idle_timeout(ollama):
    ollama.script.reply = ["a", " b", " c"]
    ollama.script.stall_after = 2
    started = time.perf_counter()
    chunks, err = run(
        collect_until_error(ollama.backend.stream(HELLO, model="smollm2:135m", options={"idle_timeout": 0.3}))
    )
    assert chunks == ["a", " b"]
    assert str(err) == "The model stopped sending text for 0.3 s"
    assert time.perf_counter() - started < 2


def test_idle_timeout_from_the_constructor_and_for_the_first_chunk(ollama):
    ollama.script.stall_after = 0
    backend = OllamaBackend(ollama.url, idle_timeout=0.2)
    _, err = run(collect_until_error(backend.stream(HELLO, model="smollm2:135m")))
    assert "0.2 s" in str(err)
    _, err = run(
        collect_until_error(backend.stream(HELLO, model="smollm2:135m", options={"first_chunk_timeout": 0.4}))
    )
    assert "0.4 s" in str(err)


def test_ollama_malformed_line(ollama):
    ollama.script.malformed_after = 1
    chunks, err = run(collect_until_error(ollama.backend.stream(HELLO, model="smollm2:135m")))
    assert chunks == ["Hello"]
    assert str(err).startswith("The backend sent a malformed stream: ")


def test_ollama_tool_calls_arrive_as_one_marker_chunk(ollama):
    ollama.script.reply = ""
    ollama.script.tool_calls = [{"name": "insert", "arguments": {"target": "task", "name": "buy milk"}}]
    tools = [{"type": "function", "function": {"name": "insert", "parameters": {"type": "object"}}}]
    chunks = run(collect(ollama.backend.stream(HELLO, model="smollm2:135m", options={"tools": tools})))
    assert len(chunks) == 1 and chunks[0].startswith(TOOL_CALLS_MARKER)
    assert parse_tool_calls(chunks[0]) == ollama.script.tool_calls


def test_ollama_fake_non_streaming_and_bad_json(ollama):
    import httpx

    with httpx.Client(base_url=ollama.url) as client:
        reply = client.post(
            "/api/chat", json={"model": "smollm2:135m", "messages": HELLO, "stream": False}
        ).json()
        assert reply["done"] is True and reply["message"]["content"] == "Hello from the fake Ollama."
        bad = client.post("/api/chat", content=b"{not json")
        assert bad.status_code == 400 and "error" in bad.json()
        assert client.get("/api/version").json()["version"]
        tag = client.get("/api/tags").json()["models"][0]
        assert {"name", "model", "modified_at", "size", "digest", "details"} <= set(tag)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "http://127.0.0.1:11434"),
        ("example.com", "http://example.com:11434"),
        ("0.0.0.0:11500", "http://127.0.0.1:11500"),
        (":11434", "http://127.0.0.1:11434"),
        ("http://10.0.0.5:8000/", "http://10.0.0.5:8000"),
        ("https://ollama.example.com", "https://ollama.example.com:443"),
        ("[::1]:11434", "http://[::1]:11434"),
    ],
)
def test_ollama_host_parsing(monkeypatch, value, expected):
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    if value is not None:
        monkeypatch.setenv("OLLAMA_HOST", value)
    assert resolve_ollama_host() == expected
    assert OllamaBackend().host == expected


def test_explicit_host_beats_the_environment(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "elsewhere:1")
    assert OllamaBackend("127.0.0.1:2345").host == "http://127.0.0.1:2345"


def test_closing_early_disconnects_from_the_server(ollama):
    ollama.script.reply = [f"w{i} " for i in range(50)]
    ollama.script.chunk_delay = 0.01

    async def first_two() -> list[str]:
        stream = ollama.backend.stream(HELLO, model="smollm2:135m")
        got = [await anext(stream), await anext(stream)]
        await stream.aclose()
        return got

    assert run(first_two()) == ["w0 ", "w1 "]
    # The connection is closed at once, so a real Ollama would stop generating too.
    deadline = time.monotonic() + 1
    while ollama.script.open_streams and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ollama.script.open_streams == 0
    ollama.script.chunk_delay = 0
    assert len(run(collect(ollama.backend.stream(HELLO, model="smollm2:135m")))) == 50


def test_fake_module_exposes_a_one_shot_server():
    with fake_ollama_module.fake_ollama(OllamaScript(models=["m"])) as url:
        assert run(OllamaBackend(url).models()) == ["m"]
