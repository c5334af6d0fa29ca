"""Link graph from a crawl: for users without Botify, Cardflow crawls the site itself.

Start URL → limits (max pages, max depth, same host only) → a crawl job with live progress (the
crawler obeys robots.txt, bounds depth, page count and concurrency) → the same ``edges.csv`` and
``metadata.csv`` a Botify export gives → the same graph view.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fasthtml.common import Div, Input, Label, P, Small, Textarea
from starlette.datastructures import FormData

from cardflow.jobs import JobContext
from cardflow.linkgraph.crawl import crawl, normalize_url
from cardflow.linkgraph.steps import GraphBuilder, graph_step
from cardflow.linkgraph.view import Shown, files_table
from cardflow.workflow import Step, StepCall, Url, ValidationError

MAX_PAGES, MAX_DEPTH = 20_000, 20
MAX_LISTED_INPUT = 10_000  # addresses the user may list for the orphan check
DEFAULTS: dict[str, Any] = {"max_pages": 500, "max_depth": 3, "same_host": True, "sitemap": True, "urls": []}


def show_crawl(v: dict[str, Any]) -> Any:
    listed = None
    if "listed" in v:  # runs from before the orphan check have no such keys
        listed = P(f"{v['listed']:,} addresses listed (sitemap.xml and your list); {v.get('unlinked', 0):,} of them "
                   "were reached by no link, so they were fetched on their own and count as orphans."
                   + (f" {v['listed_skipped']:,} more were not fetched (over the page limit)."
                      if v.get("listed_skipped") else ""), cls="muted")
    return Div(P(f"{v.get('pages', 0):,} pages and {v.get('edges', 0):,} links in {v.get('seconds', 0):.1f} s; "
                 f"{v.get('disallowed', 0):,} addresses skipped for robots.txt."), listed,
               files_table(v.get("graph", ""), v.get("files", [])))


def _listed(raw: Any) -> list[str]:
    """The optional address list, one a line: each must be an http(s) address."""
    urls: list[str] = []
    for n, line in enumerate(str(raw or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if normalize_url(line) is None:
            raise ValidationError(f"Line {n} is not an http:// or https:// address: {line[:80]}")
        urls.append(line)
    if len(urls) > MAX_LISTED_INPUT:
        raise ValidationError(f"List at most {MAX_LISTED_INPUT:,} addresses.")
    return list(dict.fromkeys(urls))


def _whole(raw: Any, label: str, low: int, high: int) -> int:
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or not low <= int(text) <= high:
        raise ValidationError(f"{label} is a whole number from {low:,} to {high:,}.")
    return int(text)


class CrawlGraph(GraphBuilder):
    name = "crawl_graph"
    title = "Link graph from a crawl"
    order = 72
    description = ("No Botify account? Name a site: Cardflow crawls it politely (robots.txt, bounded depth and "
                   "page count) and shows the same link graph.")
    prompt = ("The user is crawling a site to see its internal link graph: start URL, limits, crawl, graph. "
              "The crawler obeys robots.txt and stays within the limits.")
    key_help = "Any name, such as the site's address. Reuse a key to resume."
    concurrency = 4

    # -- limits ------------------------------------------------------------------------------
    def render_limits(self, call: StepCall) -> Any:
        saved = {**DEFAULTS, **call.data}
        numbers = Div(
            Label("Max pages", Input(type="number", name="max_pages", id="field-max-pages", min="1",
                                     max=str(MAX_PAGES), value=str(saved["max_pages"]), required=True)),
            Label("Max depth (clicks from the start page)",
                  Input(type="number", name="max_depth", id="field-max-depth", min="0", max=str(MAX_DEPTH),
                        value=str(saved["max_depth"]), required=True)),
            cls="grid")
        same = Label(Input(type="checkbox", name="same_host", id="field-same-host", value="on",
                           checked=bool(saved["same_host"])), "Only pages on the start URL's host")
        # A crawl only follows links: orphans are found only among addresses it is told about.
        sitemap = Label(Input(type="checkbox", name="sitemap", id="field-sitemap", value="on",
                              checked=bool(saved["sitemap"])), "Read the site's sitemap.xml to find orphans")
        listed = Label("Addresses to check for orphans (optional, one a line)",
                       Textarea("\n".join(saved["urls"]), name="urls", id="field-urls", rows="3",
                                placeholder="https://www.example.com/landing-page"),
                       Small("A crawl follows links, so it cannot find pages that nothing links to (orphans). "
                             "Listed addresses (sitemap.xml and these) that no link reaches are fetched on their "
                             "own and reported as orphans.", cls="muted"))
        return numbers, same, sitemap, listed

    def submit_limits(self, call: StepCall) -> dict[str, Any]:
        form = call.form or FormData()
        pages = _whole(form.get("max_pages"), "Max pages", 1, MAX_PAGES)
        depth = _whole(form.get("max_depth"), "Max depth", 0, MAX_DEPTH)
        same = str(form.get("same_host") or "").lower() in ("on", "true", "1", "yes")
        sitemap = str(form.get("sitemap") or "").lower() in ("on", "true", "1", "yes")
        urls = _listed(form.get("urls"))
        text = (f"Up to {pages:,} pages, depth {depth}" + (", start host only" if same else ", any host")
                + (", sitemap.xml read" if sitemap else "") + (f", {len(urls):,} listed addresses" if urls else ""))
        return {"limits": text, "max_pages": pages, "max_depth": depth, "same_host": same, "sitemap": sitemap,
                "urls": urls}

    # -- crawl (a job) -----------------------------------------------------------------------
    def render_crawl(self, call: StepCall) -> Any:
        return Small(f"Crawls {call.values.get('start_url', '')} ({call.values.get('limits', '')}), at most "
                     f"{self.concurrency} requests at a time, obeying robots.txt.", cls="muted")

    async def run_crawl(self, job: JobContext) -> dict[str, Any]:
        state = self.ctx.pipulate.read_state(job.key)
        start, limits = state["start_url"]["start_url"], state["limits"]
        last = [0.0]

        async def report(done: int, total: int, message: str) -> None:
            now = time.monotonic()
            final = message in ("done", "cancelled")
            if final or now - last[0] >= 0.3:
                last[0] = now
                pct = 95 * done / max(total, 1)
                await job.progress(pct, f"{done:,} of {total:,} pages found so far", persist=final or done % 20 == 0,
                                   log=message if message not in ("done", "cancelled") and done % 25 == 0 else None)

        result = await crawl(start, max_pages=limits["max_pages"], max_depth=limits["max_depth"],
                             same_host=limits["same_host"], concurrency=self.concurrency, on_progress=report,
                             sitemap=limits.get("sitemap", False), listed_urls=limits.get("urls", []))
        folder = self.graph.folder(job.key)
        edges_path, meta_path = await asyncio.to_thread(result.write, folder)
        edges = len(result.edges)
        files = [{"name": edges_path.name, "label": "links", "rows": edges, "bytes": edges_path.stat().st_size},
                 {"name": meta_path.name, "label": "page metadata", "rows": len(result.pages),
                  "bytes": meta_path.stat().st_size}]
        await job.progress(100, f"{len(result.pages):,} pages, {edges:,} links.")
        return {"crawl": {"graph": self.graph.key_id(job.key), "pages": len(result.pages), "edges": edges,
                          "disallowed": len(result.disallowed), "requests": result.requests,
                          "listed": len(result.listed), "unlinked": len(result.unlinked),
                          "listed_skipped": result.listed_skipped,
                          "seconds": round(result.elapsed, 1), "files": files}}

    steps = [
        Step("start_url", "Start URL", Url(required=True, placeholder="https://www.example.com/"),
             help="The crawl starts here and follows the links it finds."),
        Step("limits", "Limits", help="The crawl stops at whichever limit it reaches first.",
             render=render_limits, submit=submit_limits),
        Step("crawl", "Crawl", Shown(show=show_crawl), render=render_crawl, job=run_crawl,
             message=lambda v: f"Crawl done: {v.get('pages', 0):,} pages, {v.get('edges', 0):,} links."),
        graph_step(),
    ]
