"""Runs the code blocks of docs/workflows.md exactly as the guide shows them."""

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cardflow.config import Settings

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"
HX = {"HX-Request": "true", "Origin": "http://127.0.0.1:5001"}


def doc_files() -> dict[str, str]:
    blocks = re.findall(r"```python\n# file: (\S+)\n(.*?)```", GUIDE.read_text(), re.S)
    return dict(blocks)


@pytest.fixture
def doc_client(tmp_path):
    from cardflow.app import build_app

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    for name, code in doc_files().items():
        (plugins / name).write_text(code)
    app = build_app(Settings(data_dir=tmp_path / "data", plugins_dir=plugins, open_browser=False))
    assert not app.state.ctx.registry.errors
    with TestClient(app, base_url="http://127.0.0.1:5001") as c:
        c.headers.update(HX)
        yield c


def test_guide_has_the_promised_examples():
    assert {"hello_doc.py", "shout_doc.py", "myflow_doc.py", "pipulate_doc.py"} <= set(doc_files())


def test_declarative_example_runs(doc_client):
    doc_client.post("/hello_doc/init", data={"key": "g"})
    r = doc_client.post("/hello_doc/step/name?key=g", data={"name": "Ada"})
    assert "Ada" in r.text
    assert 'value="Hello, Ada!"' in doc_client.get("/hello_doc/step/greeting?key=g").text


def test_custom_step_example_runs(doc_client):
    landing = doc_client.get("/shout_doc").text
    assert "Shout name" in landing and "reuse it to see the shout again" in landing  # key_label, key_help
    doc_client.post("/shout_doc/init", data={"key": "s"})
    doc_client.post("/shout_doc/step/word?key=s", data={"word": "hey"})
    assert 'name="times"' in doc_client.get("/shout_doc/step/shout?key=s").text  # render=
    r = doc_client.post("/shout_doc/step/shout?key=s", data={"times": "99"})
    assert "from 1 to 10" in r.text
    r = doc_client.post("/shout_doc/step/shout?key=s", data={"times": "2"})
    assert "HEY HEY" in r.text
    assert "<strong>HEY HEY</strong> (2 times)" in r.text  # locked=
    notes = [m.content for m in doc_client.app.state.ctx.conversation.history(1)]
    assert "Shout: the word is hey." in notes  # message=


def test_guide_documents_every_hook():
    guide = GUIDE.read_text()
    for hook in ("render", "submit", "locked", "job", "message", "suggest"):
        assert f"`Step({hook}=)`" in guide
    for name in ("on_delete", "register_extra", "key_label", "key_help", "StepCall"):
        assert f"`{name}`" in guide


def test_hand_written_example_runs_as_the_guide_shows(doc_client):
    r = doc_client.post("/myflow_doc/init", data={"key": "hw 1"})
    assert 'hx-get="/myflow_doc/step_01?key=hw%201"' in r.text and 'hx-trigger="load"' in r.text
    assert "<form" in doc_client.get("/myflow_doc/step_01?key=hw 1").text
    r = doc_client.post("/myflow_doc/step_01_submit?key=hw 1", data={"word": "stressed"})
    assert "Word: stressed" in r.text and "/myflow_doc/step_02" in r.text
    assert "desserts is stressed backwards" in doc_client.get("/myflow_doc/step_02?key=hw 1").text


def test_pipulate_example_runs(tmp_path):
    namespace: dict = {}
    exec(compile(doc_files()["pipulate_doc.py"], "pipulate_doc.py", "exec"), namespace)
    state, keys = namespace["demo"](tmp_path / "doc.db")
    assert "name" not in state and "greeting" not in state and "finalize" not in state
    assert keys[0]["key"] == "run-1"
