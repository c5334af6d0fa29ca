"""`cardflow notebook start|stop|status`: JupyterLab in a detached tmux session, with a token.

It listens on 127.0.0.1 only, keeps its notebooks in `<data dir>/notebooks`, and its token in
`<data dir>/notebook_token` (mode 0600). `stop` ends only that tmux session.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import time

import httpx

from cardflow.config import Settings

SESSION = "cardflow-notebook"
DEFAULT_PORT = 8888


def _token(settings: Settings) -> str:
    path = settings.data_dir / "notebook_token"
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token)
    tmp.replace(path)
    return token


def _session(port: int) -> str:
    return SESSION if port == DEFAULT_PORT else f"{SESSION}-{port}"


def _running(port: int) -> bool:
    return subprocess.run(["tmux", "has-session", "-t", _session(port)], capture_output=True).returncode == 0


def _answers(port: int, token: str) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/status", params={"token": token}, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def url(port: int, token: str) -> str:
    return f"http://127.0.0.1:{port}/lab?token={token}"


def start(settings: Settings, port: int = DEFAULT_PORT, wait: float = 60.0) -> int:
    if importlib.util.find_spec("jupyterlab") is None:
        print("JupyterLab is not installed. Add it with:  .venv/bin/pip install -e '.[notebook]'", file=sys.stderr)
        return 2
    if shutil.which("tmux") is None:
        print("tmux is needed to run JupyterLab in the background: apt-get install tmux", file=sys.stderr)
        return 2
    token = _token(settings)
    if _running(port):
        print(f"JupyterLab is already running: {url(port, token)}")
        return 0
    notebooks = settings.data_dir / "notebooks"
    notebooks.mkdir(parents=True, exist_ok=True)
    env = f"CARDFLOW_DATA_DIR={shlex.quote(str(settings.data_dir))}"
    command = (f"{env} {shlex.quote(sys.executable)} -m jupyterlab --no-browser --ip=127.0.0.1 --port={port} "
               f"--port-retries=0 --ServerApp.token={shlex.quote(token)} "
               f"--ServerApp.root_dir={shlex.quote(str(notebooks))} "
               + ("--allow-root " if os.geteuid() == 0 else "") +
               f"2>&1 | tee {shlex.quote(str(settings.data_dir / 'notebook.log'))}")
    subprocess.run(["tmux", "new-session", "-d", "-s", _session(port), command], check=True)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if _answers(port, token):
            print(f"JupyterLab is running in tmux session {_session(port)!r}.\nOpen: {url(port, token)}\n"
                  f"Token: {token}\nNotebooks: {notebooks}")
            return 0
        if not _running(port):
            break
        time.sleep(0.3)
    log = settings.data_dir / "notebook.log"
    tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
    print(f"JupyterLab did not come up on port {port}.\n{tail}", file=sys.stderr)
    subprocess.run(["tmux", "kill-session", "-t", _session(port)], capture_output=True)
    return 1


def stop(settings: Settings, port: int = DEFAULT_PORT) -> int:
    if not _running(port):
        print("JupyterLab is not running.")
        return 0
    subprocess.run(["tmux", "kill-session", "-t", _session(port)], check=True)
    print(f"Stopped tmux session {_session(port)!r}.")
    return 0


def status(settings: Settings, port: int = DEFAULT_PORT) -> int:
    token_path = settings.data_dir / "notebook_token"
    token = token_path.read_text().strip() if token_path.exists() else ""
    if _running(port) and _answers(port, token):
        print(f"running: {url(port, token)}")
        return 0
    if _running(port):
        print(f"starting (tmux session {_session(port)!r} exists, JupyterLab not answering yet)")
        return 0
    print("stopped")
    return 3
