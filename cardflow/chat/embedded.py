"""Moved: the embedded backend lives in cardflow.chat.backends.embedded."""

from cardflow.chat.backends.embedded import EmbeddedBackend, embedded_available

__all__ = ["EmbeddedBackend", "embedded_available"]
