"""Link graph from a file: an edge list exported by another crawler (Screaming Frog's "All Inlinks",
or any CSV, gzip CSV or Parquet with a source and a destination column) → the same graph view and
analyses as Botify's export and Cardflow's own crawl.

Upload (the Upload data step) → columns (recognised from their headers, or mapped by the user) →
a job that writes the standard edges/metadata CSVs (``linkgraph.edgelist``) and ingests them
(``GraphFiles.ingest``, shared with the other two sources) → the graph, with its link to the view.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fasthtml.common import Div, Label, Option, P, Small
from fasthtml.common import Select as SelectTag

from cardflow.datasteps import Upload
from cardflow.jobs import JobContext
from cardflow.linkgraph.edgelist import LABELS, ROLES, check_mapping, convert, recognise
from cardflow.linkgraph.steps import GraphBuilder, render_graph
from cardflow.linkgraph.view import Shown, show_graph
from cardflow.workflow import Step, StepCall, ValidationError

ACCEPT = ("csv", "csv.gz", "parquet")


def show_import(value: dict[str, Any]) -> Any:
    n = value.get("import") or {}
    note = P(f"{n.get('links', 0):,} links read from {n.get('rows', 0):,} rows"
             + (f" ({n['skipped_type']:,} rows of other types skipped)" if n.get("skipped_type") else "")
             + f"; {n.get('nofollow', 0):,} nofollow"
             + (" (left out)" if n.get("dropped_nofollow") else " (kept)")
             + (f"; status codes for {n['statuses']:,} pages." if n.get("statuses") else "; no status codes.")
             + (f" Click depth is counted from {n['start']}." if n.get("start") else
                " No home page links to anything, so click depths are unknown."),
             cls="muted") if n else None
    return Div(note, show_graph(value))


class ImportGraph(GraphBuilder):
    name = "import_graph"
    title = "Link graph from a file"
    order = 73
    description = ("Already crawled the site with another tool? Upload its edge list (Screaming Frog's "
                   "“All Inlinks” export, or any CSV or Parquet of links) and get the same graph and analyses.")
    prompt = ("The user is importing a link list exported by another crawler (such as Screaming Frog's All "
              "Inlinks): upload the file, confirm or map its columns (source, destination, status code, follow, "
              "anchor), then the graph is built and shown with its analyses.")
    key_help = "Any name, such as the site's address. Reuse a key to resume."

    # -- columns -------------------------------------------------------------------------------------
    def render_columns(self, call: StepCall) -> Any:
        columns: list[str] = list(call.values.get("edges", {}).get("columns", []))
        found = recognise(columns)
        chosen = {**found, **(call.data.get("mapping") or {})}
        missing = [r for r in ("source", "destination") if r not in chosen]
        message = P("The source and destination columns were not recognised from the headers: choose them below.",
                    cls="field-error", role="alert") if missing else \
            P("Recognised from the headers; change any that is wrong.", cls="muted")

        def select(role: str) -> Any:
            none = "(choose)" if role in ("source", "destination") else "(none)"
            opts = [Option(none, value="", selected=role not in chosen)]
            opts += [Option(c, value=c, selected=chosen.get(role) == c) for c in columns]
            return Label(LABELS[role], SelectTag(*opts, name=role, id=f"field-columns-{role}"))

        kept = bool(call.data.get("keep_nofollow", True))
        # A select, not a checkbox: an action caller that leaves it out gets the default (keep them).
        keep = Label("Nofollow links", SelectTag(Option("Keep them in the graph", value="keep", selected=kept),
                                                 Option("Leave them out", value="drop", selected=not kept),
                                                 name="nofollow", id="field-columns-nofollow"))
        return (message, Div(*[select(r) for r in ROLES], cls="grid column-map"), keep,
                Small(f"The file's columns: {', '.join(columns[:40])}.", cls="muted"))

    def submit_columns(self, call: StepCall) -> dict[str, Any]:
        upload = call.values.get("edges") or {}
        columns = list(upload.get("columns", []))
        form = call.form
        raw = {r: str(form.get(r) or "") for r in ROLES} if form is not None else {}
        try:
            mapping = check_mapping(raw, columns)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if not upload.get("rows"):
            raise ValidationError("The file has a header but no rows: there are no links to import.")
        choice = str(form.get("nofollow") or "keep") if form is not None else "keep"
        if choice not in ("keep", "drop"):
            raise ValidationError("Nofollow links: choose keep or drop.")
        keep = choice == "keep"
        text = f"{mapping['source']} → {mapping['destination']}" + "".join(
            f", {r}: {mapping[r]}" for r in ROLES[2:] if r in mapping) + ("" if keep else ", nofollow left out")
        return {"columns": text, "mapping": mapping, "keep_nofollow": keep}

    # -- build (a job) --------------------------------------------------------------------------------
    async def run_build(self, job: JobContext) -> dict[str, Any]:
        state = self.ctx.pipulate.read_state(job.key)
        step = self.require_step("edges")
        source = step.kind.relation(self, state, step)
        cols = state["columns"]
        await job.progress(2, "Reading the edge list…")
        import duckdb

        try:
            counts = await asyncio.to_thread(convert, source.sql, cols["mapping"], self.graph.folder(job.key),
                                             keep_nofollow=bool(cols.get("keep_nofollow", True)))
        except duckdb.Error as exc:  # a row far into the file that does not parse: a sentence, not a traceback
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise ValidationError(f"The edge list could not be read to the end: {first}") from None
        if counts.links == 0:
            raise ValidationError(f"None of the file's {counts.rows:,} rows is a link with both ends filled "
                                  "(only “Hyperlink” rows count when there is a type column).")
        result = await self.graph.ingest(job)
        return {"graph": {**result["graph"], "import": counts.to_dict()}}

    steps = [
        Step("edges", "Edge list", kind=Upload(accept=ACCEPT, max_mb=2048),
             help="A CSV, gzip CSV or Parquet file with one row per link, such as Screaming Frog's "
                  "Bulk Export › Links › All Inlinks."),
        Step("columns", "Columns", render=render_columns, submit=submit_columns,
             help="Which column holds what. Only the source and the destination are needed."),
        Step("graph", "Link graph", Shown(show=show_import), render=render_graph, job=run_build, resumable=True,
             message=lambda v: f"Link graph built: {v.get('nodes', 0):,} pages, {v.get('edges', 0):,} links."),
    ]
