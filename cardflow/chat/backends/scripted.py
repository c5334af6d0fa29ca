"""A backend with canned replies, for demos, end-to-end tests and benchmarks."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

from cardflow.chat.backends.base import Backend, BackendSettings, Messages

DEMO_REPLY = "This is the scripted demo backend."


class ScriptedBackend(Backend):
    """Streams canned replies word by word.

    Each ``stream()`` call takes the next reply, cycling; the conversations it was given are
    kept in ``calls`` so tests can check what the chat layer sent.
    """

    name = "scripted"

    def __init__(self, replies: list[str], delay: float = 0.0) -> None:
        if not replies:
            raise ValueError("ScriptedBackend needs at least one reply")
        self.replies = list(replies)
        self.delay = delay
        self.calls: list[Messages] = []

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> tuple[Backend, str]:
        return cls(settings.scripted_replies or [DEMO_REPLY], settings.scripted_delay), " (canned replies)"

    async def models(self) -> list[str]:
        return ["scripted"]

    async def generate(self, messages: Messages, model: str | None, options: dict[str, Any]) -> AsyncIterator[str]:
        reply = self.replies[len(self.calls) % len(self.replies)]
        self.calls.append(messages)
        for word in re.findall(r"\S+\s*|\s+", reply):
            if self.delay:
                await asyncio.sleep(self.delay)
            yield word
