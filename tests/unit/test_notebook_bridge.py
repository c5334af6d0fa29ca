"""The notebook bridge: a new key starts as the web form starts it; every refusal is one CardflowError."""

import pytest

from cardflow import notebook as cf
from cardflow.errors import Problem
from cardflow.notebook import CardflowError


@pytest.fixture
def hello(data_dir):
    cf.open(data_dir)
    return cf.flow("hello")


def test_submit_to_a_new_key_starts_it_as_the_readme_shows(hello, data_dir):
    state = cf.flow("hello").submit("brand-new", "name", "Ada")  # the README's call, on a key never started
    assert state["name"] == {"name": "Ada"}
    row = cf.session().db.pipelines["brand-new"]
    assert row.app_name == "hello" and row.profile_id == 1


@pytest.mark.parametrize(("call", "message"), [
    (lambda f: cf.flow("no_such_app"), "No workflow named 'no_such_app'; there are: .*hello"),
    (lambda f: f.submit("k", "nostep", "x"), "hello has no step 'nostep'; its steps are name, greeting"),
    (lambda f: f.submit("k", "name", ""), r"Your name \(name\): This field is required"),
    (lambda f: f.submit("k", "name", "x" * 101), "under 100 characters"),
    (lambda f: f.submit("k", "greeting", "Hi"), "Save 'name' first"),
    (lambda f: f.submit("", "name", "Ada"), "Type a key"),
    (lambda f: f.finalize("k"), "'name' is still open"),
    (lambda f: f.finalize("never"), "There is no run 'never'"),
    (lambda f: f.save("k", "name", "Ada"), "takes the step's data as a dict"),
    (lambda f: f.suggest("fresh", "greeting"), "'greeting' has no suggestion yet"),
    (lambda f: cf.finalize("never"), "There is no run 'never'"),
    (lambda f: cf.set_step_data("never", "name", {"name": "x"}), "There is no run 'never'"),
])
def test_refusals_are_one_clear_error(hello, call, message):
    hello.start("k")
    with pytest.raises(CardflowError, match=message) as info:
        call(hello)
    assert isinstance(info.value, Problem) and isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)
    # What a notebook shows instead of a traceback into Cardflow's internals:
    assert info.value._render_traceback_() == [f"CardflowError: {info.value}"]


def test_a_finalized_run_and_another_apps_key_are_refused(hello):
    hello.submit("done", "name", "Ada")
    hello.submit("done", "greeting", "Hi")
    hello.finalize("done")
    with pytest.raises(CardflowError, match="'done' is finalized: unlock it"):
        hello.submit("done", "greeting", "Changed")
    assert hello.state("done")["greeting"] == {"greeting": "Hi"}
    cf.flow("petiteflow").start("theirs")
    with pytest.raises(CardflowError, match="already used by the petiteflow workflow"):
        hello.submit("theirs", "name", "Ada")


def test_job_steps_are_saved_whole_not_submitted(data_dir):
    cf.open(data_dir)
    poet = cf.flow("poetflow")
    poet.submit("p", "topic", "rain")
    with pytest.raises(CardflowError, match=r"'poem' is a job step: write its data whole with flow\.save"):
        poet.submit("p", "poem", "A poem")
    state = poet.save("p", "poem", {"poem": "Drops on tin", "extra": [1, 2]})
    assert state["poem"] == {"poem": "Drops on tin", "extra": [1, 2]}
