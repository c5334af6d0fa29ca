"""The Markdown kind: a display step showing markdown, written in the workflow or built from earlier values.

`text` is a string or a function of the earlier steps' values (`call.values`). Whatever it holds, a
file name or a cell a user uploaded included, goes through the chat's renderer: raw HTML is
escaped and the result is sanitized by an allow-list, so nothing in it runs in the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fasthtml.common import Div, NotStr

from cardflow.chat.render import render_markdown
from cardflow.datasteps.base import DataFlow
from cardflow.steps import StepCall

MAX_CHARS = 50_000


@dataclass(frozen=True)
class Markdown:
    text: str | Callable[[dict[str, Any]], str] = ""

    def source(self, values: dict[str, Any]) -> str:
        if not callable(self.text):
            return self.text
        try:
            return str(self.text(values))[:MAX_CHARS]
        except (KeyError, TypeError, ValueError, IndexError):  # an earlier value it reads is missing
            return ""

    def render(self, wf: DataFlow, call: StepCall) -> Any:
        return show(self.source(call.values))

    def submit(self, wf: DataFlow, call: StepCall) -> dict[str, Any]:
        return {call.step.id: self.source(call.values)}

    def locked(self, wf: DataFlow, call: StepCall) -> Any:
        return show(str(call.data.get(call.step.id) or ""))


def show(text: str) -> Any:
    return Div(NotStr(render_markdown(text)), cls="markdown-step")
