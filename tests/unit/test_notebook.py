import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cardflow.db import Database

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hello.ipynb"


def test_bridge_reads_and_writes_the_servers_state(data_dir):
    from cardflow import notebook as cf

    cf.open(data_dir)
    hello = cf.flow("hello")
    hello.start("nb-1")
    hello.submit("nb-1", "name", "Ada")
    with pytest.raises(ValueError, match="required"):
        hello.submit("nb-1", "greeting", "")
    assert hello.suggest("nb-1", "greeting") == "Hello, Ada!"
    hello.submit("nb-1", "greeting", "Hi")
    cf.finalize("nb-1")
    assert [k["key"] for k in cf.keys("hello")] == ["nb-1"]
    assert Database(data_dir / "cardflow.db").pipelines["nb-1"].app_name == "hello"
    assert hello.url("nb-1") == "http://127.0.0.1:5001/hello?key=nb-1"


def test_notebook_write_shows_in_the_running_server(live_server):
    from cardflow import notebook as cf

    cf.open(live_server.data_dir)
    flow = cf.flow("hello")
    flow.start("shared-key")
    with live_server.client() as c:
        c.post("/hello/step/name?key=shared-key", data={"name": "From web"}, headers={"HX-Request": "true"})
        flow.submit("shared-key", "greeting", "From notebook")  # while the server runs
        state = c.get("/hello/export?key=shared-key").json()["state"]
    assert state["name"] == {"name": "From web"} and state["greeting"] == {"greeting": "From notebook"}


@pytest.mark.slow
def test_example_notebook_runs_headless(data_dir, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="install .[notebook] (make test does)")
    from nbclient import NotebookClient

    monkeypatch.setenv("CARDFLOW_DATA_DIR", str(data_dir))
    nb = nbformat.read(EXAMPLE, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "http://127.0.0.1:5001/hello?key=from-notebook" in printed
    state = json.loads(Database(data_dir / "cardflow.db").pipelines["from-notebook"].data)
    assert state["greeting"] == {"greeting": "Hello, Ada Lovelace!"} and state["finalize"] == {"finalized": True}


def test_new_workflow_from_the_example_notebook(tmp_path):
    out = subprocess.run([sys.executable, "-m", "cardflow", "new", "workflow", "from_nb", "--dir", str(tmp_path),
                          "--from-notebook", str(EXAMPLE)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "from_nb.py").read_text()
    for step in ("your_name", "greeting", "finalize"):
        assert f"Step('{step}'" in text
    assert "#     hello.submit(key, \"name\", \"Ada Lovelace\")" in text or "# hello.submit(key, \"name\"" in text
    compile(text, "from_nb.py", "exec")


@pytest.mark.slow
def test_notebook_start_status_stop(data_dir, tmp_path):
    pytest.importorskip("jupyterlab", reason="install .[notebook] (make test does)")
    if shutil.which("tmux") is None:
        pytest.fail("tmux is missing: make test installs it")
    from tests.conftest import free_port

    port = str(free_port())
    env_cmd = [sys.executable, "-m", "cardflow", "notebook"]
    common = ["--data-dir", str(data_dir), "--port", port]
    try:
        started = subprocess.run([*env_cmd, "start", *common], capture_output=True, text=True, timeout=120)
        assert started.returncode == 0, started.stdout + started.stderr
        token = (data_dir / "notebook_token").read_text().strip()
        assert token in started.stdout and f"127.0.0.1:{port}" in started.stdout
        assert oct((data_dir / "notebook_token").stat().st_mode & 0o777) == "0o600"
        status = subprocess.run([*env_cmd, "status", *common], capture_output=True, text=True, timeout=30)
        assert status.stdout.startswith("running")
        assert httpx.get(f"http://127.0.0.1:{port}/api/status", params={"token": token}, timeout=5).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/api/contents", timeout=5).status_code in (401, 403)
    finally:
        stopped = subprocess.run([*env_cmd, "stop", *common], capture_output=True, text=True, timeout=30)
    assert stopped.returncode == 0
    status = subprocess.run([*env_cmd, "status", *common], capture_output=True, text=True, timeout=30)
    assert status.stdout.strip() == "stopped"


def test_flake_parses():
    if shutil.which("nix-instantiate") is None:
        pytest.fail("nix-instantiate is missing: make test installs Debian's nix-bin")
    out = subprocess.run(["nix-instantiate", "--parse", str(ROOT / "flake.nix")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = (ROOT / "flake.nix").read_text()
    assert "git pull" not in text.replace("never runs git pull", "")
    for pkg in ("python311", "figlet", "tmux", "git", "sqlite"):
        assert f"pkgs.{pkg}" in text
