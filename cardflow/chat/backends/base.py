"""What every LLM backend shares: the error, the base class with its capabilities, and the idle guard.

Every backend streams plain text chunks from ``stream()``. Failures of any kind surface as
``BackendError`` with a sentence a user can act on, so the chat panel can show it verbatim.

Options understood by ``stream(..., options=...)`` (unknown keys go to the backend as-is):

- ``json_schema``: constrain the reply to JSON matching this schema
- ``reply_prefix``: the reply's first characters, already written; the model continues after them
  and ``json_schema`` constrains only the continuation (backends with ``supports_reply_prefix``)
- ``tools``: OpenAI-style tool definitions (backends with ``supports_tools``)
- ``temperature``, ``max_tokens``
- ``context``: the kind of prompt ("decision" for the assistant's constrained calls; the chat's by
  default). A backend that keeps prompts in several KV caches (the embedded one) runs each kind
  in its own, so they do not push each other out; the others ignore it.
- ``idle_timeout``: seconds without a chunk before giving up (default 30)
- ``first_chunk_timeout``: the same for the first chunk (default: the idle timeout);
  raise it for servers that load big models on the first request

Native tool calls are not text, so they arrive as one final chunk:
``TOOL_CALLS_MARKER + json.dumps({"tool_calls": [{"name": ..., "arguments": {...}}]})``.
``parse_tool_calls(chunk)`` turns such a chunk back into the list. ``arguments`` is the raw
string when the model produced invalid JSON, so the command validator can reject it.
"""

from __future__ import annotations

import abc
import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

TOOL_CALLS_MARKER = "[[cardflow:tool_calls]]"
DEFAULT_IDLE_TIMEOUT = 30.0
DEFAULT_CONTEXT_CHARS = 24000
# Keys the backends translate themselves rather than forwarding to the server.
OWN_KEYS = frozenset({"json_schema", "tools", "temperature", "max_tokens", "idle_timeout", "first_chunk_timeout",
                      "context"})

Messages = list[dict[str, Any]]


class BackendError(Exception):
    """Any backend failure; ``str(err)`` is meant to be shown to the user."""


@dataclass(frozen=True)
class BackendSettings:
    """The settings a backend may be built from; each backend reads the fields it needs."""

    ollama_host: str | None = None
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    scripted_replies: list[str] | None = None
    scripted_delay: float = 0.0


class Backend(abc.ABC):
    """A chat model. Subclasses implement ``generate()``; callers use ``stream()``.

    Everything the rest of the app decides about a backend is read from the class attributes
    below, never from its name, so a third-party backend (registered under the
    ``cardflow.backends`` entry point group) is treated exactly like a built-in one.
    """

    name: ClassVar[str]  # the `llm` setting that selects it; also its entry point name
    supports_tools: ClassVar[bool] = False  # honours options["tools"] (native tool calls)
    supports_grammar: ClassVar[bool] = False  # honours options["json_schema"]
    # Honours options["reply_prefix"]: text the grammar would force anyway is given, not generated
    # one token at a time.
    supports_reply_prefix: ClassVar[bool] = False
    context_chars: ClassVar[int] = DEFAULT_CONTEXT_CHARS  # history budget for the prompt
    # Too small to write commands in free text: gets the grammar-constrained intent pass instead.
    needs_intent_pass: ClassVar[bool] = False
    # Serves several models without a default: with none chosen, use the first one listed.
    needs_model_list: ClassVar[bool] = False
    # Costly to start (loads weights): keep one instance when the settings are re-read.
    keep_instance: ClassVar[bool] = False
    # Position in the `auto` search (lower first); None keeps it out of `auto`.
    auto_order: ClassVar[int | None] = None
    # Runs on this machine without a server: `auto` stops here even when probe() says no,
    # because its stream() then explains what to install.
    auto_fallback: ClassVar[bool] = False

    model: str | None = None
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    last_tokens: int = 0  # prompt + completion tokens of the last reply, for backends that count them

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> tuple[Backend, str]:
        """A backend chosen in the settings, and a few words appended to "<name>: chosen in settings"."""
        return cls(), ""

    @classmethod
    async def probe(cls, settings: BackendSettings) -> tuple[bool, str]:
        """For `auto`: whether this backend can answer now, and a phrase saying so for the reason."""
        return True, f"using {cls.name}"

    async def models(self) -> list[str]:
        return []

    def stream(
        self, messages: Messages, *, model: str | None = None, options: dict[str, Any] | None = None
    ) -> AsyncIterator[str]:
        """The reply as text chunks; BackendError when the backend fails or goes quiet."""
        options = dict(options or {})
        idle, first = _timeouts(options, self.idle_timeout)
        return guard_idle(self.generate(messages, model, options), idle, first)

    @abc.abstractmethod
    def generate(self, messages: Messages, model: str | None, options: dict[str, Any]) -> AsyncIterator[str]:
        """The raw chunks; implemented by each backend (usually as an async generator)."""


def parse_tool_calls(chunk: str) -> list[dict[str, Any]] | None:
    """The tool calls carried by a marker chunk, or None for ordinary text."""
    if not chunk.startswith(TOOL_CALLS_MARKER):
        return None
    try:
        calls: list[dict[str, Any]] = json.loads(chunk[len(TOOL_CALLS_MARKER) :])["tool_calls"]
    except (ValueError, KeyError, TypeError):
        return None
    return calls


def tool_calls_chunk(calls: list[dict[str, Any]]) -> str:
    return TOOL_CALLS_MARKER + json.dumps({"tool_calls": calls})


def json_or_raw(text: Any) -> Any:
    """Parsed tool-call arguments, or the raw text so the command validator can refuse it."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError:
        return text


def malformed(line: str) -> BackendError:
    return BackendError(f"The backend sent a malformed stream: {line[:120]!r}")


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
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()


def _timeouts(options: dict[str, Any], default_idle: float) -> tuple[float, float | None]:
    idle = float(options.get("idle_timeout", default_idle))
    first = options.get("first_chunk_timeout")
    return idle, None if first is None else float(first)
