"""What the server backends (Ollama, OpenAI-compatible) share: the client, the model list, the POST.

Kept apart from base.py so backends that talk to no server never import httpx.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import urlsplit

import httpx

from cardflow.chat.backends.base import Backend, BackendError

CONNECT_TIMEOUT = 2.0


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def client(
    base_url: str, read_timeout: float | None = 10.0, headers: dict[str, str] | None = None
) -> httpx.AsyncClient:
    # A proxy from the environment must never see traffic to a model on this machine.
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT),
        trust_env=not is_loopback(base_url),
    )


def why(exc: Exception) -> str:
    """A few words on a network failure, for people rather than for logs."""
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return str(exc) or type(exc).__name__


def error_text(response: httpx.Response) -> str:
    """The server's own error message, whichever of the common shapes it uses."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    err = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(err, dict):
        err = err.get("message") or json.dumps(err)
    return str(err)


class HTTPBackend(Backend):
    """A model behind an HTTP server: a model list and a streamed POST."""

    needs_model_list = True
    label: str  # how the server is named in messages
    models_path: str
    chat_path: str

    def __init__(
        self, base_url: str, *, model: str | None, idle_timeout: float, headers: dict[str, str] | None = None
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.idle_timeout = idle_timeout
        self.headers = headers

    def _down(self, exc: Exception) -> BackendError:
        return BackendError(f"{self.label} at {self.base_url} is not answering ({why(exc)})")

    def _refused(self, response: httpx.Response) -> BackendError:
        hint = " (check the API key)" if response.status_code in (401, 403) else ""
        return BackendError(
            f"{self.label} at {self.base_url} refused the request ({response.status_code}){hint}: {error_text(response)}"
        )

    def _names(self, body: Any) -> list[str]:  # each server lists models in its own shape
        return []

    async def models(self) -> list[str]:
        try:
            async with client(self.base_url, headers=self.headers) as http:
                response = await http.get(self.models_path)
        except httpx.HTTPError as exc:
            raise self._down(exc) from exc
        if response.status_code >= 400:
            raise self._refused(response)
        try:
            return self._names(response.json())
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendError(f"{self.label} at {self.base_url} sent a malformed model list") from exc

    async def _lines(self, body: dict[str, Any]) -> AsyncGenerator[str, None]:
        try:
            async with (
                client(self.base_url, None, self.headers) as http,
                http.stream("POST", self.chat_path, json=body) as response,
            ):
                if response.status_code >= 400:
                    await response.aread()
                    raise self._refused(response)
                async for line in response.aiter_lines():
                    yield line
        except httpx.HTTPError as exc:
            raise self._down(exc) from exc
