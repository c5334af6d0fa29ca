"""Any OpenAI-compatible server (llama.cpp's server, vLLM, LM Studio, a hosted API)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

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
from cardflow.chat.backends.http import HTTPBackend


class OpenAICompatBackend(HTTPBackend):
    name, label = "openai", "The OpenAI-compatible server"
    models_path, chat_path = "/v1/models", "/v1/chat/completions"
    supports_tools = True
    supports_grammar = True  # response_format with a json_schema

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        model: str | None = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        base = re.sub(r"/v1/?$", "", base_url.rstrip("/"))  # "http://h:8080" and "http://h:8080/v1" both work
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        super().__init__(base, model=model, idle_timeout=idle_timeout, headers=headers)
        self.api_key = api_key

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> tuple[Backend, str]:
        if not settings.openai_base_url:
            raise BackendError("The OpenAI-compatible backend needs a base URL, e.g. http://127.0.0.1:8080")
        backend = cls(settings.openai_base_url, settings.openai_api_key)
        return backend, f", at {backend.base_url}"

    def _names(self, body: Any) -> list[str]:
        return [m["id"] for m in body["data"]]

    def _body(self, messages: Messages, model: str | None, options: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {k: v for k, v in options.items() if k not in OWN_KEYS}
        # Single-model servers (llama.cpp's) ignore the name, so "default" is fine there.
        body.update(messages=messages, stream=True, model=model or self.model or "default")
        body.update({k: options[k] for k in ("temperature", "max_tokens", "tools") if k in options})
        if "json_schema" in options:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "command", "schema": options["json_schema"]},
            }
        return body

    async def generate(self, messages: Messages, model: str | None, options: dict[str, Any]) -> AsyncIterator[str]:
        calls: dict[int, dict[str, str]] = {}
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
                    raise malformed(line) from exc
                if text:
                    yield text
        if calls:
            ordered = [calls[i] for i in sorted(calls)]
            yield tool_calls_chunk([{"name": c["name"], "arguments": json_or_raw(c["arguments"])} for c in ordered])
