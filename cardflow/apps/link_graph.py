"""Botify link graph: project → analysis → depth → export (a resumable job) → download → graph.

The cards and the download live here; the export job (two Botify exports, each created once, job
ids saved the moment Botify returns them, polling resumed after a restart) is the
:class:`~cardflow.apps._link_graph_export.BotifyExports` mixin. The graph step and the viewer are
shared with the crawl workflow (:mod:`cardflow.linkgraph.view`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fasthtml.common import Button, Div, Input, Label, Option, P, Select, Small, Table, Td, Th, Tr
from starlette.requests import Request

from cardflow.apps._link_graph_export import EXPORTS, NO_TOKEN, BotifyExports
from cardflow.apps.connect_botify import explain, read_token
from cardflow.botify.client import BotifyClient, parse_project_url, propose_depth
from cardflow.botify.download import DownloadError, download_export
from cardflow.botify.errors import BotifyError
from cardflow.botify.queries import MAX_DIRECT_DOWNLOAD_ROWS
from cardflow.linkgraph.view import GraphSteps, Shown, files_table, graph_step
from cardflow.ui.cards import Problem
from cardflow.workflow import Step, Url, ValidationError, Workflow


def show_export(v: dict[str, Any]) -> Any:
    return P(f"Botify export jobs {v.get('links_job')} (links) and {v.get('meta_job')} (page metadata) are done.")


def show_download(v: dict[str, Any]) -> Any:
    return files_table(v.get("graph", ""), v.get("files", []))


class LinkGraph(BotifyExports, GraphSteps, Workflow):
    name = "link_graph"
    title = "Botify link graph"
    order = 71
    description = ("Export a Botify crawl's internal links and page metadata, download them, and explore the "
                   "link graph. Connect with Botify first.")
    prompt = ("The user is building a site's link graph from a Botify crawl: project URL, analysis, depth, "
              "export, download, graph. Explain the steps briefly; never ask for the API token in the chat.")
    key_help = "Any name, e.g. the project and the month. Reuse a key to resume, even after a restart."
    steps = [
        Step("project", "Botify project", Url(required=True, placeholder="https://app.botify.com/your-org/your-project/"),
             help="Paste the project's address from app.botify.com: https://app.botify.com/{org}/{project}/"),
        Step("analysis", "Analysis", help="Successful crawls of the project, newest first."),
        Step("depth", "Depth", Shown(show=lambda v: f"Links from pages up to depth {v}"),
             message=lambda v: f"Botify link graph: depth {v} chosen.",
             help="How far from the start page to export links. The proposal is the deepest that fits one export."),
        Step("export", "Export from Botify", Shown(show=show_export), job="run_export", resumable=True,  # type: ignore[arg-type]
             message=lambda v: "Botify exports are done."),
        Step("download", "Download", Shown(show=show_download), job="run_download", resumable=True,  # type: ignore[arg-type]
             message=lambda v: "Botify exports downloaded."),
        graph_step(),
    ]

    def register_extra(self) -> None:
        self.routes["counts"] = self.route("/counts", ["post"])(self.counts)

    def client(self, **kw: Any) -> BotifyClient:
        """A client with the saved token (kept out of our frames' locals: tracebacks never show it)."""
        if read_token(self.ctx.settings) is None:
            raise ValidationError(NO_TOKEN)
        return BotifyClient(read_token(self.ctx.settings) or "", self.ctx.settings.botify_api,
                            backoff_base=self.backoff_base, **kw)

    # -- 1. project ------------------------------------------------------------------------
    async def submit_project(self, key: str, form: Any, values: dict[str, Any]) -> dict[str, Any]:
        try:
            org, project = parse_project_url(str(form.get("project") or ""))
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
    def render_analysis(self, key: str, values: dict[str, Any]) -> Any:
        items = self.ctx.pipulate.get_step_data(key, "project").get("analyses", [])
        if not items:
            return P("Botify lists no successful analysis for this project yet. Revert the project step to "
                     "choose another project, or come back when a crawl has finished.")
        options = [Option(f"{a['slug']} · {a['name']}" + (f" · finished {a['date']}" if a["date"] else ""),
                          value=a["slug"], selected=i == 0) for i, a in enumerate(items)]
        return (Label("Analysis", fr="field-analysis"), Select(*options, name="analysis", id="field-analysis"),
                Small(f"{len(items):,} successful analyses, newest first.", cls="muted"))

    def submit_analysis(self, key: str, form: Any, values: dict[str, Any]) -> dict[str, Any]:
        slug = str(form.get("analysis") or "")
        items = self.ctx.pipulate.get_step_data(key, "project").get("analyses", [])
        chosen = next((a for a in items if a["slug"] == slug), None)
        if chosen is None:
            raise ValidationError("Choose one of the listed analyses.")
        return {"analysis": slug, "name": chosen["name"], "date": chosen["date"]}

    # -- 3. depth --------------------------------------------------------------------------
    def render_depth(self, key: str, values: dict[str, Any]) -> Any:
        counts = self.ctx.pipulate.get_step_data(key, "analysis").get("counts")
        if counts:
            return self.depth_inputs({int(d): n for d, n in counts.items()})
        return Div(P("Asking Botify how many links each depth holds…", aria_busy="true"),
                   hx_post=self.url("counts", key=key), hx_trigger="load", hx_target="this", hx_swap="outerHTML",
                   cls="depth-counts")

    async def counts(self, req: Request) -> Any:
        key, problem = self._key_or_error(req)
        if problem is not None:
            return problem
        state = self.ctx.pipulate.read_state(key)
        project, analysis = state.get("project"), state.get("analysis")
        if not isinstance(project, dict) or not isinstance(analysis, dict):
            return Problem("Choose the project and the analysis first.")
        try:
            async with self.client() as bf:
                counts = await bf.edge_counts_by_depth(project["org"], project["slug"], analysis["analysis"])
        except ValidationError as exc:
            return Problem(str(exc))
        except BotifyError as err:
            return Div(P(explain(err, self.ctx.settings.botify_api), cls="field-error", role="alert"),
                       Button("Try again", type="button", hx_post=self.url("counts", key=key),
                              hx_target="closest .depth-counts", hx_swap="outerHTML"), cls="depth-counts")
        current = self.ctx.pipulate.get_step_data(key, "analysis")
        if current.get("analysis") == analysis["analysis"]:  # not reverted meanwhile
            self.ctx.pipulate.set_step_data(key, "analysis", {**current, "counts": {str(d): n for d, n in counts.items()}})
        return self.depth_inputs(counts)

    def depth_inputs(self, counts: dict[int, int]) -> Any:
        size = MAX_DIRECT_DOWNLOAD_ROWS
        proposed = propose_depth(counts, size)
        rows = [Tr(Td(str(d)), Td(f"{n:,}"), Td("← proposed" if d == proposed else ""))
                for d, n in sorted(counts.items())]
        return Div(
            Table(Tr(Th("Depth"), Th("Links from pages up to this depth"), Th("")), *rows),
            Label("Depth", fr="field-depth"),
            Select(*[Option(f"{d} · {n:,} links", value=str(d), selected=d == proposed)
                     for d, n in sorted(counts.items())], name="depth", id="field-depth"),
            Label("Export size (rows, at most 1,000,000)", fr="field-export-size"),
            Input(type="number", name="export_size", id="field-export-size", value=str(size), min="1", max=str(size)),
            Small(f"Proposed: depth {proposed}, the deepest whose links fit in one export of {size:,} rows.",
                  cls="muted"),
            cls="depth-counts")

    def submit_depth(self, key: str, form: Any, values: dict[str, Any]) -> dict[str, Any]:
        counts = {int(d): n for d, n in self.ctx.pipulate.get_step_data(key, "analysis").get("counts", {}).items()}
        if not counts:
            raise ValidationError("Wait for the link counts to load, or reload the page.")
        depth, size = str(form.get("depth") or ""), str(form.get("export_size") or str(MAX_DIRECT_DOWNLOAD_ROWS))
        if not (depth.isascii() and depth.isdigit()) or int(depth) not in counts:
            raise ValidationError("Choose one of the listed depths.")
        size = size.strip()
        if not (size.isascii() and size.isdigit()) or len(size) > 9 or not 1 <= int(size) <= MAX_DIRECT_DOWNLOAD_ROWS:
            raise ValidationError("The export size is a whole number from 1 to 1,000,000.")
        d = int(depth)
        return {"depth": d, "edges": counts[d], "export_size": int(size), "truncated": counts[d] > int(size)}

    # -- 4. export (a resumable job) -----------------------------------------------------------
    def render_export(self, key: str, values: dict[str, Any]) -> Any:
        state = self.ctx.pipulate.read_state(key)
        p, a, d = state.get("project", {}), state.get("analysis", {}), state.get("depth", {})
        return P(f"Starts two Botify exports from {p.get('org')}/{p.get('slug')}, analysis {a.get('analysis')}: "
                 f"the links from pages up to depth {d.get('depth')} (about {d.get('edges', 0):,} rows) and those "
                 "pages' metadata. You may close the page or restart Cardflow meanwhile: polling picks up the "
                 "same Botify jobs.", cls="muted")

    # -- 5. download (a job) ---------------------------------------------------------------
    def render_download(self, key: str, values: dict[str, Any]) -> Any:
        return self.auto_start(key, "download", "Downloads both exports (straight from Botify's file host, "
                               "without your token) into your data dir.")

    async def run_download(self, ctx: Any) -> dict[str, Any]:
        export = self.ctx.pipulate.get_step_data(ctx.key, "export").get("export") or {}
        gid, folder = self.graph_key_id(ctx.key), self.graph_dir(ctx.key)
        files: list[dict[str, Any]] = []
        for i, (kind, label, name) in enumerate(EXPORTS):
            seen = {"done": 0, "total": None}
            # download_export decompresses synchronously: run it on its own loop in a worker thread, so
            # a big export never blocks the server; progress comes back through `seen`.
            work = asyncio.ensure_future(asyncio.to_thread(asyncio.run, download_export(
                export.get(f"{kind}_url", ""), folder / name, on_progress=lambda d, t, s=seen: s.update(done=d, total=t))))
            while not work.done():
                await asyncio.wait({work}, timeout=0.5)
                share = seen["done"] / seen["total"] if seen["total"] else 0.5
                await ctx.progress(50 * (i + share), f"Downloading the {label}: {seen['done']:,} bytes", persist=False)
            try:
                result = work.result()
            except (DownloadError, ValueError) as exc:
                raise RuntimeError(f"The {label} download failed: {exc}. If the link expired, revert the export "
                                   "step to make a fresh export.") from None
            files.append({"name": name, "label": label, "rows": result.rows, "bytes": result.csv_bytes,
                          "received": result.bytes, "compression": result.compression})
            await ctx.progress(50 * (i + 1), f"Saved {name}: {result.rows:,} rows.", log=f"{name}: {result.rows:,} rows")
        return {"download": {"graph": gid, "files": files}}
