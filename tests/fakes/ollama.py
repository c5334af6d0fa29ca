"""A fake Ollama server speaking the documented HTTP API, for tests and offline demos.

Covers ``GET /api/version``, ``GET /api/tags`` and ``POST /api/chat`` (NDJSON streaming, or
one JSON object with ``"stream": false``), with Ollama's error shapes. ``OllamaScript`` sets
what it answers and how it misbehaves; it also records every chat request it received.

    with serve(make_app(OllamaScript(reply="Hi there"))) as url:
        ...  # OllamaBackend(url)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

VERSION = "0.5.7"


@dataclass
class OllamaScript:
    models: list[str] = field(default_factory=lambda: ["smollm2:135m"])
    # The reply: a string (streamed word by word), explicit chunks, or a function of the request.
    reply: str | list[str] | Callable[[dict], str] = "Hello from the fake Ollama."
    chunk_delay: float = 0.0
    error_after: int | None = None  # send an {"error": ...} line after this many chunks
    error_message: str = "an error was encountered while running the model: unexpected EOF"
    malformed_after: int | None = None  # send a line that is not JSON after this many chunks
    stall_after: int | None = None  # go silent (but keep the connection) after this many chunks
    tool_calls: list[dict] | None = None  # [{"name":..., "arguments": {...}}], sent when tools are given
    requests: list[dict] = field(default_factory=list)  # bodies of /api/chat requests, in order
    open_streams: int = 0  # streaming responses still running (drops when a client disconnects)


def split_words(text: str) -> list[str]:
    """Chunks that join back to ``text``: each word with the whitespace before it."""
    out: list[str] = []
    for i, word in enumerate(text.split(" ")):
        out.append(word if i == 0 else " " + word)
    return [c for c in out if c]


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _chunks(script: OllamaScript, body: dict) -> list[str]:
    reply = script.reply(body) if callable(script.reply) else script.reply
    return split_words(reply) if isinstance(reply, str) else list(reply)


def _model_entry(name: str) -> dict:
    base = name.split(":")[0]
    return {
        "name": name,
        "model": name,
        "modified_at": "2025-01-01T00:00:00.000000000Z",
        "size": 270_898_672,
        "digest": hashlib.sha256(name.encode()).hexdigest(),
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": base,
            "families": [base],
            "parameter_size": "134.52M",
            "quantization_level": "F16",
        },
    }


def _final(model: str, content: str, n: int) -> dict:
    return {
        "model": model,
        "created_at": _now(),
        "message": {"role": "assistant", "content": content},
        "done_reason": "stop",
        "done": True,
        "total_duration": 1_000_000 * (n + 5),
        "load_duration": 1_000_000,
        "prompt_eval_count": 10,
        "prompt_eval_duration": 2_000_000,
        "eval_count": n,
        "eval_duration": 1_000_000 * n,
    }


def _tool_message(script: OllamaScript) -> list[dict]:
    return [{"function": {"name": c["name"], "arguments": c["arguments"]}} for c in script.tool_calls or []]


def make_app(script: OllamaScript | None = None) -> Starlette:
    """The fake server; swap ``app.state.script`` to change its behaviour between tests."""

    async def version(request: Request) -> Response:
        return JSONResponse({"version": VERSION})

    async def tags(request: Request) -> Response:
        return JSONResponse({"models": [_model_entry(m) for m in request.app.state.script.models]})

    async def chat(request: Request) -> Response:
        script: OllamaScript = request.app.state.script
        try:
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise ValueError("body is not an object")
        except ValueError as exc:
            return JSONResponse({"error": f"invalid character in request body: {exc}"}, status_code=400)
        script.requests.append(body)
        model = body.get("model")
        if not model:
            return JSONResponse({"error": "model is required"}, status_code=400)
        if model not in script.models:
            return JSONResponse(
                {"error": f'model "{model}" not found, try pulling it first'}, status_code=404
            )
        chunks = _chunks(script, body)
        tools = _tool_message(script) if body.get("tools") else []
        if body.get("stream", True) is False:
            final = _final(model, "".join(chunks), len(chunks))
            if tools:
                final["message"]["tool_calls"] = tools
            return JSONResponse(final)
        return StreamingResponse(_ndjson(script, model, chunks, tools), media_type="application/x-ndjson")

    async def _ndjson(
        script: OllamaScript, model: str, chunks: list[str], tools: list[dict]
    ) -> AsyncIterator[bytes]:
        script.open_streams += 1
        try:
            async for item in _ndjson_lines(script, model, chunks, tools):
                yield item
        finally:
            script.open_streams -= 1

    async def _ndjson_lines(
        script: OllamaScript, model: str, chunks: list[str], tools: list[dict]
    ) -> AsyncIterator[bytes]:
        def line(obj: dict) -> bytes:
            return (json.dumps(obj) + "\n").encode()

        for i, chunk in enumerate(chunks):
            if script.stall_after == i:
                await asyncio.sleep(3600)
            if script.error_after == i:
                yield line({"error": script.error_message})
                return
            if script.malformed_after == i:
                yield b'{"model": "' + model.encode() + b'", "message": {"content": "oops\n'
                return
            if script.chunk_delay:
                await asyncio.sleep(script.chunk_delay)
            message = {"role": "assistant", "content": chunk}
            yield line({"model": model, "created_at": _now(), "message": message, "done": False})
        if script.stall_after is not None and script.stall_after >= len(chunks):
            await asyncio.sleep(3600)
        if tools:
            message = {"role": "assistant", "content": "", "tool_calls": tools}
            yield line({"model": model, "created_at": _now(), "message": message, "done": False})
        yield line(_final(model, "", len(chunks)))

    app = Starlette(
        routes=[
            Route("/api/version", version),
            Route("/api/tags", tags),
            Route("/api/chat", chat, methods=["POST"]),
        ]
    )
    app.state.script = script or OllamaScript()
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a free loopback port in a thread; yields its base URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", loop="asyncio", http="h11", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"fake-{port}")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the fake server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@contextmanager
def fake_ollama(script: OllamaScript | None = None) -> Iterator[str]:
    """Shortcut: a fake Ollama for one ``with`` block."""
    with serve(make_app(script)) as url:
        yield url
