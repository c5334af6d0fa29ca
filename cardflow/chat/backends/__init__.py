"""LLM backends: one module per backend, the base they share, the registry and the chooser.

Imports go one way: each backend imports only ``base`` (the server ones also ``http``), the
registry imports ``base`` and loads backends by entry point, and ``choose`` imports the
registry. This module only re-exports, so ``from cardflow.chat.backends import X`` keeps working.
"""

from cardflow.chat.backends.base import (
    DEFAULT_IDLE_TIMEOUT,
    TOOL_CALLS_MARKER,
    Backend,
    BackendError,
    BackendSettings,
    guard_idle,
    parse_tool_calls,
)
from cardflow.chat.backends.choose import choose_backend
from cardflow.chat.backends.embedded import EmbeddedBackend, embedded_available, find_gguf
from cardflow.chat.backends.ollama import (
    DEFAULT_OLLAMA_HOST,
    OllamaBackend,
    probe_ollama,
    resolve_ollama_host,
)
from cardflow.chat.backends.openai import OpenAICompatBackend
from cardflow.chat.backends.registry import BackendRegistry, backend_choices, backend_registry
from cardflow.chat.backends.scripted import ScriptedBackend

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_OLLAMA_HOST",
    "TOOL_CALLS_MARKER",
    "Backend",
    "BackendError",
    "BackendRegistry",
    "BackendSettings",
    "EmbeddedBackend",
    "OllamaBackend",
    "OpenAICompatBackend",
    "ScriptedBackend",
    "backend_choices",
    "backend_registry",
    "choose_backend",
    "embedded_available",
    "find_gguf",
    "guard_idle",
    "parse_tool_calls",
    "probe_ollama",
    "resolve_ollama_host",
]
