"""A small, polite crawler for users without Botify.

It crawls only the site the user named and writes the same two CSVs as Botify's exports
(:data:`EDGES_HEADER` and :data:`METADATA_HEADER`, also exported by ``ingest``), so the
rest of the link-graph feature cannot tell the two sources apart. pagetype is the first path
segment (``home`` for ``/``); compliant is ``true`` for a 200 HTML page, else ``false``.

Rules, in the order they apply:

- **Scope.** Only ``http``/``https``. With ``same_host`` (the default) only the start URL's host
  (scheme and port may differ). Links to other hosts are counted (``external_links``) but are
  neither fetched nor written as edges: like Botify's ``outlinks_internal``, the edges file holds
  internal links only.
- **robots.txt** is fetched once per host before any page of it. 2xx: obeyed, including
  ``Crawl-delay`` / ``Request-rate`` (capped at :data:`MAX_CRAWL_DELAY` seconds). 4xx: allow all.
  5xx or no answer: disallow all (RFC 9309 §2.3.1.4). Disallowed URLs keep their edges but are
  never requested; they are listed in ``CrawlResult.disallowed``.
- **Order and bounds.** Breadth first, one depth level at a time, in discovery order, so the
  page set is deterministic. ``max_depth`` bounds link distance from the start page (the start
  page is depth 0); ``max_pages`` bounds the pages recorded in the metadata. Links from pages at
  ``max_depth`` are still recorded as edges; their targets are not fetched.
- **Redirects** are followed by hand (at most :data:`MAX_REDIRECTS` hops) so that each hop is
  checked against the scope and robots.txt. The page is recorded under its final URL, at the
  depth of the link that led to it, and edges are rewritten to point at the final URL. A hop
  that lands on a URL already known stops there (no page is fetched twice; redirect loops end).
- **Responses.** Every final status (200, 404, 500, ...) is recorded in the metadata. Only
  ``text/html`` and ``application/xhtml+xml`` bodies are read (at most
  :data:`MAX_HTML_BYTES`) and parsed, with the stdlib ``html.parser``: ``<a href>``, ``<title>``,
  ``<meta name=description>``, ``<base href>`` and ``<meta name=robots>``. Links are taken
  only from 2xx pages (an error page's links are not the site's); its title is still kept.
  A network error or timeout is recorded as ``http_code`` 0.
- **nofollow.** A link with ``rel=nofollow`` (or every link of a page carrying
  ``<meta name=robots content=nofollow>``) is recorded as an edge but not followed, i.e. its
  target is fetched only if some followed link also reaches it. The pairs are kept in
  ``CrawlResult.nofollow``.
- **URLs** are normalised before comparison: resolved against the page (or ``<base>``),
  fragment dropped, scheme and host lowercased, default port dropped, dot segments removed,
  empty path made ``/``; the query string is kept as is.
- **Concurrency.** At most ``concurrency`` requests are in flight (an ``asyncio.Semaphore``
  around every request, robots.txt included). With a crawl delay, requests to that host also
  start at least that many seconds apart.
- **Timeouts.** ``timeout`` bounds each network step (connect, each read); a whole request,
  body included, is cut off at ``REQUEST_DEADLINE_FACTOR`` times that. A timed-out page is
  recorded with ``http_code`` 0 and the error.
- **Progress and cancellation.** ``on_progress(done, total_known, message)`` is called after
  every page and once at the end (message ``done`` or ``cancelled``); it may be a plain
  function or a coroutine function, and an exception it raises ends the crawl. ``total_known``
  is the number of URLs found so far that the crawl means to fetch, capped at ``max_pages``.
  When ``cancel_event`` is set, in-flight requests are cancelled and ``crawl`` returns the
  partial result with ``cancelled=True``.
- **Scope of same_host=False.** Then any http(s) host linked from the pages is in scope, each
  with its own robots.txt and crawl delay; ``max_pages`` and ``max_depth`` still bound it.
- **Orphans** (pages no link reaches) are invisible to a crawl. With ``sitemap=True`` (the
  workflow's default; off here so that a bare crawl requests only what its links lead to) the
  crawler reads the start host's sitemaps (robots.txt's ``Sitemap:`` lines, else
  ``/sitemap.xml``; an index's children too) once the walk is done; ``listed_urls`` adds the
  user's own list. Listed, in-scope addresses that no crawled link points to are fetched (at most
  ``max_pages`` more, robots.txt obeyed), recorded with no depth (``unlinked``), and so counted as
  orphans by the ingest. Their links are recorded but not followed.
- **The start URL** may redirect to another host (``example.com`` -> ``www.example.com``);
  the crawl then stays on that host.

This module is the entry point (:func:`crawl`) and re-exports the names callers use. The parts:
:mod:`~cardflow.linkgraph.urls` (normalisation, pagetype), :mod:`~cardflow.linkgraph.htmlparse`
(links, title, description), :mod:`~cardflow.linkgraph.robots` (robots.txt, Crawl-delay),
:mod:`~cardflow.linkgraph.result` (``Page``, ``CrawlResult``, the CSVs) and
:mod:`~cardflow.linkgraph.crawler` (the breadth-first crawl itself).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import httpx

# Everything below is re-exported so that ``from cardflow.linkgraph.crawl import X`` keeps
# working for every name this module used to define.
from cardflow.linkgraph.crawler import (
    REDIRECT_CODES,
    REQUEST_DEADLINE_FACTOR,
    Crawler,
    ProgressCallback,
)
from cardflow.linkgraph.htmlparse import HTML_TYPES, MAX_HTML_BYTES
from cardflow.linkgraph.result import (
    EDGES_HEADER,
    MAX_REDIRECTS,
    METADATA_HEADER,
    CrawlResult,
    Page,
)
from cardflow.linkgraph.robots import MAX_CRAWL_DELAY, MAX_ROBOTS_BYTES
from cardflow.linkgraph.urls import DEFAULT_PORTS, host_of, normalize_url, pagetype_of

__all__ = [
    "DEFAULT_PORTS",
    "EDGES_HEADER",
    "HTML_TYPES",
    "MAX_CRAWL_DELAY",
    "MAX_HTML_BYTES",
    "MAX_REDIRECTS",
    "MAX_ROBOTS_BYTES",
    "METADATA_HEADER",
    "REDIRECT_CODES",
    "REQUEST_DEADLINE_FACTOR",
    "CrawlResult",
    "Page",
    "ProgressCallback",
    "crawl",
    "host_of",
    "normalize_url",
    "pagetype_of",
]


async def crawl(
    start_url: str,
    *,
    max_pages: int = 500,
    max_depth: int = 3,
    same_host: bool = True,
    concurrency: int = 4,
    timeout: float = 10.0,
    user_agent: str = "Cardflow/0.1 (+local)",
    on_progress: ProgressCallback | None = None,
    cancel_event: asyncio.Event | None = None,
    listed_urls: Sequence[str] = (),
    sitemap: bool = False,
) -> CrawlResult:
    """Crawl from ``start_url`` (see the module docstring for the rules) and return the pages
    and links found. Call ``.write(directory)`` on the result for the two CSVs."""
    start = normalize_url(start_url)
    if start is None:
        raise ValueError(f"not an http(s) URL: {start_url!r}")
    if max_pages < 1 or max_depth < 0 or concurrency < 1:
        raise ValueError("max_pages and concurrency must be >= 1, max_depth >= 0")
    crawler = Crawler(
        start,
        max_pages=max_pages,
        max_depth=max_depth,
        same_host=same_host,
        concurrency=concurrency,
        timeout=timeout,
        user_agent=user_agent,
        on_progress=on_progress,
        # Read from this module at call time, so patching ``crawl.MAX_CRAWL_DELAY`` takes effect.
        max_crawl_delay=MAX_CRAWL_DELAY,
        listed_urls=listed_urls,
        sitemap=sitemap,
    )
    t0 = time.monotonic()
    async with httpx.AsyncClient(
        headers={"User-Agent": user_agent},
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
    ) as client:
        job = asyncio.ensure_future(crawler.run(client))
        waiter = asyncio.ensure_future(cancel_event.wait()) if cancel_event is not None else None
        try:
            await asyncio.wait({job, waiter} if waiter else {job}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also runs when our caller cancels us: never leave the crawl running
            if waiter is not None:
                waiter.cancel()
            if not job.done():
                job.cancel()
                crawler.result.cancelled = True
                await asyncio.gather(job, return_exceptions=True)
        failure = None if job.cancelled() else job.exception()
        if failure is not None:
            raise failure
    res = crawler.result
    res.elapsed = time.monotonic() - t0
    if res.cancelled:
        await crawler.progress("cancelled")
    else:
        await crawler.progress("done")
    return res
