"""What the data-step kinds share: finding the rows a step reads, and its partial's address.

A kind that has rows answers `relation(wf, state, step)` with a `query.Source`; a Table or a Chart
names the step it reads by id (`source=`), which may be an upload or another table.
"""

from __future__ import annotations

from typing import Any, Protocol

from cardflow.datasteps.query import Source
from cardflow.errors import Problem
from cardflow.steps import Step


class DataFlow(Protocol):
    """What the kinds need of the workflow they are in (cardflow.workflow.Workflow provides it)."""

    @property
    def name(self) -> str: ...
    @property
    def ctx(self) -> Any: ...
    @property
    def steps(self) -> Any: ...
    def url(self, action: str, **params: Any) -> str: ...
    def require_step(self, step_id: str) -> Step: ...


def source_of(wf: DataFlow, state: dict[str, Any], step_id: str) -> Source:
    """The rows of step `step_id` in this run: its kind must have them, and the step must be done."""
    step = wf.require_step(step_id)
    relation = getattr(step.kind, "relation", None)
    if relation is None:
        raise Problem(f"The step “{step_id}” has no rows to show (it is not an upload or a table).")
    if not isinstance(state.get(step_id), dict):
        raise Problem(f"Finish “{step.title}” first: this step reads its rows.", 409)
    result: Source = relation(wf, state, step)
    return result


def part_url(wf: DataFlow, key: str, step_id: str, **params: Any) -> str:
    """The address of a step's partial, with its query parameters."""
    from urllib.parse import urlencode

    extra = {k: v for k, v in params.items() if v not in (None, "")}
    url = wf.url("part", step_id=step_id, key=key)
    return f"{url}&{urlencode(extra)}" if extra else url


def human_bytes(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


SCRIPT = "/static/datasteps.js?v=1"
