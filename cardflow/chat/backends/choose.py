"""Picking a backend: the `llm` setting -> a backend instance, and why (shown in the UI and by doctor).

"auto" walks the registry's auto candidates in order: the first whose probe answers wins, and
a local fallback (the embedded model) ends the search even when it cannot run yet, so its
stream() can explain what to install.
"""

from __future__ import annotations

from cardflow.chat.backends.base import Backend, BackendError, BackendSettings
from cardflow.chat.backends.registry import AUTO, BackendRegistry, backend_registry


async def choose_backend(
    choice: str = AUTO,
    *,
    ollama_host: str | None = None,
    openai_base_url: str | None = None,
    openai_api_key: str | None = None,
    scripted_replies: list[str] | None = None,
    scripted_delay: float = 0.0,
    registry: BackendRegistry | None = None,
) -> tuple[Backend, str]:
    """The backend for a settings value, and why it was picked."""
    registry = registry or backend_registry()
    settings = BackendSettings(ollama_host=ollama_host, openai_base_url=openai_base_url,
                               openai_api_key=openai_api_key, scripted_replies=scripted_replies,
                               scripted_delay=scripted_delay)
    if choice == AUTO:
        return await _auto(registry, settings)
    cls = registry.get(choice)
    if cls is None:
        raise BackendError(f"Unknown backend {choice!r}; choose one of {', '.join(registry.choices())}")
    backend, detail = cls.from_settings(settings)
    return backend, f"{choice}: chosen in settings{detail}"


async def _auto(registry: BackendRegistry, settings: BackendSettings) -> tuple[Backend, str]:
    missing: list[str] = []
    for cls in registry.auto_candidates():
        ok, said = await cls.probe(settings)
        if ok or cls.auto_fallback:
            backend, _ = cls.from_settings(settings)
            return backend, f"{AUTO}: " + ", ".join([*missing, said])
        missing.append(said)
    raise BackendError(f"{AUTO}: " + ", ".join([*missing, "and no other backend is available"]))
