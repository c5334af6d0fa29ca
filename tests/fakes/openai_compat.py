"""A fake OpenAI-compatible server (the shape llama.cpp's server, vLLM and LM Studio expose).

``GET /v1/models`` and ``POST /v1/chat/completions``: SSE ``chat.completion.chunk`` events
ending in ``data: [DONE]``, or one ``chat.completion`` object without ``"stream": true``.
Errors use OpenAI's ``{"error": {"message", "type", "param", "code"}}`` body.

    script = OpenAIScript(reply="Hi", api_key="sk-test")
    with serve(make_app(script)) as url:
        ...  # OpenAICompatBackend(url, api_key="sk-test"); script.requests holds what was sent
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.ollama import serve, split_words

__all__ = ["OpenAIScript", "fake_openai", "make_app", "serve"]


@dataclass
class OpenAIScript:
    models: list[str] = field(default_factory=lambda: ["smollm2-135m-instruct"])
    reply: str | list[str] | Callable[[dict], str] = "Hello from the fake OpenAI server."
    api_key: str | None = None  # when set, requests without "Authorization: Bearer <key>" get 401
    chunk_delay: float = 0.0
    error_after: int | None = None  # send an SSE error event after this many chunks
    malformed_after: int | None = None  # send a data line that is not JSON
    stall_after: int | None = None  # go silent after this many chunks
    # Sent when the request has "tools": [{"name":..., "arguments": {...}}], streamed in fragments.
    tool_calls: list[dict] | None = None
    requests: list[dict] = field(default_factory=list)  # {"headers": {...}, "body": {...}} per chat request


def _error(status: int, message: str, type_: str, code: str | None) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": type_, "param": None, "code": code}}, status_code=status
    )


def _unauthorized(script: OpenAIScript, request: Request) -> Response | None:
    if script.api_key is None:
        return None
    auth = request.headers.get("authorization", "")
    if auth == f"Bearer {script.api_key}":
        return None
    if not auth:
        message = (
            "You didn't provide an API key. You need to provide your API key in an Authorization header."
        )
    else:
        message = "Incorrect API key provided."
    return _error(401, message, "invalid_request_error", "invalid_api_key")


def make_app(script: OpenAIScript | None = None) -> Starlette:
    """The fake server; swap ``app.state.script`` to change its behaviour between tests."""

    async def models(request: Request) -> Response:
        script: OpenAIScript = request.app.state.script
        if denied := _unauthorized(script, request):
            return denied
        data = [
            {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "cardflow-fake"}
            for m in script.models
        ]
        return JSONResponse({"object": "list", "data": data})

    async def completions(request: Request) -> Response:
        script: OpenAIScript = request.app.state.script
        if denied := _unauthorized(script, request):
            return denied
        try:
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise ValueError("body is not an object")
        except ValueError:
            return _error(
                400, "We could not parse the JSON body of your request.", "invalid_request_error", None
            )
        script.requests.append({"headers": dict(request.headers), "body": body})
        model = body.get("model")
        if model not in script.models:
            return _error(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                "invalid_request_error",
                "model_not_found",
            )
        reply = script.reply(body) if callable(script.reply) else script.reply
        chunks = split_words(reply) if isinstance(reply, str) else list(reply)
        calls = script.tool_calls if body.get("tools") else None
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if not body.get("stream"):
            return JSONResponse(_completion(ident, created, model, "".join(chunks), calls))
        return StreamingResponse(
            _sse(script, ident, created, model, chunks, calls),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    app = Starlette(
        routes=[Route("/v1/models", models), Route("/v1/chat/completions", completions, methods=["POST"])]
    )
    app.state.script = script or OpenAIScript()
    return app


def _tool_call_objects(calls: list[dict]) -> list[dict]:
    return [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
        }
        for i, c in enumerate(calls)
    ]


def _completion(ident: str, created: int, model: str, text: str, calls: list[dict] | None) -> dict:
    message: dict = {"role": "assistant", "content": None if calls else text, "refusal": None}
    if calls:
        message["tool_calls"] = _tool_call_objects(calls)
    return {
        "id": ident,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": len(text.split()),
            "total_tokens": 10 + len(text.split()),
        },
    }


async def _sse(
    script: OpenAIScript, ident: str, created: int, model: str, chunks: list[str], calls: list[dict] | None
) -> AsyncIterator[bytes]:
    def event(delta: dict, finish: str | None = None) -> bytes:
        chunk = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_cardflow",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return f"data: {json.dumps(chunk)}\n\n".encode()

    yield event({"role": "assistant", "content": "", "refusal": None})
    for i, text in enumerate(chunks):
        if script.stall_after == i:
            await asyncio.sleep(3600)
        if script.error_after == i:
            error = {
                "message": "The server had an error while processing your request.",
                "type": "server_error",
            }
            yield f"data: {json.dumps({'error': error})}\n\n".encode()
            return
        if script.malformed_after == i:
            yield b'data: {"id": "chatcmpl-broken", "choices": [\n\n'
            return
        if script.chunk_delay:
            await asyncio.sleep(script.chunk_delay)
        yield event({"content": text})
    if script.stall_after is not None and script.stall_after >= len(chunks):
        await asyncio.sleep(3600)
    for i, call in enumerate(_tool_call_objects(calls or [])):
        # Like OpenAI: the first delta names the function, the arguments follow in pieces.
        head = {
            "index": i,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        yield event({"tool_calls": [head]})
        args = call["function"]["arguments"]
        for start in range(0, len(args), 7):
            yield event({"tool_calls": [{"index": i, "function": {"arguments": args[start : start + 7]}}]})
    yield event({}, "tool_calls" if calls else "stop")
    yield b"data: [DONE]\n\n"


@contextmanager
def fake_openai(script: OpenAIScript | None = None) -> Iterator[str]:
    """Shortcut: a fake OpenAI-compatible server for one ``with`` block."""
    with serve(make_app(script)) as url:
        yield url
