"""`--reload`: restart the server when a source file changes, without ever serving broken code.

The supervisor owns the listening socket and hands it to each server child, so a new child can
start, import the changed code and signal that it is ready while the old one still answers.
Only then is the old child stopped. A file with a syntax error is reported and never started; a
child that fails at import is reported and the last good server keeps serving.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from loguru import logger

from cardflow.config import Settings
from cardflow.server import READY_FD_ENV, SOCKET_FD_ENV

START_TIMEOUT = 20.0


def syntax_errors(paths: list[Path]) -> list[str]:
    errors = []
    for path in paths:
        if path.suffix != ".py" or not path.exists():
            continue
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as exc:
            errors.append(f"{path}:{exc.lineno}: {exc.msg}")
        except (OSError, ValueError) as exc:
            errors.append(f"{path}: {exc}")
    return errors


def sources(roots: list[Path]) -> dict[Path, int]:
    """Each .py file under ``roots`` with its modification time."""
    found = {}
    for root in roots:
        for path in root.rglob("*.py"):
            try:
                found[path] = path.stat().st_mtime_ns
            except OSError:  # removed while we looked
                continue
    return found


class Supervisor:
    def __init__(self, settings: Settings, child_args: list[str]) -> None:
        self.settings = settings
        self.child_args = child_args
        self.sock = self._bind()
        self.child: subprocess.Popen[bytes] | None = None
        self.pending: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def _bind(self) -> socket.socket:
        host = self.settings.host.strip("[]")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, self.settings.port))
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock

    def start_child(self) -> subprocess.Popen[bytes] | None:
        """Start a server child on the shared socket; return it once ready, or None if it failed."""
        read_fd, write_fd = os.pipe()
        env = dict(os.environ, **{SOCKET_FD_ENV: str(self.sock.fileno()), READY_FD_ENV: str(write_fd)})
        child = subprocess.Popen([sys.executable, "-m", "cardflow", "serve", "--no-reload", *self.child_args],
                                 env=env, pass_fds=(self.sock.fileno(), write_fd))
        self.pending = child  # stopped in run()'s finally if we are told to exit while it starts
        os.close(write_fd)
        deadline = time.monotonic() + START_TIMEOUT
        ready = b""
        os.set_blocking(read_fd, False)
        while time.monotonic() < deadline and child.poll() is None:
            try:
                ready += os.read(read_fd, 64)
            except BlockingIOError:
                pass
            if b"ready" in ready:
                break
            time.sleep(0.02)
        os.close(read_fd)
        self.pending = None
        if b"ready" in ready:
            return child
        self._stop(child)
        return None

    @staticmethod
    def _stop(child: subprocess.Popen[bytes]) -> None:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def restart(self, changed: list[Path]) -> None:
        errors = syntax_errors(changed)
        if errors:
            for error in errors:
                logger.error(f"Syntax error, not reloading (the running server keeps serving): {error}")
            return
        started = time.perf_counter()
        new = self.start_child()
        if new is None:
            logger.error("The changed code failed to start (see above); the last good server keeps serving.")
            return
        old, self.child = self.child, new
        if old is not None:
            self._stop(old)
        logger.info(f"Reloaded in {time.perf_counter() - started:.2f}s after changes to "
                    f"{', '.join(p.name for p in changed)}")

    def run(self) -> int:
        from watchfiles import watch

        def on_signal(signum: int, frame: object) -> None:
            self.stopping = True
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_signal)
        roots = [Path(__file__).parent]
        if self.settings.plugins_dir and self.settings.plugins_dir.is_dir():
            roots.append(self.settings.plugins_dir)
        # The watcher starts only once the first child is ready, seconds from now; a file saved in
        # between would otherwise never reload. The first pass of the watcher compares against this.
        before = sources(roots)
        self.child = self.start_child()
        if self.child is None:
            logger.error("The server failed to start; fix the error above. Watching for changes.")
        watching = False
        try:
            for changes in watch(*roots, watch_filter=lambda _c, p: p.endswith(".py"), raise_interrupt=True,
                                 rust_timeout=500, yield_on_timeout=True):
                changed = {Path(p) for _, p in changes}
                if not watching:
                    watching = True
                    now = sources(roots)
                    changed |= {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
                    logger.info(f"Watching {', '.join(map(str, roots))} for changes")
                if changed:
                    self.restart(sorted(changed))
        except KeyboardInterrupt:
            pass
        finally:
            for child in (self.pending, self.child):
                if child is not None:
                    self._stop(child)
            self.sock.close()
        return 0
