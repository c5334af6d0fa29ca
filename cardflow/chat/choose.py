"""Picking a backend: the scripted one, the probes, and the settings value -> backend mapping.

``choose_backend`` turns the ``llm`` setting into a backend (``cardflow doctor`` reports its
reason); "auto" prefers a local Ollama that has models and falls back to the embedded model.
This sits apart from backends.py because it needs every backend, the embedded one included,
and embedded.py itself imports backends.py. backends.py re-exports these names.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import httpx

from cardflow.chat import embedded
from cardflow.chat.backends import (
    CHOICES,
    Backend,
    BackendError,
    OllamaBackend,
    OpenAICompatBackend,
    _client,
    _why,
    resolve_ollama_host,
)
from cardflow.chat.embedded import EmbeddedBackend


class ScriptedBackend:
    """Streams canned replies word by word: demos, end-to-end tests and benchmarks.

    Each ``stream()`` call takes the next reply, cycling; the conversations it was given are
    kept in ``calls`` so tests can check what the chat layer sent.
    """

    name = "scripted"

    def __init__(self, replies: list[str], delay: float = 0.0):
        if not replies:
            raise ValueError("ScriptedBackend needs at least one reply")
        self.replies = list(replies)
        self.delay = delay
        self.calls: list[list[dict]] = []

    async def models(self) -> list[str]:
        return ["scripted"]

    async def stream(
        self, messages: list[dict], *, model: str | None = None, options: dict | None = None
    ) -> AsyncIterator[str]:
        reply = self.replies[len(self.calls) % len(self.replies)]
        self.calls.append(messages)
        for word in re.findall(r"\S+\s*|\s+", reply):
            if self.delay:
                await asyncio.sleep(self.delay)
            yield word


async def _ollama_tags(host: str, timeout: float) -> list[str]:
    async with _client(host, read_timeout=timeout) as client:
        response = await client.get("/api/tags", timeout=httpx.Timeout(timeout))
    response.raise_for_status()
    return [m["name"] for m in response.json()["models"]]


async def probe_ollama(host: str | None = None, timeout: float = 1.0) -> tuple[bool, str]:
    """Whether an Ollama server answers at ``host`` (or $OLLAMA_HOST), and a sentence saying so."""
    url = resolve_ollama_host(host)
    try:
        names = await _ollama_tags(url, timeout)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        return False, f"no Ollama at {url} ({_why(exc)})"
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return True, f"Ollama answered at {url} with {len(names)} model(s){': ' + shown if names else ''}"


def embedded_available() -> tuple[bool, str]:
    """Whether the embedded model can run here, and what is missing if not.

    Looked up in embedded.py on each call, so a check patched there also reaches choose_backend.
    """
    return embedded.embedded_available()


async def choose_backend(
    choice: str = "auto",
    *,
    ollama_host: str | None = None,
    openai_base_url: str | None = None,
    openai_api_key: str | None = None,
    scripted_replies: list[str] | None = None,
    scripted_delay: float = 0.0,
) -> tuple[Backend, str]:
    """The backend for a settings value, and why it was picked (shown in the UI and by doctor)."""
    host = resolve_ollama_host(ollama_host)
    if choice == "ollama":
        return OllamaBackend(host), f"ollama: chosen in settings, at {host}"
    if choice == "openai":
        if not openai_base_url:
            raise BackendError("The OpenAI-compatible backend needs a base URL, e.g. http://127.0.0.1:8080")
        backend = OpenAICompatBackend(openai_base_url, openai_api_key)
        return backend, f"openai: chosen in settings, at {backend.base_url}"
    if choice == "embedded":
        ok, why = embedded_available()
        return EmbeddedBackend(), "embedded: chosen in settings" + ("" if ok else f", but {why}")
    if choice == "scripted":
        replies = scripted_replies or ["This is the scripted demo backend."]
        return ScriptedBackend(replies, scripted_delay), "scripted: chosen in settings (canned replies)"
    if choice != "auto":
        raise BackendError(f"Unknown backend {choice!r}; choose one of {', '.join(CHOICES)}")

    try:
        names = await _ollama_tags(host, 1.0)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        missing = f"no Ollama at {host} ({_why(exc)})"
    else:
        if names:
            return OllamaBackend(host), f"auto: Ollama answered at {host}"
        missing = f"Ollama at {host} has no models"
    ok, why = embedded_available()
    if ok:
        return EmbeddedBackend(), f"auto: {missing}, using the embedded SmolLM2 model"
    # Still hand back the embedded backend: its stream() explains what to install.
    return EmbeddedBackend(), f"auto: {missing}, and the embedded model is unavailable: {why}"
