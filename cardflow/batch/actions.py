"""`<app>.batch`, `.batch_status`, `.batch_cancel`, `.batch_retry`, `.batch_export`: for every workflow.

Generated from the workflow like its other actions, so the page, MCP, the CLI and the assistant
all start and follow a batch the same way. `<app>.batch` takes the rows as CSV text (`csv`) or,
from the CLI or an MCP client, a file path (`file`); the assistant may not read files. With
`wait` (the default from the CLI, whose process ends with the command) it runs every row before it
returns, printing one line per row to stderr on the CLI; otherwise the server runs it in the
background and it returns the batch id at once.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action, Call
from cardflow.actions.schema import boolean, integer, obj, string
from cardflow.batch.parse import MAX_CHARS, parse_batch
from cardflow.batch.report import batch_dict, export_csv, row_line, row_report
from cardflow.batch.runner import BatchRunner
from cardflow.batch.schema import Batch, BatchRow
from cardflow.batch.store import batch_id
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.plugins import Context
    from cardflow.workflow_ops import WorkflowOps

CSV_MAX = 95_000  # an action's parameters stay under the registry's 100,000 characters
FILE_ACTORS = ("cli", "mcp")
BATCH = integer("The batch id (from <app>.batch or the batch page); the newest batch when left out.", minimum=1)


def runner_of(ctx: Context) -> BatchRunner:
    """The one runner of this app (its concurrency limit is shared by every batch)."""
    runner = getattr(ctx.app.state, "batch_runner", None)
    if not isinstance(runner, BatchRunner):
        runner = BatchRunner(ctx)
        ctx.app.state.batch_runner = runner
    return runner


def batch_row(ctx: Context, bid: int) -> dict[str, Any] | None:
    rows = ctx.db.query("SELECT * FROM batch WHERE id = ?", (bid,))
    return rows[0] if rows else None


def read_input(call: Call) -> tuple[str, str]:
    """(the CSV text, where it came from) from `csv` or `file`."""
    text, path = call.params.get("csv"), call.params.get("file")
    if (text is None) == (path is None):
        raise Problem("Give the rows either as “csv” (the text) or as “file” (a path), not both or neither.",
                      field="file")
    if text is not None:
        return str(text), str(call.params.get("source") or "pasted")
    if call.actor not in FILE_ACTORS:
        raise Problem("Only the command line and MCP clients may name a file; paste the rows as “csv”.",
                      403, field="file")
    file = Path(str(path)).expanduser()
    try:
        if not file.is_file():
            raise Problem(f"There is no file {file}.", 404, field="file")
        if file.stat().st_size > MAX_CHARS:
            raise Problem(f"{file.name} is too large: at most {MAX_CHARS // 1_000_000} MB.", 413, field="file")
        raw = file.read_bytes()
    except OSError as exc:
        raise Problem(f"{file} cannot be read: {exc.strerror or exc}.", field="file") from None
    try:
        return raw.decode("utf-8-sig"), file.name
    except UnicodeDecodeError:
        raise Problem(f"{file.name} is not UTF-8 text: save it as CSV (UTF-8).", field="file") from None


def batch_actions(wf: WorkflowOps) -> list[Action]:
    n, ctx = wf.name, wf.ctx
    runner = runner_of(ctx)

    def find(call: Call) -> Batch:
        bid = call.params.get("batch")
        if bid is None:
            newest = runner.store.recent(n, call.profile_id, limit=1)
            if not newest:
                raise Problem(f"There is no batch of {wf.title} in this profile yet.", 404, field="batch")
            return newest[0]
        return runner.store.get(int(bid), n, call.profile_id)

    def report(batch: Batch) -> dict[str, Any]:
        rows = runner.store.rows_of(batch_id(batch))
        return batch_dict(batch, [row_report(wf.steps, r, ctx.pipulate.read_state(r.key)) for r in rows])

    async def start(call: Call) -> dict[str, Any]:
        text, source = read_input(call)
        parsed = parse_batch(text, wf.step_ids, wf.clean_key)
        batch = runner.store.create(n, call.profile_id, call.actor, source, parsed)
        bid = batch_id(batch)
        call.record("batch", bid, None, batch_row(ctx, bid))
        refused = len(parsed.rows) - parsed.runnable
        call.say(f"Started batch {bid} of {wf.title}: {parsed.runnable} row{'s' if parsed.runnable != 1 else ''}"
                 + (f", {refused} refused" if refused else "") + ".")
        printer = _print_row if call.actor == "cli" else None
        if printer is not None:
            for row in runner.store.rows_of(bid):
                if row.status == "refused":
                    printer(batch, row)
        wait = call.params.get("wait", call.actor == "cli")
        if not wait:
            runner.start(batch)
            return {"batch": bid, "status": "running", "rows": len(parsed.rows), "refused": refused}
        await runner.run(batch, on_row=printer)
        result = report(runner.store.find(bid) or batch)
        bad = {s: result["counts"].get(s, 0) for s in ("failed", "refused", "cancelled")}
        if any(bad.values()):
            listed = ", ".join(f"{v} {s}" for s, v in bad.items() if v)
            raise Problem(f"Batch {bid} ended with {listed} of {len(parsed.rows)} rows ({result['summary']}). "
                          f"{n}.batch_status batch={bid} lists them; {n}.batch_retry batch={bid} runs the failed "
                          "ones again.", 409)
        return result

    def status(call: Call) -> dict[str, Any]:
        return report(find(call))

    def cancel(call: Call) -> dict[str, Any]:
        batch = find(call)
        before = batch_row(ctx, batch_id(batch))
        runner.cancel(batch)
        call.record("batch", batch_id(batch), before, batch_row(ctx, batch_id(batch)))
        call.say(f"Cancelled batch {batch.id} of {wf.title}.")
        return report(runner.store.find(batch_id(batch)) or batch)

    def retry(call: Call) -> dict[str, Any]:
        batch = find(call)
        before = batch_row(ctx, batch_id(batch))
        count = runner.retry(batch)
        if not count:
            raise Problem(f"Batch {batch.id} has no failed or cancelled rows to run again.", 409)
        call.record("batch", batch_id(batch), before, batch_row(ctx, batch_id(batch)))
        call.say(f"Batch {batch.id} of {wf.title}: running {count} row{'s' if count != 1 else ''} again.")
        return {"batch": batch.id, "status": "running", "retried": count}

    def export(call: Call) -> dict[str, Any]:
        batch = find(call)
        rows = runner.store.rows_of(batch_id(batch))
        reports = [row_report(wf.steps, r, ctx.pipulate.read_state(r.key)) for r in rows]
        return {"batch": batch.id, "rows": len(reports), "csv": export_csv(wf.steps, reports)}

    steps = ", ".join(wf.step_ids)
    ref = obj({"batch": BATCH})
    acts = [
        Action(f"{n}.batch", f"Run {wf.title} for many keys at once: CSV with a header row, a “key” column and a "
               f"column per step id ({steps}); one row per key. Each row runs the steps with its values, checked "
               "as the form checks them; an empty cell stops that row for a person to finish. Or a list of keys, "
               "one per line.", start,
               obj({"csv": string("The rows as CSV text (or one key per line).", max_length=CSV_MAX),
                    "file": string("A CSV file's path (the CLI and MCP clients only).", max_length=1000),
                    "source": string("A name for where the rows came from, shown with the batch.", max_length=200),
                    "wait": boolean("Run every row before returning (the CLI's default).")})),
        Action(f"{n}.batch_status", f"A {wf.title} batch: its status and each row's status, step, message and "
               "values.", status, ref, read_only=True),
        Action(f"{n}.batch_cancel", f"Cancel a running {wf.title} batch: rows not yet run are cancelled, running "
               "ones stop.", cancel, ref, destructive=True, confirm=True),
        Action(f"{n}.batch_retry", f"Run the failed and cancelled rows of a {wf.title} batch again.", retry, ref),
        Action(f"{n}.batch_export", f"A {wf.title} batch as CSV: one line per key, its status, and a column per "
               "step value.", export, ref, read_only=True),
    ]
    # A batch's input is a CSV and its output a grid: neither fits a chat line, so the assistant is not offered them.
    return [replace(a, app=n, chat=False) for a in acts]


def _print_row(batch: Batch, row: BatchRow) -> None:
    del batch  # one batch per command
    print(row_line(row), file=sys.stderr, flush=True)
