"""Fork, compare, notebook export and receipts: the actions and routes every workflow gets for them.

`Workflow.register` and `Workflow.actions` call `register_routes` and `extra_actions`. The routes
run the actions through `Workflow.act`, the same path MCP, the CLI and the assistant take, so a
fork is logged (and undoable) wherever it was asked for.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from cardflow import runzip
from cardflow.actions.base import Action, Call
from cardflow.actions.schema import obj, string
from cardflow.actions.workflow_actions import KEY, describe_state, flow_event, runs_event
from cardflow.compare_view import compare_page
from cardflow.errors import Problem
from cardflow.fork import compare_runs, fork_run
from cardflow.nbexport import notebook_filename, notebook_for
from cardflow.ui import cards

if TYPE_CHECKING:
    from cardflow.workflow import Workflow

KEY_PICKS = 200


def extra_actions(wf: Workflow) -> list[Action]:
    n, ctx = wf.name, wf.ctx
    all_steps = [s.id for s in wf.steps]

    def row(key: str) -> dict[str, Any] | None:
        rows = ctx.db.query("SELECT * FROM pipeline WHERE key = ?", (key,))
        return rows[0] if rows else None

    def fork(call: Call) -> dict[str, Any]:
        source, step_id = call.params["key"], call.params["step"]
        new_key, state = fork_run(wf, source, step_id, call.params.get("new_key"), call.profile_id)
        call.record("pipeline", new_key, None, row(new_key))  # undo deletes the fork
        ctx.events.publish(runs_event(n), "changed", profile_id=call.profile_id, exclude=call.origin)
        ctx.events.publish(flow_event(n, new_key), "changed", profile_id=call.profile_id, exclude=call.origin)
        step = wf.require_step(step_id)
        call.say(f"Forked {wf.title} “{source.strip()}” at {step.title} into “{new_key}”.")
        return {**describe_state(wf, new_key, state), "forked_from": source.strip(), "forked_at": step_id}

    def compare(call: Call) -> dict[str, Any]:
        return compare_runs(wf, call.params["a"], call.params["b"], call.profile_id).as_dict()

    def notebook(call: Call) -> dict[str, Any]:
        key = wf.open_key(call.params["key"], call.profile_id)
        return {"filename": notebook_filename(n, key),
                "notebook": notebook_for(wf, key, ctx.pipulate.read_state(key))}

    def receipt(call: Call) -> dict[str, Any]:
        key = wf.open_key(call.params["key"], call.profile_id)
        out = runzip.receipt_path(ctx.settings.data_dir, n, key)
        manifest = runzip.write_receipt(out, db=ctx.db, data_dir=ctx.settings.data_dir, app=n, key=key,
                                        state=ctx.pipulate.read_state(key))
        call.say(f"Wrote the receipt of {wf.title} “{key}”: {out.name}.")
        return {"path": str(out), "files": manifest["files"], "created": manifest["created"]}

    acts = [
        Action(f"{n}.fork", f"Copy a {wf.title} run's steps up to and including one finished step into a new "
               "run (a new key), to try other values for the later steps. The original is not changed.", fork,
               obj({"key": KEY, "step": string("The finished step to fork from (it is copied too).",
                                               enum=all_steps),
                    "new_key": string("The new run's key; a free one like <key>-fork-1 when left out.",
                                      max_length=200)}, ["key", "step"])),
        Action(f"{n}.compare", f"Compare two {wf.title} runs side by side: each step's value in run A and run B, "
               "and which steps differ.", compare,
               obj({"a": string("The first run's key.", max_length=200, min_length=1),
                    "b": string("The second run's key.", max_length=200, min_length=1)}, ["a", "b"]),
               read_only=True),
        Action(f"{n}.notebook", f"A {wf.title} run as a runnable Jupyter notebook (.ipynb JSON): one cell per "
               "step with its value and the bridge call that saves it.", notebook, obj({"key": KEY}, ["key"]),
               read_only=True, chat=False),
        Action(f"{n}.receipt", f"Write a {wf.title} run's receipt: a zip of its state, files, model calls and "
               "a SHA-256 manifest, in the data dir's receipts folder (check it with `cardflow verify`).",
               receipt, obj({"key": KEY}, ["key"]), chat=False),
    ]
    return [replace(a, app=n) for a in acts]


def register_routes(wf: Workflow) -> None:
    """POST /<app>/fork/{step_id}?key=, GET /<app>/compare?a=&b=, /<app>/notebook?key=, /<app>/receipt?key=."""
    r = wf.routes

    async def fork(req: Request, step_id: str) -> Any:
        key = wf.open_key(req.query_params.get("key"), wf.ctx.current_profile_id())
        step = wf.require_step(step_id)
        try:
            outcome = await wf.act(req, "fork", key=key, step=step.id)
        except Problem as exc:  # shown under the card the button is on
            state = wf.ctx.pipulate.read_state(key)
            if wf.done(state, step):
                return cards.locked_card(wf.flow_view(), wf.card_view(key, step, state, notice=str(exc)))
            return cards.open_card(wf.flow_view(), wf.card_view(key, step, state, error=str(exc)))
        # htmx follows HX-Redirect: the page opens the fork at its next open step.
        return Response(headers={"HX-Redirect": f"{wf.path}?{urlencode({'key': outcome.result['key']})}"})

    async def compare(req: Request) -> Any:
        a, b = (req.query_params.get(p, "").strip() for p in ("a", "b"))
        comparison, error = None, None
        if a and b:
            try:
                comparison = compare_runs(wf, a, b, wf.ctx.current_profile_id())
            except Problem as exc:
                error = str(exc)
        elif a or b:
            error = "Pick two runs to compare."
        known = [k["key"] for k in wf.ctx.pipulate.list_keys(wf.name, profile_id=wf.ctx.current_profile_id(),
                                                              limit=KEY_PICKS)]
        content = compare_page(wf.flow_view(), known, a, b, comparison, error)
        if "hx-request" in req.headers:
            return content
        from cardflow.shell import render_app_page

        return render_app_page(wf.ctx, wf.ctx.registry, wf, req, content)

    async def notebook(req: Request) -> Response:
        outcome = await wf.act(req, "notebook", key=str(req.query_params.get("key", "")))
        body = json.dumps(outcome.result["notebook"], indent=1, ensure_ascii=False)
        return Response(body, media_type="application/x-ipynb+json", headers={
            "Content-Disposition": f'attachment; filename="{outcome.result["filename"]}"'})

    async def receipt(req: Request) -> Response:
        outcome = await wf.act(req, "receipt", key=str(req.query_params.get("key", "")))
        path = outcome.result["path"]
        return FileResponse(path, media_type="application/zip", filename=path.rsplit("/", 1)[-1])

    r["fork"] = wf.route("/fork/{step_id}", ["post"])(fork)
    r["compare"] = wf.route("/compare", ["get"])(compare)
    r["notebook"] = wf.route("/notebook", ["get"])(notebook)
    r["receipt"] = wf.route("/receipt", ["get"])(receipt)
