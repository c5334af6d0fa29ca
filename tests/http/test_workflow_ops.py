"""The workflow operations called directly, as the action layer (MCP, CLI) calls them: no HTML."""

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.datastructures import FormData
from starlette.testclient import TestClient

from cardflow.config import Settings
from cardflow.errors import Problem
from cardflow.fields import ValidationError

HX = {"HX-Request": "true", "Origin": "http://127.0.0.1:5001"}

OPSFLOW = '''
import asyncio

from cardflow.workflow import Checkbox, Number, Select, Step, Text, ValidationError, Workflow

deleted = []


async def wait(wf, ctx):
    await asyncio.sleep(30)
    return {"wait": "waited"}


class OpsFlow(Workflow):
    name = "opsflow"
    title = "Ops flow"

    def submit_pair(self, call):
        left, right = call.form.get("left", ""), call.form.get("right", "")
        if not left or not right:
            raise ValidationError("Both halves, please.")
        return {"pair": f"{left}+{right}", "earlier": call.values["name"]}

    def on_delete(self, key):
        deleted.append(key)

    steps = [
        Step("name", "Name", Text(required=True, max_length=10)),
        Step("count", "Count", Number(required=True, min=1, max=9, integer=True)),
        Step("agree", "Agree", Checkbox()),
        Step("color", "Color", Select(required=True, options=["red", "blue"])),
        Step("pair", "Pair", submit=submit_pair),
        Step("wait", "Wait", Number(required=True, min=1, integer=True), job=wait),
    ]
'''


@pytest.fixture
def env(tmp_path):
    from cardflow.app import build_app

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "opsflow.py").write_text(OPSFLOW)
    app = build_app(Settings(data_dir=tmp_path / "data", plugins_dir=plugins, open_browser=False, llm="scripted",
                             ollama_host="http://127.0.0.1:9", botify_api="http://127.0.0.1:9"))
    with TestClient(app, base_url="http://127.0.0.1:5001", raise_server_exceptions=False) as client:
        client.headers.update(HX)
        yield Env(app.state.ctx.registry.by_name("opsflow"), client, app.state.ctx)


@dataclass
class Env:
    wf: Any
    client: TestClient
    ctx: Any

    def __iter__(self):
        return iter((self.wf, self.client, self.ctx))

    def run(self, fn, *args):
        """Call on the app's own event loop, where a started job lives on after the call returns."""
        return self.client.portal.call(fn, *args)

    def submit(self, key, step, form, profile_id=1):
        return self.run(self.wf.submit, key, step, form, profile_id)


def fill(env, key, upto):
    wf = env.wf
    values = {"name": {"name": "Ada"}, "count": {"count": "3"}, "agree": {"agree": True},
              "color": {"color": "red"}, "pair": {"left": "a", "right": "b"}}
    for step_id in wf.step_ids[:wf.step_ids.index(upto)]:
        env.submit(key, step_id, values[step_id])


def form_error(client, key, step_id, data):
    """The message the web form shows at the field for the same input."""
    html = client.post(f"/opsflow/step/{step_id}?key={key}", data=data).text
    assert f'id="opsflow-{step_id}-error"' in html and 'role="alert"' in html, html
    return html


@pytest.mark.parametrize(("step_id", "mapping", "posted"), [
    ("name", {"name": "   "}, {"name": "   "}),
    ("name", {}, {}),  # left out: an empty field
    ("name", {"name": "x" * 11}, {"name": "x" * 11}),
    ("count", {"count": 0}, {"count": "0"}),
    ("count", {"count": 2.5}, {"count": "2.5"}),
    ("count", {"count": ["4", "abc"]}, {"count": ["4", "abc"]}),  # repeated: the last one counts
    ("color", {"color": "green"}, {"color": "green"}),
    ("pair", {"left": "a"}, {"left": "a"}),
])
def test_mapping_input_is_refused_exactly_like_the_form(env, step_id, mapping, posted):
    wf, client, _ctx = env
    wf.start("k", 1)
    fill(env, "k", step_id)
    with pytest.raises(ValidationError) as refused:
        env.submit("k", step_id, mapping)
    assert refused.value.field == step_id
    html = form_error(client, "k", step_id, posted)
    assert refused.value.message in html
    assert step_id not in client.get("/opsflow/export?key=k").json()["state"]


def test_mapping_input_is_saved_exactly_like_the_form(env):
    wf, client, ctx = env
    wf.start("ops", 1)
    wf.start("web", 1)
    for step_id, mapping, posted in (("name", {"name": " Ada "}, {"name": " Ada "}),
                                     ("count", {"count": 7}, {"count": "7"}),
                                     ("agree", {"agree": True}, {"agree": "on"}),
                                     ("color", {"color": ["blue"]}, {"color": "blue"}),
                                     ("pair", {"left": 1, "right": "2"}, {"left": "1", "right": "2"})):
        env.submit("ops", step_id, mapping)
        client.post(f"/opsflow/step/{step_id}?key=web", data=posted)
    ops, web = ctx.pipulate.read_state("ops"), ctx.pipulate.read_state("web")
    for step_id in ("name", "count", "agree", "color", "pair"):
        assert ops[step_id] == web[step_id]
    assert ops["count"] == {"count": 7} and ops["agree"] == {"agree": True}
    assert ops["pair"] == {"pair": "1+2", "earlier": "Ada"}


def test_an_unticked_box_and_a_formdata_are_taken_as_they_are(env):
    wf, _client, _ctx = env
    wf.start("k", 1)
    fill(env, "k", "agree")
    assert env.submit("k", "agree", {"agree": False})["agree"] == {"agree": False}
    state = env.submit("k", "agree", FormData([("agree", "on")]))
    assert state["agree"] == {"agree": True}


def test_submit_saves_announces_and_returns_the_state(env):
    wf, _client, ctx = env
    key, state = wf.start("run 1", 1)
    assert key == "run 1" and set(state) == {"created", "updated"}
    state = env.submit(key, "name", {"name": "Ada"})
    assert state["name"] == {"name": "Ada"}
    assert any("Ops flow · Name: Ada" in m.content for m in ctx.conversation.history(1))


def test_finalized_run_refuses_every_change(env):
    wf, _client, ctx = env
    wf.start("k", 1)
    fill(env, "k", "wait")
    ctx.pipulate.set_step_data("k", "wait", {"wait": "done"})
    wf.finalize("k")
    with pytest.raises(Problem) as refused:
        env.submit("k", "name", {"name": "Bob"})
    assert refused.value.status == 409
    assert refused.value.message == "This workflow is finalized: unlock it to change a step."
    with pytest.raises(Problem, match="finalized"):
        wf.start_job("k", "wait", {"wait": 1})
    assert ctx.pipulate.get_step_data("k", "name") == {"name": "Ada"}
    wf.unfinalize("k")
    assert env.submit("k", "name", {"name": "Bob"})["name"] == {"name": "Bob"}


def test_finalize_refuses_a_run_with_an_open_step(env):
    wf, _client, ctx = env
    wf.start("k", 1)
    with pytest.raises(Problem, match="still open"):
        wf.finalize("k")
    assert not ctx.pipulate.is_finalized("k")


def test_keys_are_scoped_to_the_app_and_the_profile(env):
    wf, client, ctx = env
    wf.start("mine", 1)
    assert wf.open_key(" mine ") == "mine" and wf.open_key("mine", 1) == "mine"
    with pytest.raises(Problem) as other_profile:
        wf.open_key("mine", 2)
    assert other_profile.value.status == 404
    with pytest.raises(Problem) as missing:
        wf.open_key("ghost", 1)
    assert missing.value.status == 404
    with pytest.raises(ValidationError) as bad:
        wf.open_key("  ")
    assert bad.value.field == "key"
    client.post("/hello/init", data={"key": "hello-key"})
    with pytest.raises(Problem, match="belongs to another workflow"):
        wf.open_key("hello-key")
    with pytest.raises(Problem) as taken:
        wf.start("hello-key", 1)
    assert "already used by the hello workflow" in taken.value.message and taken.value.field == "key"
    assert ctx.pipulate.app_of("hello-key") == "hello"


def test_unknown_steps_and_keys_are_404(env):
    wf, _client, _ctx = env
    wf.start("k", 1)
    for attempt in (lambda: wf.require_step("nope"), lambda: env.submit("k", "nope", {}),
                    lambda: wf.revert("k", "nope"), lambda: wf.start_job("k", "nope", {}),
                    lambda: wf.export("ghost"), lambda: wf.revert("ghost", "name"), lambda: wf.delete("ghost")):
        with pytest.raises(Problem) as refused:
            attempt()
        assert refused.value.status == 404
    assert wf.require_step("name").title == "Name"


def test_steps_are_done_in_order(env):
    wf, _client, ctx = env
    wf.start("k", 1)
    with pytest.raises(Problem, match="Finish “Name” first"):
        env.submit("k", "color", {"color": "red"})
    assert "color" not in ctx.pipulate.read_state("k")


def test_job_steps_are_started_not_submitted(env):
    wf, _client, ctx = env
    wf.start("k", 1)
    fill(env, "k", "wait")
    with pytest.raises(Problem, match="is a job step: start it instead"):
        env.submit("k", "wait", {"wait": 1})
    with pytest.raises(Problem, match="not a job step"):
        wf.start_job("k", "name", {"name": "x"})

    async def scenario():
        with pytest.raises(ValidationError) as refused:
            wf.start_job("k", "wait", {"wait": 0})
        assert refused.value.field == "wait" and "smallest allowed value is 1" in refused.value.message
        first = wf.start_job("k", "wait", {"wait": 2})
        second = wf.start_job("k", "wait", {"wait": 5})  # a double click returns the run going
        params = ctx.jobs.get(first.id).detail
        ctx.jobs.cancel(first.id)
        await asyncio.sleep(0.05)
        return first, second, params

    first, second, params = env.run(scenario)
    assert first.id == second.id and len(ctx.db.jobs()) == 1
    assert '"wait": 2' in params and '"name": "Ada"' in params


def test_revert_delete_and_export(env):
    wf, _client, ctx = env
    wf.start("k", 1)
    fill(env, "k", "color")
    state = wf.revert("k", "count")
    assert "name" in state and "count" not in state and "agree" not in state
    exported = wf.export("k")
    assert exported["key"] == "k" and exported["app"] == "opsflow" and exported["state"]["name"] == {"name": "Ada"}
    wf.delete("k")
    assert not ctx.pipulate.exists("k")
    import sys

    assert sys.modules["cardflow_plugin_opsflow"].deleted == ["k"]
