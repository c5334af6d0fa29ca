"""The examples of docs/workflows.md "Fork and compare", "Notebooks both ways" and "Run receipts" run
exactly as the guide shows them: the shell lines with the real `cardflow` command, the Python as is."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"
SECTIONS = ("Fork and compare", "Notebooks both ways", "Run receipts")


def section(title: str) -> str:
    text = GUIDE.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def blocks(lang: str, title: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section(title), re.S)


def test_each_section_is_there_with_its_examples():
    for title in SECTIONS:
        assert section(title)
    assert blocks("sh", "Fork and compare") and blocks("sh", "Run receipts")
    assert blocks("python", "Notebooks both ways")[0].startswith("# file: bridge_doc.py")


@pytest.mark.slow
def test_the_shell_examples_run_in_order(tmp_path):
    data = tmp_path / "data"
    bindir = tmp_path / "bin"
    bindir.mkdir()
    # `cardflow` as the guide types it: this checkout's command, in this venv.
    shim = bindir / "cardflow"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m cardflow \"$@\"\n")
    shim.chmod(0o755)
    env = {**os.environ, "CARDFLOW_DATA_DIR": str(data), "CARDFLOW_LLM": "scripted",
           "OLLAMA_HOST": "http://127.0.0.1:9", "PATH": f"{bindir}:{os.environ['PATH']}"}
    outputs = []
    for line in [ln for title in ("Fork and compare", "Run receipts") for b in blocks("sh", title)
                 for ln in b.splitlines() if ln.strip()]:
        done = subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=env, timeout=120,
                              cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 0, f"{line}\n{done.stderr}"
        outputs.append(done.stdout)
    compare = json.loads(outputs[5])["result"]
    assert compare["differences"] == 1 and compare["rows"][1]["b"] == "Hi, Ada!"
    assert outputs[-1].startswith("OK: 2 files match the manifest of hello “first”")


def test_the_bridge_example_runs(tmp_path):
    code = blocks("python", "Notebooks both ways")[0]
    namespace: dict = {}
    exec(compile(code, "bridge_doc.py", "exec"), namespace)
    state, refused = namespace["bridge_demo"](tmp_path / "data")
    assert refused == "Greeting (greeting): This field is required."
    assert state["greeting"] == {"greeting": "Hello, Ada!"} and state["finalize"] == {"finalized": True}
