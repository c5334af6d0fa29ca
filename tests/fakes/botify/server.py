"""Running the fake: both apps served from one background thread, and the handle tests hold."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from tests.fakes.botify.api import create_app
from tests.fakes.botify.download import create_download_app
from tests.fakes.botify.state import FakeState


class FakeBotify:
    """Handle on the running fake: ``base_url``, ``download_base_url``, ``state``, ``reset()``."""

    def __init__(self, state: FakeState | None = None):
        self.state = state or FakeState()
        self.base_url = ""
        self.download_base_url = ""

    def reset(self, **overrides: Any) -> FakeState:
        self.state = FakeState(**overrides)
        return self.state

    def __str__(self) -> str:
        return self.base_url


def _bind() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this; without it every response waits ~40 ms (Nagle + delayed ACK).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@contextlib.contextmanager
def run_fake_botify(state: FakeState | None = None) -> Iterator[FakeBotify]:
    """Run the API (127.0.0.1) and the download host (localhost, other port) in a thread."""
    fake = FakeBotify(state)
    api_sock, dl_sock = _bind(), _bind()
    fake.base_url = f"http://127.0.0.1:{api_sock.getsockname()[1]}"
    fake.download_base_url = f"http://localhost:{dl_sock.getsockname()[1]}"
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                app,
                http="h11",
                lifespan="off",
                log_config=None,
                log_level="critical",
                access_log=False,
                timeout_graceful_shutdown=1,
            )
        )
        for app in (create_app(fake), create_download_app(fake))
    ]

    async def serve() -> None:
        await asyncio.gather(servers[0].serve(sockets=[api_sock]), servers[1].serve(sockets=[dl_sock]))

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="fake-botify", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not all(s.started for s in servers):
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("fake Botify did not start")
        time.sleep(0.01)
    try:
        yield fake
    finally:
        for s in servers:
            s.should_exit = True
        thread.join(timeout=10)
        api_sock.close()
        dl_sock.close()
