"""Which backend answers: the shared protocol, the scripted stand-in, auto and explicit choice, probing."""

from __future__ import annotations

import time

import pytest

from cardflow.chat.backends import (
    Backend,
    BackendError,
    EmbeddedBackend,
    OllamaBackend,
    OpenAICompatBackend,
    ScriptedBackend,
    choose_backend,
    embedded_available,
    probe_ollama,
)
from cardflow.chat.backends import embedded as embedded_module
from tests.unit._backends_helpers import (
    HELLO,
    collect,
    dead_url,
    ollama_fixture,  # noqa: F401 - the fixture "ollama"
    ollama_server_fixture,  # noqa: F401 - the fixture "ollama_server"
    openai_fixture,  # noqa: F401 - the fixture "openai"
    openai_server_fixture,  # noqa: F401 - the fixture "openai_server"
    run,
)


def test_backends_satisfy_the_protocol(ollama, openai):
    for backend in (ollama.backend, openai.backend, ScriptedBackend(["x"]), EmbeddedBackend()):
        assert isinstance(backend, Backend)
        assert backend.name in ("ollama", "openai", "scripted", "embedded")


# --- scripted --------------------------------------------------------------------------------


def test_scripted_streams_word_by_word_and_cycles():
    replies = ['{"action": "insert", "target": "task", "name": "buy milk"}', "  Done.\nNext? "]
    backend = ScriptedBackend(replies, delay=0.01)
    started = time.perf_counter()
    first = run(collect(backend.stream(HELLO)))
    assert time.perf_counter() - started >= 0.01 * len(first)
    assert "".join(first) == replies[0] and len(first) == 7
    assert "".join(run(collect(backend.stream(HELLO)))) == replies[1]
    assert "".join(run(collect(backend.stream(HELLO)))) == replies[0]
    assert backend.calls == [HELLO, HELLO, HELLO]
    assert run(backend.models()) == ["scripted"]


# --- choosing and probing ----------------------------------------------------------------------


def test_auto_picks_ollama_when_it_answers(ollama):
    backend, reason = run(choose_backend("auto", ollama_host=ollama.url))
    assert isinstance(backend, OllamaBackend) and backend.host == ollama.url
    assert reason == f"auto: Ollama answered at {ollama.url}"


def test_auto_falls_back_to_embedded_when_nothing_listens():
    url = dead_url()
    started = time.perf_counter()
    backend, reason = run(choose_backend(ollama_host=url))
    assert time.perf_counter() - started < 2.5
    assert isinstance(backend, EmbeddedBackend)
    assert reason.startswith(f"auto: no Ollama at {url}")
    if embedded_available()[0]:
        assert reason.endswith("using the embedded SmolLM2 model")


def test_auto_skips_an_ollama_without_models(ollama):
    ollama.script.models = []
    backend, reason = run(choose_backend(ollama_host=ollama.url))
    assert isinstance(backend, EmbeddedBackend)
    assert f"Ollama at {ollama.url} has no models" in reason


def test_auto_explains_a_missing_embedded_model(monkeypatch):
    monkeypatch.setattr(
        embedded_module, "embedded_available", lambda: (False, "llama-cpp-python is not installed")
    )
    backend, reason = run(choose_backend(ollama_host=dead_url()))
    assert isinstance(backend, EmbeddedBackend)
    assert reason.endswith("and the embedded model is unavailable: llama-cpp-python is not installed")


def test_explicit_choices(openai):
    backend, reason = run(choose_backend("ollama", ollama_host="localhost:9"))
    assert isinstance(backend, OllamaBackend) and "chosen in settings" in reason
    backend, _ = run(choose_backend("openai", openai_base_url=openai.url, openai_api_key="k"))
    assert isinstance(backend, OpenAICompatBackend) and backend.api_key == "k"
    backend, _ = run(choose_backend("embedded"))
    assert isinstance(backend, EmbeddedBackend)
    backend, _ = run(choose_backend("scripted", scripted_replies=["hi"]))
    assert isinstance(backend, ScriptedBackend) and backend.replies == ["hi"]
    with pytest.raises(BackendError, match="needs a base URL"):
        run(choose_backend("openai"))
    with pytest.raises(BackendError, match="Unknown backend"):
        run(choose_backend("gpt"))


def test_probe_ollama(ollama):
    ok, message = run(probe_ollama(ollama.url))
    assert ok and message == f"Ollama answered at {ollama.url} with 1 model(s): smollm2:135m"
    url = dead_url()
    ok, message = run(probe_ollama(url, timeout=0.5))
    assert not ok and message.startswith(f"no Ollama at {url}")
