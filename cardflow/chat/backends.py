"""LLM backends: Ollama and any OpenAI-compatible server, plus what every backend shares.

The embedded model lives in embedded.py; the scripted backend and ``choose_backend`` (which
picks one from the settings) live in choose.py and are re-exported here.

Every backend streams plain text chunks from ``stream()``. Failures of any kind surface as
``BackendError`` with a sentence a user can act on, so the chat panel can show it verbatim.

Options understood by ``stream(..., options=...)`` (unknown keys go to the backend as-is):

- ``json_schema``: constrain the reply to JSON matching this schema
- ``tools``: OpenAI-style tool definitions (Ollama and OpenAI-compatible servers)
- ``temperature``, ``max_tokens``
- ``idle_timeout``: seconds without a chunk before giving up (default 30)
- ``first_chunk_timeout``: the same for the first chunk (default: the idle timeout);
  raise it for servers that load big models on the first request

Native tool calls are not text, so they arrive as one final chunk:
``TOOL_CALLS_MARKER + json.dumps({"tool_calls": [{"name": ..., "arguments": {...}}]})``.
``parse_tool_calls(chunk)`` turns such a chunk back into the list. ``arguments`` is the raw
string when the model produced invalid JSON, so the command validator can reject it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import httpx

TOOL_CALLS_MARKER = "[[cardflow:tool_calls]]"
DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
DEFAULT_IDLE_TIMEOUT = 30.0
CONNECT_TIMEOUT = 2.0
CHOICES = ("auto", "ollama", "openai", "embedded", "scripted")
# Keys handled here rather than forwarded to the server.
_OWN_KEYS = {"json_schema", "tools", "temperature", "max_tokens", "idle_timeout", "first_chunk_timeout"}


class BackendError(Exception):
    """Any backend failure; ``str(err)`` is meant to be shown to the user."""


@runtime_checkable
class Backend(Protocol):
    name: str

    async def models(self) -> list[str]: ...

    def stream(
        self, messages: list[dict], *, model: str | None = None, options: dict | None = None
    ) -> AsyncIterator[str]: ...


def parse_tool_calls(chunk: str) -> list[dict] | None:
    """The tool calls carried by a marker chunk, or None for ordinary text."""
    if not chunk.startswith(TOOL_CALLS_MARKER):
        return None
    try:
        return json.loads(chunk[len(TOOL_CALLS_MARKER) :])["tool_calls"]
    except (ValueError, KeyError, TypeError):
        return None


def _tool_calls_chunk(calls: list[dict]) -> str:
    return TOOL_CALLS_MARKER + json.dumps({"tool_calls": calls})


def _json_or_raw(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError:
        return text


async def guard_idle(
    chunks: AsyncIterator[str], idle_timeout: float, first_chunk_timeout: float | None = None
) -> AsyncIterator[str]:
    """Re-yield ``chunks``, raising BackendError when the source goes quiet for too long."""
    timeout = first_chunk_timeout if first_chunk_timeout is not None else idle_timeout
    try:
        while True:
            try:
                async with asyncio.timeout(timeout):
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise BackendError(f"The model stopped sending text for {timeout:g} s") from None
            timeout = idle_timeout
            yield chunk
    finally:
        # Closing the source is what tells an HTTP stream or a worker thread to stop.
        await chunks.aclose()  # type: ignore[attr-defined]


def _timeouts(options: dict, default_idle: float) -> tuple[float, float | None]:
    idle = float(options.get("idle_timeout", default_idle))
    first = options.get("first_chunk_timeout")
    return idle, None if first is None else float(first)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _client(
    base_url: str, read_timeout: float | None = 10.0, headers: dict | None = None
) -> httpx.AsyncClient:
    # A proxy from the environment must never see traffic to a model on this machine.
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT),
        trust_env=not _is_loopback(base_url),
    )


def _why(exc: Exception) -> str:
    """A few words on a network failure, for people rather than for logs."""
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return str(exc) or type(exc).__name__


def _error_text(response: httpx.Response) -> str:
    """The server's own error message, whichever of the common shapes it uses."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    err = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(err, dict):
        err = err.get("message") or json.dumps(err)
    return str(err)


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


class _HTTPBackend:
    """What Ollama and OpenAI-compatible servers share: a model list and a streamed POST."""

    name: str
    label: str  # how the server is named in messages
    models_path: str
    chat_path: str

    def __init__(self, base_url: str, *, model: str | None, idle_timeout: float, headers: dict | None = None):
        self.base_url = base_url
        self.model = model
        self.idle_timeout = idle_timeout
        self.headers = headers

    def _down(self, exc: Exception) -> BackendError:
        return BackendError(f"{self.label} at {self.base_url} is not answering ({_why(exc)})")

    def _refused(self, response: httpx.Response) -> BackendError:
        hint = " (check the API key)" if response.status_code in (401, 403) else ""
        return BackendError(
            f"{self.label} at {self.base_url} refused the request ({response.status_code}){hint}: {_error_text(response)}"
        )

    def _names(self, body: Any) -> list[str]:  # each server lists models in its own shape
        return []

    async def models(self) -> list[str]:
        try:
            async with _client(self.base_url, headers=self.headers) as client:
                response = await client.get(self.models_path)
        except httpx.HTTPError as exc:
            raise self._down(exc) from exc
        if response.status_code >= 400:
            raise self._refused(response)
        try:
            return self._names(response.json())
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendError(f"{self.label} at {self.base_url} sent a malformed model list") from exc

    def stream(
        self, messages: list[dict], *, model: str | None = None, options: dict | None = None
    ) -> AsyncIterator[str]:
        options = dict(options or {})
        idle, first = _timeouts(options, self.idle_timeout)
        return guard_idle(self._stream(messages, model, options), idle, first)

    async def _lines(self, body: dict) -> AsyncIterator[str]:
        try:
            async with (
                _client(self.base_url, None, self.headers) as client,
                client.stream("POST", self.chat_path, json=body) as response,
            ):
                if response.status_code >= 400:
                    await response.aread()
                    raise self._refused(response)
                async for line in response.aiter_lines():
                    yield line
        except httpx.HTTPError as exc:
            raise self._down(exc) from exc


def _malformed(line: str) -> BackendError:
    return BackendError(f"The backend sent a malformed stream: {line[:120]!r}")


class OllamaBackend(_HTTPBackend):
    name, label = "ollama", "Ollama"
    models_path, chat_path = "/api/tags", "/api/chat"

    def __init__(
        self, host: str | None = None, *, model: str | None = None, idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    ):
        super().__init__(resolve_ollama_host(host), model=model, idle_timeout=idle_timeout)

    @property
    def host(self) -> str:
        return self.base_url

    def _names(self, body: Any) -> list[str]:
        return [m["name"] for m in body["models"]]

    def _body(self, messages: list[dict], model: str, options: dict) -> dict:
        model_options = {k: v for k, v in options.items() if k not in _OWN_KEYS}
        if "temperature" in options:
            model_options["temperature"] = options["temperature"]
        if "max_tokens" in options:
            model_options["num_predict"] = options["max_tokens"]
        body: dict[str, Any] = {"model": model, "messages": messages, "stream": True}
        if model_options:
            body["options"] = model_options
        if "json_schema" in options:
            body["format"] = options["json_schema"]  # Ollama's structured outputs
        if "tools" in options:
            body["tools"] = options["tools"]
        return body

    async def _stream(self, messages: list[dict], model: str | None, options: dict) -> AsyncIterator[str]:
        model = model or self.model
        if not model:
            names = await self.models()
            if not names:
                raise BackendError(f"Ollama at {self.host} has no models yet; try `ollama pull smollm2:135m`")
            model = names[0]
        calls: list[dict] = []
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
                        calls.append({"name": fn.get("name"), "arguments": _json_or_raw(fn.get("arguments"))})
                except (ValueError, AttributeError, TypeError) as exc:
                    raise _malformed(line) from exc
                if text:
                    yield text
                if data.get("done"):
                    break
        if calls:
            yield _tool_calls_chunk(calls)


class OpenAICompatBackend(_HTTPBackend):
    name, label = "openai", "The OpenAI-compatible server"
    models_path, chat_path = "/v1/models", "/v1/chat/completions"

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        model: str | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ):
        base = re.sub(r"/v1/?$", "", base_url.rstrip("/"))  # "http://h:8080" and "http://h:8080/v1" both work
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        super().__init__(base, model=model, idle_timeout=idle_timeout, headers=headers)
        self.api_key = api_key

    def _names(self, body: Any) -> list[str]:
        return [m["id"] for m in body["data"]]

    def _body(self, messages: list[dict], model: str | None, options: dict) -> dict:
        body: dict[str, Any] = {k: v for k, v in options.items() if k not in _OWN_KEYS}
        # Single-model servers (llama.cpp's) ignore the name, so "default" is fine there.
        body.update(messages=messages, stream=True, model=model or self.model or "default")
        body.update({k: options[k] for k in ("temperature", "max_tokens", "tools") if k in options})
        if "json_schema" in options:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "command", "schema": options["json_schema"]},
            }
        return body

    async def _stream(self, messages: list[dict], model: str | None, options: dict) -> AsyncIterator[str]:
        calls: dict[int, dict] = {}
        async with aclosing(self._lines(self._body(messages, model, options))) as lines:
            async for line in lines:
                # SSE: only "data:" lines matter; blank lines, comments and event names do not.
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                try:
                    data = json.loads(payload)
                    if "error" in data:
                        err = data["error"]
                        raise BackendError(
                            f"The server reported an error: {err.get('message', err) if isinstance(err, dict) else err}"
                        )
                    delta = (data.get("choices") or [{}])[0].get("delta") or {}
                    text = delta.get("content") or ""
                    for part in delta.get("tool_calls") or []:
                        slot = calls.setdefault(part.get("index", len(calls)), {"name": "", "arguments": ""})
                        fn = part.get("function") or {}
                        slot["name"] += fn.get("name") or ""
                        slot["arguments"] += fn.get("arguments") or ""
                except (ValueError, AttributeError, TypeError) as exc:
                    raise _malformed(line) from exc
                if text:
                    yield text
        if calls:
            ordered = [calls[i] for i in sorted(calls)]
            yield _tool_calls_chunk(
                [{"name": c["name"], "arguments": _json_or_raw(c["arguments"])} for c in ordered]
            )


# choose.py needs every backend above, and embedded.py imports this module, so its names are
# re-exported lazily (PEP 562): importing it at module level would be circular whenever
# choose.py is imported first.
_FROM_CHOOSE = frozenset({"ScriptedBackend", "probe_ollama", "embedded_available", "choose_backend"})


def __getattr__(name: str) -> Any:
    if name in _FROM_CHOOSE:
        from cardflow.chat import choose

        return getattr(choose, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
