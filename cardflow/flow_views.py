"""What a workflow's cards show: plain data that the workflow fills in and `cardflow.ui.cards` renders.

The handler fetches, the component renders: the cards never read the database or the workflow,
so they can be tested and reused with any data of these shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cardflow.db import Job


@dataclass(frozen=True)
class FlowView:
    """One workflow as its cards see it."""

    name: str
    title: str
    description: str
    path: str
    key_label: str
    key_help: str
    first_step: str
    url: Callable[..., str]  # url(action, **params): "init", "step", "submit", "revert", "finalize", …
    event: Callable[[str], str]  # the SSE event that tells an open page a key changed elsewhere
    runs_event: str  # the SSE event that tells an open page its list of saved runs changed

    def dom_id(self, suffix: str) -> str:
        return f"{self.name}-{suffix}"


@dataclass(frozen=True)
class KeyFormView:
    value: str  # what the key box shows: the typed key, or a suggested new one
    error: str | None
    known_keys: list[str]  # offered by the key box's datalist


@dataclass(frozen=True)
class RunRow:
    key: str
    updated: str  # ISO time
    status: str  # "finalized" or "in progress"


@dataclass(frozen=True)
class RunsView:
    rows: list[RunRow]  # the newest runs of this profile
    total: int  # how many there are in all


@dataclass(frozen=True)
class CardView:
    """One step's card for one key: open (inputs, error, a running job) or done (its value)."""

    key: str
    step_id: str
    title: str
    help: str
    done: bool
    finalized: bool  # the whole run is locked: no revert
    next_step: str | None  # the card loaded after a done one; None means the finalize card follows
    value: Any = None  # a done step's content
    notice: str | None = None  # shown under a done card, e.g. why a change was refused
    inputs: Any = None  # an open step's own inputs, from its render hook
    widget: Any = None  # else the field's input, which the card labels with the step's title
    error: str | None = None
    job_step: bool = False
    ran_before: bool = False  # a job step with an earlier run offers "Retry" rather than "Start"
    running: Job | None = None  # a job step's run in progress: the card shows its live progress
