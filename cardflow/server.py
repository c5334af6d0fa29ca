"""Run the app under uvicorn: port checks, graceful stop, readiness signal for the reloader."""

from __future__ import annotations

import os
import socket
import sys
import threading
import webbrowser
from typing import Any

import uvicorn
from loguru import logger

from cardflow.config import Settings

READY_FD_ENV = "CARDFLOW_READY_FD"
SOCKET_FD_ENV = "CARDFLOW_SOCKET_FD"


class CardflowServer(uvicorn.Server):
    """Ends open SSE streams at once on SIGTERM, so shutdown takes well under two seconds."""

    def __init__(self, config: uvicorn.Config, app: Any) -> None:
        super().__init__(config)
        self.cardflow_app = app

    def handle_exit(self, sig: int, frame: Any) -> None:
        events = getattr(getattr(self.cardflow_app.state, "ctx", None), "events", None)
        if events is not None:
            loop = getattr(self, "_loop", None)
            if loop is not None:
                loop.call_soon_threadsafe(events.close)
            else:
                events.close()
        super().handle_exit(sig, frame)
        # uvicorn re-raises the signal after shutdown, which turns a clean stop into exit -15.
        self._captured_signals.clear()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        import asyncio

        self._loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)
        ready_fd = os.environ.pop(READY_FD_ENV, None)
        if ready_fd and self.started:
            try:
                os.write(int(ready_fd), b"ready\n")
                os.close(int(ready_fd))
            except OSError:
                pass


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError:
            return False
    return True


def run_server(settings: Settings) -> int:
    from cardflow.app import build_app
    from cardflow.db import DataDirError
    from cardflow.devtools import print_startup

    inherited_fd = os.environ.pop(SOCKET_FD_ENV, None)
    if inherited_fd is None and not port_free(settings.host, settings.port):
        print(f"Port {settings.port} on {settings.host} is already in use. Is Cardflow already running? "
              f"Open {settings.base_url}, or start on another port with --port.", file=sys.stderr)
        return 2
    try:
        app = build_app(settings)
    except DataDirError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    print_startup(app, settings)
    config = uvicorn.Config(
        app,
        host=settings.host.strip("[]"),
        port=settings.port,
        fd=int(inherited_fd) if inherited_fd else None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
        ws_ping_interval=20,
        lifespan="on",
    )
    server = CardflowServer(config, app)
    if settings.open_browser and sys.stdin.isatty() and not inherited_fd:
        threading.Timer(0.8, lambda: webbrowser.open(settings.base_url)).start()
    server.run()
    logger.info("Cardflow stopped")
    return 0
