"""Botify link graph: project → analysis → depth → export (a resumable job) → download → graph.

The cards and the download live here. The workflow holds two helpers: ``self.exports``, the
export job (two Botify exports, each created once, job ids saved the moment Botify returns them,
polling resumed after a restart; :class:`~cardflow.apps._link_graph_export.BotifyExports`), and
``self.graph``, the run's files and the graph step it shares with the crawl workflow
(:class:`~cardflow.linkgraph.steps.GraphFiles`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fasthtml.common import Button, Div, Input, Label, Option, P, Select, Small, Strong, Table, Td, Th, Tr
from starlette.datastructures import FormData
from starlette.requests import Request

from cardflow.apps._link_graph_export import EXPORTS, NO_TOKEN, BotifyExports
from cardflow.apps.connect_botify import explain, read_token
from cardflow.botify.client import BotifyClient, parse_project_url, propose_depth
from cardflow.botify.credits import credits_text, estimate
from cardflow.botify.download import DownloadError, DownloadResult, download_export
from cardflow.botify.errors import BotifyError
from cardflow.botify.queries import metadata_columns
from cardflow.errors import Problem
from cardflow.jobs import JobContext
from cardflow.linkgraph.steps import GraphBuilder, graph_step
from cardflow.linkgraph.view import Shown, files_table
from cardflow.plugins import Context
from cardflow.workflow import Step, StepCall, Url, ValidationError


def show_export(v: dict[str, Any]) -> Any:
    segments = ", ".join(v.get("segments") or []) or "none"
    return P(f"Botify export jobs {v.get('links_job')} (links) and {v.get('meta_job')} (page metadata) are done. "
             f"Segments exported: {segments}.")


def show_download(v: dict[str, Any]) -> Any:
    return files_table(v.get("graph", ""), v.get("files", []))


class LinkGraph(GraphBuilder):
    name = "link_graph"
    title = "Botify link graph"
    order = 71
    description = ("Export a Botify crawl's internal links and page metadata, download them, and explore the "
                   "link graph. Connect with Botify first.")
    prompt = ("The user is building a site's link graph from a Botify crawl: project URL, analysis, depth, "
              "export, download, graph. Explain the steps briefly; never ask for the API token in the chat.")
    key_help = "Any name, e.g. the project and the month. Reuse a key to resume, even after a restart."
    poll_interval = 2.0  # first pause between polls of an export, in seconds; it grows 1.5x up to poll_max
    poll_max = 30.0
    export_deadline = 6 * 3600.0
    backoff_base = 0.5  # the client's retry backoff, for reads and for a refused (429) create
    request_timeout = 30.0  # seconds per Botify request; a create that outlives it may exist (looked up)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.exports = BotifyExports(self)

    def register_extra(self) -> None:
        self.routes["counts"] = self.route("/counts", ["post"])(self.counts)

    def client(self, **kw: Any) -> BotifyClient:
        """A client with the saved token (kept out of our frames' locals: tracebacks never show it)."""
        if read_token(self.ctx.settings) is None:
            raise ValidationError(NO_TOKEN)
        kw.setdefault("timeout", self.request_timeout)
        return BotifyClient(read_token(self.ctx.settings) or "", self.ctx.settings.botify_api,
                            backoff_base=self.backoff_base, max_export_rows=self.max_rows, **kw)

    @property
    def max_rows(self) -> int:
        """Rows per export: Botify's direct-download cap for this account (``CARDFLOW_BOTIFY_MAX_ROWS``)."""
        return self.ctx.settings.botify_max_rows

    # -- 1. project ------------------------------------------------------------------------
    async def submit_project(self, call: StepCall) -> dict[str, Any]:
        try:
            org, project = parse_project_url(str((call.form or FormData()).get("project") or ""))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        client = self.client(max_retries=3)
        try:
            async with client as bf:
                analyses = await bf.analyses(org, project)
        except BotifyError as err:
            raise ValidationError(explain(err, self.ctx.settings.botify_api, f"the project {org}/{project}")) from None
        items = [{"slug": a["slug"], "name": str(a.get("name") or a["slug"]),
                  "date": str(a.get("date_finished") or a.get("date_created") or "")[:16].replace("T", " ")}
                 for a in analyses]
        return {"project": f"https://app.botify.com/{org}/{project}/", "org": org, "slug": project, "analyses": items}

    # -- 2. analysis -----------------------------------------------------------------------
    def render_analysis(self, call: StepCall) -> Any:
        items = (call.state.get("project") or {}).get("analyses", [])
        if not items:
            return P("Botify lists no successful analysis for this project yet. Revert the project step to "
                     "choose another project, or come back when a crawl has finished.")
        options = [Option(f"{a['slug']} · {a['name']}" + (f" · finished {a['date']}" if a["date"] else ""),
                          value=a["slug"], selected=i == 0) for i, a in enumerate(items)]
        return (Label("Analysis", fr="field-analysis"), Select(*options, name="analysis", id="field-analysis"),
                Small(f"{len(items):,} successful analyses, newest first.", cls="muted"))

    async def submit_analysis(self, call: StepCall) -> dict[str, Any]:
        slug = str((call.form or FormData()).get("analysis") or "")
        project = call.state.get("project") or {}
        chosen = next((a for a in project.get("analyses", []) if a["slug"] == slug), None)
        if chosen is None:
            raise ValidationError("Choose one of the listed analyses.")
        # The segments are the project's own (none, or any names): the metadata export asks for
        # exactly those fields, and the graph can colour by them later.
        try:
            async with self.client(max_retries=3) as bf:
                segments = await bf.segments(project["org"], project["slug"], slug)
        except BotifyError as err:
            raise ValidationError(explain(err, self.ctx.settings.botify_api, f"the analysis {slug}")) from None
        return {"analysis": slug, "name": chosen["name"], "date": chosen["date"], "segments": segments}

    # -- 3. depth --------------------------------------------------------------------------
    def render_depth(self, call: StepCall) -> Any:
        saved = call.state.get("analysis") or {}
        counts, pages = saved.get("counts"), saved.get("pages")
        if counts and pages is not None:
            return self.depth_inputs({int(d): n for d, n in counts.items()}, {int(d): n for d, n in pages.items()})
        return Div(P("Asking Botify how many links each depth holds…", aria_busy="true"),
                   hx_post=self.url("counts", key=call.key), hx_trigger="load", hx_target="this", hx_swap="outerHTML",
                   cls="depth-counts")

    async def counts(self, req: Request) -> Any:
        key = self.open_key(req.query_params.get("key"))
        state = self.ctx.pipulate.read_state(key)
        project, analysis = state.get("project"), state.get("analysis")
        if not isinstance(project, dict) or not isinstance(analysis, dict):
            raise Problem("Choose the project and the analysis first.")
        try:  # no token: the client raises a ValidationError, shown as the fragment in its place
            async with self.client() as bf:
                counts = await bf.edge_counts_by_depth(project["org"], project["slug"], analysis["analysis"])
                pages = await bf.page_counts_by_depth(project["org"], project["slug"], analysis["analysis"],
                                                      max(counts))
        except BotifyError as err:
            return Div(P(explain(err, self.ctx.settings.botify_api), cls="field-error", role="alert"),
                       Button("Try again", type="button", hx_post=self.url("counts", key=key),
                              hx_target="closest .depth-counts", hx_swap="outerHTML"), cls="depth-counts")
        current = self.ctx.pipulate.get_step_data(key, "analysis")
        if current.get("analysis") == analysis["analysis"]:  # not reverted meanwhile
            self.ctx.pipulate.set_step_data(key, "analysis", {**current, "counts": {str(d): n for d, n in counts.items()},
                                                              "pages": {str(d): n for d, n in pages.items()}})
        return self.depth_inputs(counts, pages)

    def depth_inputs(self, counts: dict[int, int], pages: dict[int, int]) -> Any:
        size = self.max_rows
        proposed = propose_depth(counts, size)
        rows = [Tr(Td(str(d)), Td(f"{n:,}"), Td(f"{pages.get(d, 0):,}"),
                   Td(credits_text(estimate(n, pages.get(d), size).total)), Td("← proposed" if d == proposed else ""))
                for d, n in sorted(counts.items())]
        return Div(
            Table(Tr(Th("Depth"), Th("Links from pages up to this depth"), Th("Pages (HTTP 200)"),
                     Th(f"Credits at {size:,} rows"), Th("")), *rows),
            Label("Depth", fr="field-depth"),
            Select(*[Option(f"{d} · {n:,} links", value=str(d), selected=d == proposed)
                     for d, n in sorted(counts.items())], name="depth", id="field-depth"),
            Label(f"Export size (rows, at most {size:,})", fr="field-export-size"),
            Input(type="number", name="export_size", id="field-export-size", value=str(size), min="1", max=str(size)),
            Small(f"Proposed: depth {proposed}, the deepest whose links fit in one export of {size:,} rows. "
                  "Botify charges export credits: 0.1 per link row and 1 per page row, each export capped at "
                  "the export size. The next step shows the estimate for your choice before anything starts.",
                  cls="muted"),
            cls="depth-counts")

    def submit_depth(self, call: StepCall) -> dict[str, Any]:
        form = call.form or FormData()
        counts = {int(d): n for d, n in (call.state.get("analysis") or {}).get("counts", {}).items()}
        if not counts:
            raise ValidationError("Wait for the link counts to load, or reload the page.")
        cap = self.max_rows
        depth, size = str(form.get("depth") or ""), str(form.get("export_size") or str(cap))
        if not (depth.isascii() and depth.isdigit()) or int(depth) not in counts:
            raise ValidationError("Choose one of the listed depths.")
        size = size.strip()
        if not (size.isascii() and size.isdigit()) or len(size) > 10 or not 1 <= int(size) <= cap:
            raise ValidationError(f"The export size is a whole number from 1 to {cap:,}.")
        d, rows = int(depth), int(size)
        pages = (call.state.get("analysis") or {}).get("pages") or {}
        page_count = pages.get(str(d))
        cost = estimate(counts[d], page_count, rows)
        return {"depth": d, "edges": counts[d], "export_size": rows, "truncated": counts[d] > rows,
                "pages": page_count, "credits": round(cost.total, 1)}

    # -- 4. export (a resumable job) -----------------------------------------------------------
    def render_export(self, call: StepCall) -> Any:
        state = call.state
        p, a, d = state.get("project", {}), state.get("analysis", {}), state.get("depth", {})
        cost = estimate(int(d.get("edges") or 0), d.get("pages"), int(d.get("export_size") or self.max_rows))
        segments = a.get("segments")
        fields = ("segments: " + ", ".join(segments)) if segments else "no segments (the project has none)"
        return (P(f"Starts two Botify exports from {p.get('org')}/{p.get('slug')}, analysis {a.get('analysis')}: "
                  f"the links from pages up to depth {d.get('depth')} (about {d.get('edges', 0):,} rows) and those "
                  f"pages' metadata with {fields}. You may close the page or restart Cardflow meanwhile: polling "
                  "picks up the same Botify jobs, and an export already running or just made is reused.", cls="muted"),
                P(Strong(f"Cost: {cost.describe()}."), cls="export-credits"))

    async def run_export(self, job: JobContext) -> dict[str, Any]:
        return await self.exports.run(job)

    # -- 5. download (a job) ---------------------------------------------------------------
    def render_download(self, call: StepCall) -> Any:
        return self.graph.auto_start(call.key, "download", "Downloads both exports (straight from Botify's file "
                                     "host, without your token) into your data dir.")

    async def run_download(self, job: JobContext) -> dict[str, Any]:
        export = self.ctx.pipulate.get_step_data(job.key, "export").get("export") or {}
        # The metadata's columns depend on the project's segments: saved in the order the ingest reads.
        # An export made before segments were read has pagetype in place already: it is copied as is.
        shapes = {"links": None, "meta": metadata_columns(export["segments"]) if "segments" in export else None}
        gid, folder = self.graph.key_id(job.key), self.graph.folder(job.key)
        files: list[dict[str, Any]] = []
        for i, (kind, label, name) in enumerate(EXPORTS):
            seen = _Received()
            # download_export decompresses synchronously: run it on its own loop in a worker thread, so
            # a big export never blocks the server; progress comes back through `seen`.
            work = asyncio.ensure_future(asyncio.to_thread(asyncio.run, download_export(
                export.get(f"{kind}_url", ""), folder / name, on_progress=seen.update, columns=shapes[kind])))
            while not work.done():
                await asyncio.wait({work}, timeout=0.5)
                await job.progress(50 * (i + seen.share()), f"Downloading the {label}: {seen.done:,} bytes",
                                   persist=False)
            try:
                result: DownloadResult = work.result()
            except (DownloadError, ValueError) as exc:
                raise Problem(f"The {label} download failed: {exc}. If the link expired, revert the export "
                              "step to make a fresh export.") from None
            files.append({"name": name, "label": label, "rows": result.rows, "bytes": result.csv_bytes,
                          "received": result.bytes, "compression": result.compression})
            await job.progress(50 * (i + 1), f"Saved {name}: {result.rows:,} rows.", log=f"{name}: {result.rows:,} rows")
        return {"download": {"graph": gid, "files": files}}

    steps = [
        Step("project", "Botify project", Url(required=True, placeholder="https://app.botify.com/your-org/your-project/"),
             help="Paste the project's address from app.botify.com: https://app.botify.com/{org}/{project}/",
             submit=submit_project),
        Step("analysis", "Analysis", help="Successful crawls of the project, newest first.",
             render=render_analysis, submit=submit_analysis),
        Step("depth", "Depth", Shown(show=lambda v: f"Links from pages up to depth {v}"),
             message=lambda v: f"Botify link graph: depth {v} chosen.",
             help="How far from the start page to export links. The proposal is the deepest that fits one export.",
             render=render_depth, submit=submit_depth),
        Step("export", "Export from Botify", Shown(show=show_export), render=render_export, job=run_export,
             resumable=True, message=lambda v: "Botify exports are done."),
        Step("download", "Download", Shown(show=show_download), render=render_download, job=run_download,
             resumable=True, message=lambda v: "Botify exports downloaded."),
        graph_step(),
    ]


class _Received:
    """A download's progress, written by the worker thread and read by the job's loop."""

    def __init__(self) -> None:
        self.done = 0
        self.total: int | None = None

    def update(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total

    def share(self) -> float:
        return self.done / self.total if self.total else 0.5
