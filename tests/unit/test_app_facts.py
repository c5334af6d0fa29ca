"""Each app states its own facts; the chat's prompts carry them (issue 15: grounded answers)."""

from __future__ import annotations

import pytest

from cardflow.app import build_app
from cardflow.chat.facts import app_context, fact_lines
from cardflow.config import Settings


@pytest.fixture
def ctx(tmp_path):
    app = build_app(Settings(data_dir=tmp_path, open_browser=False, llm="scripted",
                             ollama_host="http://127.0.0.1:9"))
    return app.state.ctx


def test_the_default_facts_are_the_title_and_description(ctx):
    sim = ctx.registry.by_name("stream_simulator")
    assert sim.facts(ctx.current_profile_id()) == [f"The open app is “{sim.title}”.", sim.description]


def test_a_crud_app_counts_its_rows_and_names_them_in_order(ctx):
    tasks, pid = ctx.registry.by_name("tasks"), ctx.current_profile_id()
    for name in ("a", "b", "c"):
        tasks.insert_item(pid, {"name": name})
    tasks.toggle_item(tasks.items(pid)[1].id, pid)
    facts = tasks.facts(pid)
    assert "The user has 3 tasks: 2 not done, 1 done." in facts
    assert "In order: 1. “a”; 2. “b” (done); 3. “c”." in facts
    other = ctx.registry.by_name("profiles").insert_item(pid, {"name": "Other"}).id
    assert "The user has 0 tasks: 0 not done, 0 done." in tasks.facts(other)  # scoped to the profile


def test_a_workflow_states_its_steps_runs_and_latest_run(ctx):
    hello, pid = ctx.registry.by_name("hello"), ctx.current_profile_id()
    facts = hello.facts(pid)
    assert "Its steps: 1. Your name (text); 2. Greeting (text)." in facts
    assert "This profile has 0 runs (keys)." in facts and not any("latest run" in f for f in facts)
    ctx.pipulate.initialize_if_missing("ada", {"app_name": "hello", "profile_id": pid})
    ctx.pipulate.set_step_data("ada", "name", {"name": "Ada"})
    facts = hello.facts(pid)
    assert "This profile has 1 run (keys)." in facts
    assert "The latest run is “ada” (in progress): 1 of 2 steps done, next step: Greeting." in facts


def test_the_system_prompt_carries_the_open_apps_facts(ctx):
    sim = ctx.registry.by_name("stream_simulator")
    prompt = ctx.chat.system_prompt("stream_simulator")
    assert sim.description in prompt and "answer questions about it from these only" in prompt
    assert app_context(ctx, "stream_simulator", 1).endswith(fact_lines(ctx, "stream_simulator", 1))
    assert app_context(ctx, "no-such-app", 1) == "" and fact_lines(ctx, "no-such-app", 1) == ""
