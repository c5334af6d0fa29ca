"""`cardflow actions`, `cardflow call` and `cardflow mcp --print-config`, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cardflow.db import Database
from cardflow.scaffold import new_workflow

ROOT = Path(__file__).resolve().parents[2]


def cardflow(data_dir: Path, *args: str, plugins: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "CARDFLOW_LLM": "scripted", "OLLAMA_HOST": "http://127.0.0.1:9",
           "HOME": str(data_dir.parent)}
    if plugins is not None:
        env["CARDFLOW_PLUGINS_DIR"] = str(plugins)
    return subprocess.run([sys.executable, "-m", "cardflow", *args, "--data-dir", str(data_dir)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def tasks(data_dir: Path) -> list[dict[str, Any]]:
    return Database(data_dir / "cardflow.db").query("SELECT name, done FROM task ORDER BY priority")


def test_call_adds_a_task_and_prints_json(data_dir: Path) -> None:
    done = cardflow(data_dir, "call", "tasks.add", "name=buy milk")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["summary"] == "Added task “buy milk”." and out["result"]["item"]["name"] == "buy milk"
    assert tasks(data_dir) == [{"name": "buy milk", "done": 0}]
    assert cardflow(data_dir, "call", "tasks.toggle", "--json", '{"item": "milk"}').returncode == 0
    assert tasks(data_dir) == [{"name": "buy milk", "done": 1}]
    log = Database(data_dir / "cardflow.db").query("SELECT actor, action FROM action_log ORDER BY id")
    assert log == [{"actor": "cli", "action": "tasks.add"}, {"actor": "cli", "action": "tasks.toggle"}]


def test_hello_from_the_cli_and_its_refusals(data_dir: Path) -> None:
    assert cardflow(data_dir, "call", "hello.start", "key=ada").returncode == 0
    empty = cardflow(data_dir, "call", "hello.submit", "key=ada", "step=name", "value=")
    assert empty.returncode == 2
    assert empty.stderr.strip() == "cardflow: hello.submit: name: This field is required."
    assert empty.stdout == ""
    assert cardflow(data_dir, "call", "hello.submit", "key=ada", "step=name", "value=Ada").returncode == 0
    state = json.loads(cardflow(data_dir, "call", "hello.state", "key=ada").stdout)["result"]
    assert state["next_step"] == "greeting" and state["steps"][0]["value"] == "Ada"
    cases = [
        (["tasks.nope"], "There is no action “tasks.nope”"),
        (["tasks.add", "nme=x"], "Unknown parameter “nme”"),
        (["tasks.add"], "Missing parameter: “name”."),
        (["tasks.move", "item=x", "position:=[1"], "not valid JSON"),
        (["tasks.add", "--json", "[1]"], "--json must be a JSON object"),
        (["hello.state", "key=nobody"], "nobody"),
        (["tasks.list", "--profile", "No Such Client"], "No profile matches"),
    ]
    for args, message in cases:
        refused = cardflow(data_dir, "call", *args)
        assert refused.returncode == 2 and message in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr


def test_a_new_workflow_gets_its_actions_with_no_code(data_dir: Path, tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    assert new_workflow("client_audit", target_dir=plugins) == 0
    listed = cardflow(data_dir, "actions", "--app", "client_audit", "--json", plugins=plugins)
    assert listed.returncode == 0, listed.stderr
    names = {a["name"] for a in json.loads(listed.stdout)}
    assert {"client_audit.start", "client_audit.submit", "client_audit.state", "client_audit.finalize",
            "client_audit.revert", "client_audit.delete", "client_audit.export"} <= names
    started = cardflow(data_dir, "call", "client_audit.start", "key=acme", plugins=plugins)
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["result"]["next_step"]


def test_actions_lists_every_app_and_flags(data_dir: Path) -> None:
    listed = cardflow(data_dir, "actions")
    assert listed.returncode == 0
    assert "tasks.add name=<string>" in listed.stdout
    assert "position=<top|bottom|up|down|integer>" in listed.stdout  # a word or a number (anyOf)
    assert "hello.delete key=<string>  [destructive, asks first]" in listed.stdout
    assert "graph_view.search" in listed.stdout and "[read-only]" in listed.stdout


def test_print_config_gives_a_stdio_and_an_http_entry(data_dir: Path) -> None:
    printed = cardflow(data_dir, "mcp", "--print-config")
    assert printed.returncode == 0
    servers = json.loads(printed.stdout)["mcpServers"]
    assert servers["cardflow"]["args"][-3:] == ["mcp", "--data-dir", str(data_dir)]
    token = (data_dir / "mcp-token").read_text().strip()
    assert servers["cardflow-http"]["headers"]["Authorization"] == f"Bearer {token}"
    assert (data_dir / "mcp-token").stat().st_mode & 0o777 == 0o600
