"""A workflow run as a runnable notebook: one cell per step, its value filled in, the bridge calls.

The notebook (nbformat 4 JSON, written directly: nothing to install to export one) drives the
same bridge a user would type (`cardflow.notebook`), so running it replays the run's state into
the data dir it opens. Every value enters the code as a Python literal made by `repr` from JSON
data, never by pasting text into code, so a value cannot break out of its string.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import TYPE_CHECKING, Any

from cardflow.fields import ValidationError
from cardflow.steps import Step

if TYPE_CHECKING:
    from cardflow.workflow_ops import WorkflowOps

MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def field_data(step: Step, value: Any) -> dict[str, Any]:
    """A step's data from a plain value, validated by its field as the web form would.

    Raises ValidationError. The bridge (`cardflow.notebook`) and the export share it, so the export
    knows which values `flow.submit` reproduces exactly.
    """
    if step.field is None:
        return {step.id: value}
    raw: Any
    if isinstance(value, bool):
        raw = "on" if value else ""
    elif isinstance(value, list):
        raw = [v if isinstance(v, str) else json.dumps(v) for v in value]
    elif value is None:
        raw = None
    else:
        raw = value if isinstance(value, str) else json.dumps(value)
    return {step.id: step.field.parse(raw)}


def literal(value: Any) -> str:
    """`value` as Python source. Only JSON data is accepted (what a state holds), and `repr` of JSON
    data is a literal that evaluates back to the same value."""
    return repr(json.loads(json.dumps(value, allow_nan=False)))


def _md(text: str) -> str:
    """User text inside a markdown cell: shown as typed, never as markup or HTML."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", escape(text, quote=False)).replace("\n", " ")


def _code(source: str) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def _markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def _step_call(step: Step, data: dict[str, Any]) -> str:
    """`flow.submit(...)` when the field reproduces the data from the value; else `flow.save(...)`,
    which writes the step's whole data (a job's result, a custom form's fields)."""
    if step.field is not None and step.submit is None and step.job is None:
        value = step.value_of(data)
        try:
            exact = field_data(step, value) == data
        except ValidationError:
            exact = False
        if exact:
            return f"flow.submit(key, {literal(step.id)}, {literal(value)})"
    return f"flow.save(key, {literal(step.id)}, {literal(data)})"


def notebook_for(wf: WorkflowOps, key: str, state: dict[str, Any]) -> dict[str, Any]:
    """The notebook that rebuilds `state` (the run `key` of `wf`) step by step."""
    cells = [
        _markdown(f"# {_md(wf.title)}: {_md(key)}\n\nExported from Cardflow. Running every cell replays this "
                  "run's steps through the notebook bridge into the data dir it opens."),
        _code("import cardflow.notebook as cf\n\n"
              "# The data dir: $CARDFLOW_DATA_DIR, else ~/.local/share/cardflow; cf.open(\"/some/dir\") for another.\n"
              "cf.open()\n"
              f"flow = cf.flow({literal(wf.name)})\n"
              f"key = {literal(key)}  # change it to replay this run under a new key\n"
              "flow.start(key)"),
    ]
    for step in wf.steps:
        data = state.get(step.id)
        if not isinstance(data, dict):
            cells.append(_markdown(f"## {_md(step.title)}\n\nNot done in the exported run."))
            break  # the steps are done in order: nothing later was saved
        cells.append(_markdown(f"## {_md(step.title)}"))
        cells.append(_code(_step_call(step, data)))
    if state.get("finalize", {}).get("finalized"):
        cells += [_markdown("## Finalize"), _code("flow.finalize(key)")]
    cells.append(_code("state = flow.state(key)\nprint(\"Open this run in the app:\", flow.url(key))\nstate"))
    for n, cell in enumerate(cells):
        cell["id"] = f"cell-{n}"
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"},
                     "cardflow": {"app": wf.name, "key": key}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_filename(app: str, key: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:80] or "run"
    return f"{app}-{safe}.ipynb"
