import threading

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cardflow.db import Database
from cardflow.pipeline import KeyNotFound, Pipulate


@pytest.fixture
def pip(tmp_path):
    return Pipulate(Database(tmp_path / "p.db"))


def test_initialize_is_idempotent_and_timestamps(pip):
    state = pip.initialize_if_missing("k", {"app_name": "hello", "profile_id": 1})
    assert set(state) == {"created", "updated"}
    pip.set_step_data("k", "name", {"name": "Ada"})
    again = pip.initialize_if_missing("k", {"app_name": "other"})
    assert again["name"] == {"name": "Ada"}
    assert pip.app_of("k") == "hello"


def test_get_step_data_defaults(pip):
    pip.initialize_if_missing("k")
    assert pip.get_step_data("k", "missing") == {}
    assert pip.get_step_data("k", "missing", {"x": 1}) == {"x": 1}
    assert pip.get_step_data("nokey", "s") == {}


def test_should_advance_conditions(pip):
    pip.initialize_if_missing("k")
    assert not pip.should_advance("k", "s", {"a": "*"})
    pip.set_step_data("k", "s", {"a": "", "b": "yes"})
    assert not pip.should_advance("k", "s", {"a": "*"})
    assert pip.should_advance("k", "s", {"b": "*"})
    assert pip.should_advance("k", "s", {"b": "yes"})
    assert not pip.should_advance("k", "s", {"b": "no"})


def test_finalize_unfinalize(pip):
    pip.initialize_if_missing("k")
    assert not pip.is_finalized("k")
    pip.finalize("k")
    assert pip.is_finalized("k") and pip.read_state("k")["finalize"] == {"finalized": True}
    pip.unfinalize("k")
    assert not pip.is_finalized("k")


def test_revert_clears_step_and_later_ones(pip):
    pip.initialize_if_missing("k")
    for s in ("a", "b", "c"):
        pip.set_step_data("k", s, {s: 1})
    pip.finalize("k")
    state = pip.revert("k", "b")
    assert "a" in state and "b" not in state and "c" not in state and "finalize" not in state
    pip.set_step_data("k", "c", {"c": 2})
    state = pip.revert("k", "a", order=["a", "b", "c"])
    assert not any(s in state for s in "abc")


def test_list_keys_and_delete(pip):
    pip.initialize_if_missing("k1", {"app_name": "hello"})
    pip.initialize_if_missing("k2", {"app_name": "hello"})
    pip.initialize_if_missing("x", {"app_name": "other"})
    pip.finalize("k2")
    rows = pip.list_keys("hello")
    assert {r["key"]: r["status"] for r in rows} == {"k1": "in progress", "k2": "finalized"}
    assert pip.delete("k1") and not pip.delete("k1")
    assert [r["key"] for r in pip.list_keys("hello")] == ["k2"]


def test_writes_to_unknown_key_and_reserved_names_are_refused(pip):
    with pytest.raises(KeyNotFound):
        pip.set_step_data("nope", "s", {})
    pip.initialize_if_missing("k")
    with pytest.raises(ValueError):
        pip.set_step_data("k", "finalize", {})
    with pytest.raises(TypeError):
        pip.set_step_data("k", "s", {"bad": object()})
    assert "s" not in pip.read_state("k")
    with pytest.raises(ValueError):
        pip.initialize_if_missing("")


def test_concurrent_writers_never_lose_a_step(tmp_path):
    db = Database(tmp_path / "c.db")
    pip = Pipulate(db)
    pip.initialize_if_missing("k")
    errors = []

    def writer(prefix):
        try:
            for i in range(60):
                pip.set_step_data("k", f"{prefix}{i}", {"v": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    state = pip.read_state("k")
    assert sum(1 for k in state if k[0] in "abcd" and k[1:].isdigit()) == 240


def test_two_connections_like_server_and_notebook(tmp_path):
    one, two = Pipulate(Database(tmp_path / "s.db")), Pipulate(Database(tmp_path / "s.db"))
    one.initialize_if_missing("k")
    for i in range(30):
        (one if i % 2 else two).set_step_data("k", f"s{i}", {"i": i})
    assert len([k for k in one.read_state("k") if k.startswith("s")]) == 30


STEPS = ["s1", "s2", "s3", "s4"]


class PipulateModel(RuleBasedStateMachine):
    """Random operation sequences against a plain dict model of the same semantics."""

    @initialize()
    def setup(self):
        import tempfile
        from pathlib import Path

        self.pip = Pipulate(Database(Path(tempfile.mkdtemp()) / "m.db"))
        self.model: dict[str, dict] = {}

    @rule(key=st.sampled_from(["a", "b"]))
    def init(self, key):
        self.pip.initialize_if_missing(key)
        self.model.setdefault(key, {})

    @rule(key=st.sampled_from(["a", "b"]), step=st.sampled_from(STEPS), value=st.text(max_size=5))
    def set_step(self, key, step, value):
        if key not in self.model:
            with pytest.raises(KeyNotFound):
                self.pip.set_step_data(key, step, {"v": value})
            return
        self.pip.set_step_data(key, step, {"v": value})
        self.model[key][step] = {"v": value}

    @rule(key=st.sampled_from(["a", "b"]), step=st.sampled_from(STEPS))
    def revert(self, key, step):
        if key not in self.model:
            return
        self.pip.revert(key, step, order=STEPS)
        for later in STEPS[STEPS.index(step):]:
            self.model[key].pop(later, None)
        self.model[key].pop("finalize", None)

    @rule(key=st.sampled_from(["a", "b"]), on=st.booleans())
    def finalize(self, key, on):
        if key not in self.model:
            return
        if on:
            self.pip.finalize(key)
            self.model[key]["finalize"] = {"finalized": True}
        else:
            self.pip.unfinalize(key)
            self.model[key].pop("finalize", None)

    @rule(key=st.sampled_from(["a", "b"]))
    def delete(self, key):
        assert self.pip.delete(key) == (key in self.model)
        self.model.pop(key, None)

    @invariant()
    def same_as_model(self):
        for key in ("a", "b"):
            state = self.pip.read_state(key)
            if key not in self.model:
                assert state == {}
                continue
            body = {k: v for k, v in state.items() if k not in ("created", "updated")}
            assert body == self.model[key]
            assert self.pip.is_finalized(key) == ("finalize" in self.model[key])
            for step in STEPS:
                assert self.pip.should_advance(key, step, {"v": "*"}) == bool(self.model[key].get(step, {}).get("v"))


PipulateModel.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
TestPipulateModel = PipulateModel.TestCase
