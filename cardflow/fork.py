"""Fork a run from one of its finished steps, and compare two runs step by step. No HTML here.

A fork is a new key holding a copy of the steps up to and including the chosen one, so the user
can try another value for a later step without losing the run they forked from. Compare lines up
two runs' step values; both work on any workflow, from its `steps` alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.workflow_ops import WorkflowOps

KEY_MAX = 200
FORK_SUFFIX = "-fork-"


def suggest_fork_key(wf: WorkflowOps, key: str) -> str:
    """`<key>-fork-N` with the first N not taken (the key is cut so the result stays a valid key)."""
    n = 1
    while True:
        tail = f"{FORK_SUFFIX}{n}"
        candidate = key[:KEY_MAX - len(tail)] + tail
        if not wf.ctx.pipulate.exists(candidate):
            return candidate
        n += 1


def fork_run(wf: WorkflowOps, key: str, step_id: str, new_key: str | None, profile_id: int) -> tuple[str, dict[str, Any]]:
    """Copy `key`'s steps up to and including `step_id` into a new run of this profile.

    `key` must be a run this profile may open, `step_id` one of its finished steps, and `new_key`
    (suggested when empty) a key no run has yet. The copy is not finalized; its next step is open.
    """
    source = wf.open_key(key, profile_id)
    step = wf.require_step(step_id)
    state = wf.ctx.pipulate.read_state(source)
    if not wf.done(state, step):
        raise Problem(f"“{step.title}” is not finished in “{source}”: fork from a finished step.", 409,
                      field="step")
    target = wf.clean_key(new_key) if new_key and str(new_key).strip() else suggest_fork_key(wf, source)
    if wf.ctx.pipulate.exists(target):
        raise Problem(f"The key “{target}” is already used: choose a new key for the fork.", 409, field="new_key")
    ids = wf.step_ids
    copied = [s for s in ids[:ids.index(step.id) + 1] if isinstance(state.get(s), dict)]
    db = wf.ctx.db
    with db.transaction():  # the new run appears whole, or not at all
        wf.ctx.pipulate.initialize_if_missing(target, {"app_name": wf.name, "profile_id": profile_id})
        new_state: dict[str, Any] = {}
        for s in copied:
            new_state = wf.ctx.pipulate.set_step_data(target, s, state[s])
    return target, new_state or wf.ctx.pipulate.read_state(target)


@dataclass(frozen=True)
class CompareRow:
    step_id: str
    title: str
    a: str | None  # the value as text; None when the step is not done in that run
    b: str | None

    @property
    def same(self) -> bool:
        return self.a == self.b

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step_id, "title": self.title, "a": self.a, "b": self.b, "same": self.same}


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    a_status: str
    b_status: str
    rows: list[CompareRow]

    @property
    def differences(self) -> int:
        return sum(not r.same for r in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "a_status": self.a_status, "b_status": self.b_status,
                "rows": [r.as_dict() for r in self.rows], "differences": self.differences}


def value_text(value: Any) -> str:
    """A step value as one readable text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _status(state: dict[str, Any]) -> str:
    return "finalized" if state.get("finalize", {}).get("finalized") else "in progress"


def compare_runs(wf: WorkflowOps, a: str, b: str, profile_id: int) -> Comparison:
    """Each step's value in run `a` beside its value in run `b` (both runs of this workflow)."""
    key_a, key_b = wf.open_key(a, profile_id), wf.open_key(b, profile_id)
    state_a, state_b = wf.ctx.pipulate.read_state(key_a), wf.ctx.pipulate.read_state(key_b)
    rows = []
    for step in wf.steps:
        da, db = state_a.get(step.id), state_b.get(step.id)
        rows.append(CompareRow(step.id, step.title,
                               value_text(step.value_of(da)) if isinstance(da, dict) else None,
                               value_text(step.value_of(db)) if isinstance(db, dict) else None))
    return Comparison(key_a, key_b, _status(state_a), _status(state_b), rows)
