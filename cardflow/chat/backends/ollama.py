"""The Ollama backend, its host resolution and the probe `auto` and `cardflow doctor` use."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any
from urllib.parse import urlsplit

import httpx

from cardflow.chat.backends.base import (
    DEFAULT_IDLE_TIMEOUT,
    OWN_KEYS,
    Backend,
    BackendError,
    BackendSettings,
    Messages,
    json_or_raw,
    malformed,
    tool_calls_chunk,
)
from cardflow.chat.backends.http import HTTPBackend, client, why

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"


def resolve_ollama_host(host: str | None = None) -> str:
    """Normalise ``host`` or ``$OLLAMA_HOST`` the way Ollama's own clients do."""
    raw = (host or os.environ.get("OLLAMA_HOST") or DEFAULT_OLLAMA_HOST).strip().rstrip("/")
    has_scheme = "://" in raw
    parts = urlsplit(raw if has_scheme else f"http://{raw}")
    name = parts.hostname or "127.0.0.1"
    # The bind-everything addresses mean "this machine" when used by a client.
    name = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(name, name)
    port = parts.port or (11434 if not has_scheme else {"https": 443}.get(parts.scheme, 80))
    shown = f"[{name}]" if ":" in name else name
    return f"{parts.scheme}://{shown}:{port}{parts.path}"


async def ollama_tags(host: str, timeout: float) -> list[str]:
    async with client(host, read_timeout=timeout) as http:
        response = await http.get("/api/tags", timeout=httpx.Timeout(timeout))
    response.raise_for_status()
    return [m["name"] for m in response.json()["models"]]


async def probe_ollama(host: str | None = None, timeout: float = 1.0) -> tuple[bool, str]:
    """Whether an Ollama server answers at ``host`` (or $OLLAMA_HOST), and a sentence saying so."""
    url = resolve_ollama_host(host)
    try:
        names = await ollama_tags(url, timeout)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        return False, f"no Ollama at {url} ({why(exc)})"
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return True, f"Ollama answered at {url} with {len(names)} model(s){': ' + shown if names else ''}"


class OllamaBackend(HTTPBackend):
    name, label = "ollama", "Ollama"
    models_path, chat_path = "/api/tags", "/api/chat"
    supports_tools = True
    supports_grammar = True  # Ollama's structured outputs ("format")
    auto_order = 10  # a local server with models beats the small embedded model

    def __init__(
        self, host: str | None = None, *, model: str | None = None, idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    ) -> None:
        super().__init__(resolve_ollama_host(host), model=model, idle_timeout=idle_timeout)

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> tuple[Backend, str]:
        backend = cls(settings.ollama_host)
        return backend, f", at {backend.host}"

    @classmethod
    async def probe(cls, settings: BackendSettings) -> tuple[bool, str]:
        host = resolve_ollama_host(settings.ollama_host)
        try:
            names = await ollama_tags(host, 1.0)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            return False, f"no Ollama at {host} ({why(exc)})"
        if names:
            return True, f"Ollama answered at {host}"
        return False, f"Ollama at {host} has no models"

    @property
    def host(self) -> str:
        return self.base_url

    def _names(self, body: Any) -> list[str]:
        return [m["name"] for m in body["models"]]

    def _body(self, messages: Messages, model: str, options: dict[str, Any]) -> dict[str, Any]:
        model_options = {k: v for k, v in options.items() if k not in OWN_KEYS}
        if "temperature" in options:
            model_options["temperature"] = options["temperature"]
        if "max_tokens" in options:
            model_options["num_predict"] = options["max_tokens"]
        body: dict[str, Any] = {"model": model, "messages": messages, "stream": True}
        if model_options:
            body["options"] = model_options
        if "json_schema" in options:
            body["format"] = options["json_schema"]
        if "tools" in options:
            body["tools"] = options["tools"]
        return body

    async def generate(self, messages: Messages, model: str | None, options: dict[str, Any]) -> AsyncIterator[str]:
        model = model or self.model
        if not model:
            names = await self.models()
            if not names:
                raise BackendError(f"Ollama at {self.host} has no models yet; try `ollama pull smollm2:135m`")
            model = names[0]
        calls: list[dict[str, Any]] = []
        async with aclosing(self._lines(self._body(messages, model, options))) as lines:
            async for line in lines:
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    if "error" in data:
                        raise BackendError(f"Ollama reported an error: {data['error']}")
                    message = data.get("message") or {}
                    text = message.get("content") or ""
                    for call in message.get("tool_calls") or []:
                        fn = call.get("function", {})
                        calls.append({"name": fn.get("name"), "arguments": json_or_raw(fn.get("arguments"))})
                except (ValueError, AttributeError, TypeError) as exc:
                    raise malformed(line) from exc
                if text:
                    yield text
                if data.get("done"):
                    break
        if calls:
            yield tool_calls_chunk(calls)
