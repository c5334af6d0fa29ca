"""The crawl engine behind :func:`cardflow.linkgraph.crawl.crawl`: scope, robots.txt checks,
requests with redirects followed by hand, link extraction and the breadth-first walk.

The rules it follows are listed in :mod:`cardflow.linkgraph.crawl`; this module holds the
mechanics. One :class:`Crawler` runs one crawl and fills one :class:`CrawlResult`.
"""

from __future__ import annotations

import asyncio
import inspect
import urllib.robotparser
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import httpx

from cardflow.linkgraph.htmlparse import MAX_HTML_BYTES, PageParser, is_html_type
from cardflow.linkgraph.result import MAX_REDIRECTS, CrawlResult, Page
from cardflow.linkgraph.robots import (
    MAX_CRAWL_DELAY,
    MAX_SITEMAP_BYTES,
    Host,
    parse_robots,
    parse_sitemap,
    robots_url_for,
    sitemap_url_for,
)
from cardflow.linkgraph.urls import host_of, normalize_url

REQUEST_DEADLINE_FACTOR = 3  # `timeout` bounds each network step; a whole request gets 3x that
REDIRECT_CODES = (301, 302, 303, 307, 308)
MAX_SITEMAPS = 20  # sitemap files read per crawl, an index's children included
MAX_LISTED = 50_000  # listed addresses considered (the protocol's limit for one sitemap file)

ProgressCallback = Callable[[int, int, str], object]


class Crawler:
    def __init__(
        self,
        start_url: str,
        *,
        max_pages: int,
        max_depth: int,
        same_host: bool,
        concurrency: int,
        timeout: float,
        user_agent: str,
        on_progress: ProgressCallback | None,
        max_crawl_delay: float = MAX_CRAWL_DELAY,
        listed_urls: Sequence[str] = (),
        sitemap: bool = False,
    ) -> None:
        self.start_url = start_url
        self.start_host = host_of(start_url)
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.same_host = same_host
        self.concurrency = concurrency
        self.timeout = timeout
        self.user_agent = user_agent
        self.on_progress = on_progress
        self.max_crawl_delay = max_crawl_delay
        self.sem = asyncio.Semaphore(concurrency)
        self.hosts: dict[str, Host] = {}
        self.seen: set[str] = set()  # every URL queued, fetched or reached by a redirect
        self.reserved = 0  # pages fetched or being fetched, against max_pages
        self.result = CrawlResult(start_url=start_url, same_host=same_host, host=self.start_host)
        self.page_links: dict[str, list[tuple[str, bool]]] = {}  # page -> [(target, follow)]
        self.listed_urls = list(listed_urls)  # the user's list of addresses, checked for orphans
        self.sitemap = sitemap  # read the site's sitemap(s) for more addresses to check
        self.sitemap_hints: list[str] = []  # the start host's robots.txt Sitemap: lines

    # -- scope and robots -------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        return not self.same_host or host_of(url) == self.start_host

    def _host(self, url: str) -> Host:
        key = urlsplit(url).netloc
        if key not in self.hosts:
            self.hosts[key] = Host()
        return self.hosts[key]

    async def allowed(self, client: httpx.AsyncClient, url: str) -> bool:
        host = self._host(url)
        if host.robots is None:
            async with host.lock:
                if host.robots is None:
                    host.robots, host.delay = await self._fetch_robots(client, url)
                    if host_of(url) == self.start_host:
                        self.result.crawl_delay = host.delay
                        self.sitemap_hints = list(host.robots.site_maps() or [])
        return host.robots.can_fetch(self.user_agent, url)

    async def _fetch_robots(
        self, client: httpx.AsyncClient, url: str
    ) -> tuple[urllib.robotparser.RobotFileParser, float]:
        robots_url = robots_url_for(url)
        try:
            async with self.sem, asyncio.timeout(self.timeout * REQUEST_DEADLINE_FACTOR):
                self.result.requests += 1
                r = await client.get(robots_url, follow_redirects=True)
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError):
            return parse_robots(robots_url, None, b"", self.user_agent, max_delay=self.max_crawl_delay)
        return parse_robots(
            robots_url, r.status_code, r.content, self.user_agent, max_delay=self.max_crawl_delay
        )

    # -- fetching ---------------------------------------------------------------

    async def _get(self, client: httpx.AsyncClient, url: str) -> tuple[int, str, str, str]:
        """One request. Returns (status, content type, Location, HTML text or "")."""
        await self._host(url).pace()
        async with self.sem, asyncio.timeout(self.timeout * REQUEST_DEADLINE_FACTOR):
            self.result.requests += 1
            async with client.stream("GET", url) as r:
                ctype = r.headers.get("content-type", "")
                location = r.headers.get("location", "")
                text = ""
                if r.status_code not in REDIRECT_CODES and is_html_type(ctype):
                    body = bytearray()
                    async for chunk in r.aiter_bytes():
                        body += chunk
                        if len(body) >= MAX_HTML_BYTES:
                            break
                    text = bytes(body[:MAX_HTML_BYTES]).decode(
                        r.charset_encoding or "utf-8", errors="replace"
                    )
                return r.status_code, ctype, location, text

    async def visit(self, client: httpx.AsyncClient, url: str, depth: int | None) -> bool:
        """Fetch ``url`` (following redirects by hand), record the page and its links.
        Returns False when no page was recorded (redirected onto a known or forbidden URL)."""
        res = self.result
        first = url
        chain = {url}
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                status, ctype, location, text = await self._get(client, url)
            except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, UnicodeError, LookupError) as exc:
                res.pages[url] = Page(url, 0, depth, error=f"{type(exc).__name__}: {exc}"[:300])
                return True
            if status in REDIRECT_CODES and location:
                nxt = normalize_url(location, url)
                if nxt is None:
                    error = "redirect to a non-http(s) location"
                    break
                res.redirects[url] = (status, nxt)
                if nxt in chain:
                    error = "redirect loop"
                    url = first  # the loop has no final URL: record where it was entered
                    break
                chain.add(nxt)
                if depth == 0 and host_of(nxt) != self.start_host and not res.pages:
                    # The start URL itself moved (example.com -> www.example.com): follow the site.
                    self.start_host = res.host = host_of(nxt)
                if nxt in self.seen or not self.in_scope(nxt):
                    return False
                self.seen.add(nxt)
                if not await self.allowed(client, nxt):
                    res.disallowed.add(nxt)
                    return False
                url = nxt
                continue
            page = Page(url, status, depth, content_type=ctype)
            res.pages[url] = page
            if text and page.is_html:
                self._parse(page, text, follow_links=200 <= status < 300)
            return True
        else:
            error = f"more than {MAX_REDIRECTS} redirects"
        # A redirect we did not follow: record the 3xx itself.
        res.pages[url] = Page(url, status, depth, content_type=ctype, error=error)
        return True

    def _parse(self, page: Page, text: str, follow_links: bool = True) -> None:
        """Title and description always; links only from a successful (2xx) page, as an
        error page's links are not the site's."""
        parser = PageParser()
        try:
            parser.feed(text)
            parser.close()
        except Exception as exc:  # html.parser is lenient, but never let one page stop a crawl
            page.error = f"parse error: {exc}"[:300]
        page.title = parser.title[:1000]
        page.description = parser.description[:2000]
        if not follow_links:
            return
        base = normalize_url(parser.base_href, page.url) if parser.base_href else None
        base = base or page.url
        links: dict[str, bool] = {}
        for href, nofollow in parser.links:
            target = normalize_url(href, base)
            if target is None:
                continue
            if not self.in_scope(target):
                self.result.external_links += 1
                continue
            follow = not (nofollow or parser.meta_nofollow)
            links[target] = links.get(target, False) or follow
            self.result.links.append((page.url, target))
            if not follow:
                self.result.nofollow.add((page.url, target))
        self.page_links[page.url] = list(links.items())

    # -- the BFS ---------------------------------------------------------------

    async def progress(self, message: str) -> None:
        if self.on_progress is None:
            return
        total = min(max(len(self.seen), len(self.result.pages)), self.max_pages)
        out = self.on_progress(len(self.result.pages), total, message)
        if inspect.isawaitable(out):
            await out

    async def run(self, client: httpx.AsyncClient) -> None:
        start = self.start_url
        self.seen.add(start)
        if not await self.allowed(client, start):
            self.result.disallowed.add(start)
            await self.progress("robots.txt disallows the start URL")
            return
        await self._walk(client, start)
        if self.sitemap or self.listed_urls:
            await self.check_listed(client)

    async def _walk(self, client: httpx.AsyncClient, start: str) -> None:
        """The breadth-first walk over links, from the start page."""
        level, depth = [start], 0
        while level and depth <= self.max_depth and self.reserved < self.max_pages:
            queue = list(reversed(level))  # pop() from the end = discovery order

            async def worker(queue: list[str] = queue, depth: int = depth) -> None:
                while queue and self.reserved < self.max_pages:
                    url = queue.pop()
                    self.reserved += 1
                    recorded = await self.visit(client, url, depth)
                    if not recorded:
                        self.reserved -= 1
                    else:
                        await self.progress(f"depth {depth}: {url}")

            await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(level)))))
            if depth == self.max_depth:
                break
            # Next level, in the order of this level's pages (not of completion): deterministic.
            nxt: list[str] = []
            for page_url in self._level_pages(level):
                for target, follow in self.page_links.get(page_url, ()):
                    if not follow or target in self.seen:
                        continue
                    self.seen.add(target)
                    if not await self.allowed(client, target):
                        self.result.disallowed.add(target)
                        continue
                    nxt.append(target)
            level, depth = nxt, depth + 1

    def _level_pages(self, level: list[str]) -> list[str]:
        """The recorded pages of a level in the level's order (a URL maps to its final URL)."""
        out: list[str] = []
        done: set[str] = set()
        for url in level:
            final = self.result.final_url(url)
            if final in self.page_links and final not in done:
                done.add(final)
                out.append(final)
        return out

    # -- listed addresses: the orphans a crawl cannot see ---------------------------------------

    async def _fetch_sitemap(self, client: httpx.AsyncClient, url: str) -> bytes:
        """A sitemap's body (at most MAX_SITEMAP_BYTES), or b"" when it is missing or fails."""
        await self._host(url).pace()
        try:
            async with self.sem, asyncio.timeout(self.timeout * REQUEST_DEADLINE_FACTOR):
                self.result.requests += 1
                async with client.stream("GET", url, follow_redirects=True) as r:
                    if r.status_code != 200:
                        return b""
                    body = bytearray()
                    async for chunk in r.aiter_bytes():
                        body += chunk
                        if len(body) >= MAX_SITEMAP_BYTES:
                            break
                    return bytes(body[:MAX_SITEMAP_BYTES])
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError):
            return b""

    async def _sitemap_urls(self, client: httpx.AsyncClient) -> list[str]:
        """The page addresses of the site's sitemaps: robots.txt's Sitemap: lines, else /sitemap.xml;
        an index's children are read too, up to MAX_SITEMAPS files."""
        todo = self.sitemap_hints or [sitemap_url_for(self.result.final_url(self.start_url))]
        done: set[str] = set()
        pages: list[str] = []
        while todo and len(done) < MAX_SITEMAPS and len(pages) < MAX_LISTED:
            url = todo.pop(0)
            if url in done:
                continue
            done.add(url)
            found, children = parse_sitemap(await self._fetch_sitemap(client, url))
            if found or children:
                self.result.sitemaps.append(url)
            pages += found
            todo += children
        return pages

    async def check_listed(self, client: httpx.AsyncClient) -> None:
        """Fetch the listed addresses (sitemap, user's list) that no link reached: they are the
        orphans a crawl cannot find by following links. They are recorded with no depth, so that
        the ingest counts them as orphans (in the metadata, no inlinks, not depth 0). Their
        own links are recorded, not followed. At most ``max_pages`` of them are fetched."""
        listed = self.listed_urls + (await self._sitemap_urls(client) if self.sitemap else [])
        res = self.result
        linked = {res.final_url(target) for _, target in res.links} | set(res.pages)
        todo: list[str] = []
        for raw in listed[:MAX_LISTED]:
            url = normalize_url(raw)
            if url is None or not self.in_scope(url):
                continue
            res.listed.add(url)
            if url in self.seen or res.final_url(url) in linked:
                continue
            self.seen.add(url)
            if not await self.allowed(client, url):
                res.disallowed.add(url)
                continue
            todo.append(url)
        res.listed_skipped = max(0, len(todo) - self.max_pages)
        queue = list(reversed(todo[: self.max_pages]))

        before = set(res.pages)

        async def worker() -> None:
            while queue:
                url = queue.pop()
                if await self.visit(client, url, None):
                    await self.progress(f"listed, not linked: {url}")

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(queue)))))
        res.unlinked = [u for u in res.pages if u not in before]  # under their final URLs
