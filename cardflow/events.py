"""Server-sent events: one broadcaster that every feature publishes to.

A page opens one `/sse` stream. Events carry a name (`toast`, `oob`, `job`, `chat`...) and an
HTML or JSON payload; `oob` payloads are fragments with `hx-swap-oob` that htmx's SSE extension
swaps into the page, which is how a change made elsewhere (another tab, the assistant, a job)
shows up without a reload. Events can be scoped to one profile so that two profiles open in two
windows do not see each other's lists.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import StreamingResponse

KEEPALIVE_SECONDS = 15.0
QUEUE_LIMIT = 1000  # a stuck client is dropped rather than growing without bound
# Set by the action runner while a write's commit is in flight (cardflow/actions/runner.py): what
# the handler publishes is held and sent once the commit is durable, or dropped with a rollback.
HELD: contextvars.ContextVar[list[tuple[str, str, int | None, str | None]] | None] = \
    contextvars.ContextVar("cardflow_events_held", default=None)


@dataclass(frozen=True)
class Event:
    id: int
    name: str
    data: str
    profile_id: int | None = None
    exclude: str | None = None  # the page that caused the change already has it

    def encode(self) -> str:
        lines = [f"id: {self.id}", f"event: {self.name}"]
        lines += [f"data: {line}" for line in (self.data.splitlines() or [""])]
        return "\n".join(lines) + "\n\n"


class _Client:
    def __init__(self, profile_id: int | None, client_id: str | None = None) -> None:
        self.profile_id = profile_id
        self.client_id = client_id
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_LIMIT)

    def wants(self, event: Event) -> bool:
        if event.exclude is not None and event.exclude == self.client_id:
            return False
        return event.profile_id is None or self.profile_id is None or event.profile_id == self.profile_id


class Broadcaster:
    def __init__(self, history: int = 200) -> None:
        self._clients: set[_Client] = set()
        self._ids = itertools.count(1)
        # Recent events, replayed to a client that reconnects with Last-Event-ID.
        self._recent: deque[Event] = deque(maxlen=history)
        self._closed = asyncio.Event()

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def profile_ids(self) -> set[int]:
        """The profiles the connected pages show (a page's SSE stream is bound to its profile)."""
        return {c.profile_id for c in self._clients if c.profile_id is not None}

    def publish(self, name: str, data: str, *, profile_id: int | None = None, exclude: str | None = None) -> Event:
        """Queue an event for every connected client; call it from the event loop thread."""
        held = HELD.get()
        if held is not None:
            held.append((name, data, profile_id, exclude))
            return Event(0, name, data, profile_id, exclude)
        event = Event(next(self._ids), name, data, profile_id, exclude)
        self._recent.append(event)
        for client in list(self._clients):
            if not client.wants(event):
                continue
            try:
                client.queue.put_nowait(event)
            except asyncio.QueueFull:
                self._clients.discard(client)
        return event

    def listen(self, profile_id: int | None = None) -> asyncio.Queue[Event | None]:
        """Register a listener without an HTTP stream (tests, in-process consumers); returns its queue."""
        client = _Client(profile_id)
        self._clients.add(client)
        return client.queue

    def close(self) -> None:
        """Ask every stream to end, so a server shutdown is not held up by open pages."""
        self._closed.set()
        for client in list(self._clients):
            try:
                client.queue.put_nowait(None)
            except asyncio.QueueFull:
                pass

    async def subscribe(self, profile_id: int | None = None, last_event_id: int | None = None,
                        first: list[Event] | None = None, client_id: str | None = None) -> AsyncIterator[str]:
        client = _Client(profile_id, client_id)
        self._clients.add(client)
        try:
            yield "retry: 2000\n\n"
            for event in first or []:
                yield event.encode()
            if last_event_id is not None:
                for event in list(self._recent):
                    if event.id > last_event_id and client.wants(event):
                        yield event.encode()
            while not self._closed.is_set():
                try:
                    queued = await asyncio.wait_for(client.queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if queued is None:  # close() asks every stream to end
                    break
                yield queued.encode()
        finally:
            self._clients.discard(client)

    def response(self, request: Request, profile_id: int | None = None,
                 first: list[Event] | None = None) -> StreamingResponse:
        last = request.headers.get("last-event-id")
        last_id = int(last) if last and last.isascii() and last.isdigit() and len(last) < 19 else None
        client_id = request.query_params.get("client") or None
        return StreamingResponse(
            self.subscribe(profile_id, last_id, first, client_id),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
