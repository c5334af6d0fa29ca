"""`Fragments`: several templates answered as one string, with the bytes and headers of the tuple."""

from __future__ import annotations

from typing import Any

from fasthtml.common import Div, FastHTML, NotStr, Safe
from starlette.testclient import TestClient

from cardflow.ui.components import Fragments

HX = {"HX-Request": "true"}


def test_fragments_answer_as_the_tuple_would() -> None:
    app = FastHTML(default_hdrs=False, sess_cls=None, secret_key="test")
    parts = (NotStr('<li id="a">x &amp; y</li>'), Safe('<span id="n" hx-swap-oob="true">1</span>'))

    @app.get("/tuple")
    def as_tuple() -> Any:
        return parts

    @app.get("/joined")
    def joined() -> Any:
        return Fragments(*parts)

    client = TestClient(app)
    a, b = client.get("/tuple", headers=HX), client.get("/joined", headers=HX)
    assert a.status_code == b.status_code == 200
    assert a.content == b.content == b'<li id="a">x &amp; y</li><span id="n" hx-swap-oob="true">1</span>'
    assert a.headers["content-type"] == b.headers["content-type"]
    assert a.headers["vary"] == b.headers["vary"]


def test_a_part_that_is_not_markup_yet_keeps_the_tuple() -> None:
    mixed = Fragments(NotStr("<b>x</b>"), Div("<i>"))
    assert isinstance(mixed, tuple) and len(mixed) == 2


def test_a_toggle_and_a_locked_step_answer_one_string_with_htmx_headers(client: Any) -> None:
    client.post("/hello/init", data={"key": "frag"}, headers=HX)
    step = client.post("/hello/step/name?key=frag", data={"name": "<Ada>"}, headers=HX)
    assert step.status_code == 200 and "HX-Request" in step.headers["vary"]
    assert "&lt;Ada&gt;" in step.text and "<Ada>" not in step.text
    assert step.text.index('class="step-card locked"') < step.text.index("step-placeholder")
    made = client.post("/tasks/insert", data={"name": "x <b>y</b>"}, headers=HX)
    task_id = made.text.split('id="task-', 1)[1].split('"', 1)[0]
    toggled = client.post(f"/tasks/{task_id}/toggle", headers=HX)
    assert toggled.status_code == 200 and "HX-Request" in toggled.headers["vary"]
    assert 'class="done"' in toggled.text and "x &lt;b&gt;y&lt;/b&gt;" in toggled.text
    assert 'id="tasks-counts"' in toggled.text and "0 open · 1 done" in toggled.text
