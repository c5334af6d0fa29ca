"""The registry of backend classes: the one list of `llm` choices, and what `auto` searches.

Backends register through the ``cardflow.backends`` entry point group; the built-ins are
declared there in pyproject.toml exactly as a third-party package would declare its own::

    [project.entry-points."cardflow.backends"]
    mine = "my_package.module:MyBackend"   # a subclass of cardflow.chat.backends.Backend

When cardflow's own metadata is missing (a source tree that was never installed), the same
declarations are read from ``BUILTINS`` instead and go through the same ``register()``.
A backend that fails to load is logged and left out; the app keeps working without it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
from collections.abc import Iterable, Iterator

from loguru import logger

from cardflow.chat.backends.base import Backend

GROUP = "cardflow.backends"
AUTO = "auto"
DIST = "cardflow"
# The built-ins as "name = module:attribute" entry points; pyproject.toml declares the same.
BUILTINS: tuple[tuple[str, str], ...] = (
    ("ollama", "cardflow.chat.backends.ollama:OllamaBackend"),
    ("openai", "cardflow.chat.backends.openai:OpenAICompatBackend"),
    ("embedded", "cardflow.chat.backends.embedded:EmbeddedBackend"),
    ("scripted", "cardflow.chat.backends.scripted:ScriptedBackend"),
)


class BackendRegistry:
    """Backend classes by setting name, in the order they were registered."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Backend]] = {}

    def register(self, name: str, target: str | type[Backend]) -> bool:
        """Add one backend from a class or a "module:attribute" reference; False if it was skipped."""
        try:
            cls = _load(target) if isinstance(target, str) else target
            if not (isinstance(cls, type) and issubclass(cls, Backend)):
                raise TypeError(f"{cls!r} is not a subclass of cardflow.chat.backends.Backend")
            if getattr(cls, "name", None) != name:
                raise TypeError(f"{cls.__qualname__} declares name {getattr(cls, 'name', None)!r}, not {name!r}")
            if name == AUTO or name in self._classes:
                raise TypeError(f"the name {name!r} is already taken")
        except Exception as exc:  # a broken plugin must not take the chat down with it
            logger.warning(f"LLM backend {name!r} ({target}) was not loaded: {exc}")
            return False
        self._classes[name] = cls
        return True

    def names(self) -> tuple[str, ...]:
        return tuple(self._classes)

    def choices(self) -> tuple[str, ...]:
        """Every valid `llm` setting: "auto" and then each backend."""
        return (AUTO, *self._classes)

    def get(self, name: str) -> type[Backend] | None:
        return self._classes.get(name)

    def __iter__(self) -> Iterator[type[Backend]]:
        return iter(self._classes.values())

    def auto_candidates(self) -> list[type[Backend]]:
        """The backends `auto` tries, in order."""
        ordered = [(cls.auto_order, i, cls) for i, cls in enumerate(self) if cls.auto_order is not None]
        return [cls for _, _, cls in sorted(ordered, key=lambda t: (t[0], t[1]))]


def _load(reference: str) -> type[Backend]:
    module, _, attribute = reference.partition(":")
    obj: type[Backend] = getattr(importlib.import_module(module), attribute)
    return obj


def _declared() -> list[tuple[str, str, str | None]]:
    """(name, "module:attribute", distribution) for every entry point in the group."""
    try:
        points: Iterable[importlib.metadata.EntryPoint] = importlib.metadata.entry_points(group=GROUP)
    except Exception as exc:  # broken metadata of some unrelated package
        logger.warning(f"Could not read the {GROUP} entry points: {exc}")
        return []
    return [(ep.name, ep.value, ep.dist.name if ep.dist else None) for ep in points]


def load_registry() -> BackendRegistry:
    """A registry of the built-in backends and every installed third-party one."""
    declared = _declared()
    if not any(dist == DIST for _, _, dist in declared):
        # Never installed, so cardflow's own entry points are not in the metadata.
        declared = [(name, ref, DIST) for name, ref in BUILTINS] + declared
    # Metadata lists entry points alphabetically; the settings menu keeps the built-ins' order.
    rank = {name: i for i, (name, _) in enumerate(BUILTINS)}
    declared.sort(key=lambda d: (d[2] != DIST, rank.get(d[0], len(rank)) if d[2] == DIST else 0))
    registry = BackendRegistry()
    for name, reference, _dist in declared:
        registry.register(name, reference)
    return registry


@functools.cache
def backend_registry() -> BackendRegistry:
    """The process-wide registry, loaded on first use (``backend_registry.cache_clear()`` reloads it)."""
    return load_registry()


def backend_choices() -> tuple[str, ...]:
    """The valid values of the `llm` setting; the settings, the chat form and the service all use this."""
    return backend_registry().choices()
