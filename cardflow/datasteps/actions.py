"""`<app>.preview`: the read-only action of a workflow with data steps (a page of rows, a chart's points).

The table partials of the page call it too, so the browser, MCP, the CLI and the assistant read
the same rows through the same checks (the key's profile, the column, the page).
"""

from __future__ import annotations

from typing import Any

from cardflow.actions.base import Action, Call
from cardflow.actions.schema import boolean, integer, obj, string

KEY = string("The workflow key.", max_length=200, min_length=1)


def data_actions(wf: Any) -> list[Action]:
    steps = [s for s in wf.steps if getattr(s.kind, "preview", None) is not None]
    if not steps:
        return []
    ids = [s.id for s in steps]

    async def preview(call: Call) -> dict[str, Any]:
        key = wf.open_key(call.params["key"], call.profile_id)
        step = wf.require_step(call.params["step"])
        state = wf.ctx.pipulate.read_state(key)
        options = {k: call.params[k] for k in ("page", "sort", "desc") if k in call.params}
        result: dict[str, Any] = await step.kind.preview(wf, state, step, **options)
        return result

    params = obj({"key": KEY, "step": string("The data step: " + ", ".join(ids), enum=ids),
                  "page": integer("The page, from 1 (tables).", minimum=1),
                  "sort": string("A column to sort by (tables).", max_length=300),
                  "desc": boolean("Sort descending (tables).")}, ["key", "step"])
    return [Action(f"{wf.name}.preview", f"Read a page of rows of a {wf.title} run's data step (an upload or a "
                   "table; 50 rows a page, sortable by a column), or a chart step's points.", preview, params,
                   read_only=True, chat=False)]
