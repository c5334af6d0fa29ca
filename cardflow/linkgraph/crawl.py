"""A small, polite crawler for users without Botify.

It crawls only the site the user named and writes the same two CSVs as Botify's exports
(:data:`EDGES_HEADER` and :data:`METADATA_HEADER` below, also exported by ``ingest``), so the
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
- **The start URL** may redirect to another host (``example.com`` -> ``www.example.com``);
  the crawl then stays on that host.
"""

from __future__ import annotations

import asyncio
import csv
import inspect
import os
import posixpath
import re
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

EDGES_HEADER = ("source", "target")
METADATA_HEADER = ("url", "http_code", "depth", "title", "description", "pagetype", "compliant")

MAX_CRAWL_DELAY = 5.0  # seconds; a robots.txt asking for more is capped to this
MAX_REDIRECTS = 5
REQUEST_DEADLINE_FACTOR = 3  # `timeout` bounds each network step; a whole request gets 3x that
MAX_HTML_BYTES = 5_000_000
MAX_ROBOTS_BYTES = 500_000  # RFC 9309 asks crawlers to parse at least 500 KiB
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECT_CODES = (301, 302, 303, 307, 308)
DEFAULT_PORTS = {"http": 80, "https": 443}

ProgressCallback = Callable[[int, int, str], object]


# --------------------------------------------------------------------------- URLs


def normalize_url(href: str, base: str | None = None) -> str | None:
    """Return the absolute, normalised form of ``href`` (resolved against ``base``), or None
    when it is not an http(s) URL (``mailto:``, ``javascript:``, garbage)."""
    href = (href or "").strip()
    if not href and base is None:
        return None
    try:
        url = urljoin(base, href) if base else href
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower()  # .hostname lowercases and strips brackets and userinfo
        if ":" in host:
            host = f"[{host}]"
        port = parts.port
    except ValueError:  # a bad port or an unbalanced IPv6 bracket
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    if "/." in path:  # remove dot segments, keeping a trailing slash
        trailing = path.endswith(("/", "/.", "/.."))
        path = posixpath.normpath(path)
        path = "/" + path.lstrip("/")
        if trailing and not path.endswith("/"):
            path += "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def pagetype_of(url: str) -> str:
    """First path segment, or ``home`` for the root (the same rule ingest applies to URLs
    without metadata)."""
    segment = urlsplit(url).path.lstrip("/").split("/", 1)[0]
    return segment or "home"


# --------------------------------------------------------------------------- HTML


class _PageParser(HTMLParser):
    """Collects links, the first <title>, meta description/robots and <base href>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, bool]] = []  # (href, nofollow)
        self.title_parts: list[str] = []
        self.title_done = False
        self.in_title = False
        self.description = ""
        self.base_href: str | None = None
        self.meta_nofollow = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "a" and "href" in a:
            rel = a.get("rel", "").lower().split()
            self.links.append((a["href"], "nofollow" in rel))
        elif tag == "title" and not self.title_done:
            self.in_title = True
        elif tag == "meta":
            name = a.get("name", "").lower()
            if name == "description" and not self.description:
                self.description = " ".join(a.get("content", "").split())
            elif name == "robots" and "nofollow" in a.get("content", "").lower().replace(",", " ").split():
                self.meta_nofollow = True
        elif tag == "base" and self.base_href is None and a.get("href"):
            self.base_href = a["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.in_title:
            self.in_title = False
            self.title_done = True

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)

    @property
    def title(self) -> str:
        return " ".join("".join(self.title_parts).split())


# --------------------------------------------------------------------------- results


@dataclass
class Page:
    url: str  # the final URL, after redirects
    http_code: int  # 0 when there was no response (network error, timeout)
    depth: int
    title: str = ""
    description: str = ""
    content_type: str = ""
    error: str = ""

    @property
    def is_html(self) -> bool:
        return self.content_type.split(";", 1)[0].strip().lower() in HTML_TYPES

    @property
    def compliant(self) -> bool:
        return self.http_code == 200 and self.is_html

    @property
    def pagetype(self) -> str:
        return pagetype_of(self.url)


@dataclass
class CrawlResult:
    start_url: str
    pages: dict[str, Page] = field(default_factory=dict)  # final URL -> Page, in crawl order
    links: list[tuple[str, str]] = field(default_factory=list)  # (page URL, link target as found)
    redirects: dict[str, tuple[int, str]] = field(default_factory=dict)  # URL -> (code, next hop)
    nofollow: set[tuple[str, str]] = field(default_factory=set)
    disallowed: set[str] = field(default_factory=set)  # URLs robots.txt kept us from fetching
    external_links: int = 0
    requests: int = 0
    cancelled: bool = False
    crawl_delay: float = 0.0  # what the start host's robots.txt asked for, after the cap
    same_host: bool = True
    host: str = ""  # the host crawled (the start URL's, or where the start URL redirected to)
    elapsed: float = 0.0

    def final_url(self, url: str) -> str:
        """Follow the recorded redirect chain from ``url``; a chain that loops (or is longer
        than MAX_REDIRECTS) resolves to ``url`` itself, which is where the page is recorded."""
        first, seen = url, {url}
        while url in self.redirects:
            nxt = self.redirects[url][1]
            if nxt in seen or len(seen) > MAX_REDIRECTS:
                return first
            seen.add(nxt)
            url = nxt
        return url

    @property
    def edges(self) -> list[tuple[str, str]]:
        """Distinct internal edges, targets resolved through redirects, sorted."""
        start_host = self.host or host_of(self.start_url)
        out: set[tuple[str, str]] = set()
        for source, target in self.links:
            final = self.final_url(target)
            if self.same_host and host_of(final) != start_host:
                continue  # redirected off the site: no longer an internal link
            out.add((source, final))
        return sorted(out)

    def write(self, directory: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write ``edges.csv`` and ``metadata.csv`` into ``directory`` (created if needed),
        each through a temp file and an atomic rename. Returns their paths."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        edges_path, meta_path = d / "edges.csv", d / "metadata.csv"
        _write_csv(edges_path, EDGES_HEADER, self.edges)
        _write_csv(
            meta_path,
            METADATA_HEADER,
            (
                (
                    p.url,
                    p.http_code,
                    p.depth,
                    p.title,
                    p.description,
                    p.pagetype,
                    "true" if p.compliant else "false",
                )
                for p in sorted(self.pages.values(), key=lambda p: (p.depth, p.url))
            ),
        )
        return edges_path, meta_path


def _write_csv(path: Path, header, rows) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --------------------------------------------------------------------------- crawler

_CRAWL_DELAY_LINE = re.compile(r"^\s*crawl-delay\s*:\s*([0-9]*\.?[0-9]+)\s*(#.*)?$", re.IGNORECASE)


def _index_crawl_delays(lines: list[str]) -> tuple[list[str], list[float]]:
    """urllib.robotparser keeps only integer Crawl-delay values; real files say ``0.5`` too.
    Replace each value by its index in the returned list, so that the parser still decides
    which group applies to us and we read the exact value back."""
    out, delays = [], []
    for line in lines:
        m = _CRAWL_DELAY_LINE.match(line)
        if m:
            delays.append(float(m.group(1)))
            line = f"Crawl-delay: {len(delays) - 1}"
        out.append(line)
    return out, delays


@dataclass
class _Host:
    robots: urllib.robotparser.RobotFileParser | None = None
    delay: float = 0.0
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # guards robots fetch and pacing


class _Crawler:
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
        self.sem = asyncio.Semaphore(concurrency)
        self.hosts: dict[str, _Host] = {}
        self.seen: set[str] = set()  # every URL queued, fetched or reached by a redirect
        self.reserved = 0  # pages fetched or being fetched, against max_pages
        self.result = CrawlResult(start_url=start_url, same_host=same_host, host=self.start_host)
        self.page_links: dict[str, list[tuple[str, bool]]] = {}  # page -> [(target, follow)]

    # -- scope and robots -------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        return not self.same_host or host_of(url) == self.start_host

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc
        if key not in self.hosts:
            self.hosts[key] = _Host()
        return self.hosts[key]

    async def allowed(self, client: httpx.AsyncClient, url: str) -> bool:
        host = self._host(url)
        if host.robots is None:
            async with host.lock:
                if host.robots is None:
                    host.robots, host.delay = await self._fetch_robots(client, url)
                    if host_of(url) == self.start_host:
                        self.result.crawl_delay = host.delay
        return host.robots.can_fetch(self.user_agent, url)

    async def _fetch_robots(
        self, client: httpx.AsyncClient, url: str
    ) -> tuple[urllib.robotparser.RobotFileParser, float]:
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        rp = urllib.robotparser.RobotFileParser(robots_url)
        try:
            async with self.sem, asyncio.timeout(self.timeout * REQUEST_DEADLINE_FACTOR):
                self.result.requests += 1
                r = await client.get(robots_url, follow_redirects=True)
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError):
            rp.disallow_all = True  # unreachable: assume complete disallow (RFC 9309)
            return rp, 0.0
        if r.status_code >= 500:
            rp.disallow_all = True
        elif r.status_code >= 400:
            rp.allow_all = True
        elif r.status_code < 300:
            text = r.content[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
            lines, delays = _index_crawl_delays(text.splitlines())
            rp.parse(lines)
            delay = 0.0
            cd = rp.crawl_delay(self.user_agent)
            if cd is not None and 0 <= cd < len(delays):
                delay = delays[cd]
            rr = rp.request_rate(self.user_agent)
            if rr and rr.requests:
                delay = max(delay, rr.seconds / rr.requests)
            return rp, min(max(delay, 0.0), MAX_CRAWL_DELAY)
        else:  # a redirect loop or more than httpx's limit
            rp.allow_all = True
        return rp, 0.0

    # -- fetching ---------------------------------------------------------------

    async def _pace(self, url: str) -> None:
        host = self._host(url)
        if host.delay <= 0:
            return
        async with host.lock:
            now = time.monotonic()
            wait = host.next_start - now
            host.next_start = max(now, host.next_start) + host.delay
        if wait > 0:
            await asyncio.sleep(wait)

    async def _get(self, client: httpx.AsyncClient, url: str) -> tuple[int, str, str, str]:
        """One request. Returns (status, content type, Location, HTML text or "")."""
        await self._pace(url)
        async with self.sem, asyncio.timeout(self.timeout * REQUEST_DEADLINE_FACTOR):
            self.result.requests += 1
            async with client.stream("GET", url) as r:
                ctype = r.headers.get("content-type", "")
                location = r.headers.get("location", "")
                text = ""
                if (
                    r.status_code not in REDIRECT_CODES
                    and ctype.split(";", 1)[0].strip().lower() in HTML_TYPES
                ):
                    body = bytearray()
                    async for chunk in r.aiter_bytes():
                        body += chunk
                        if len(body) >= MAX_HTML_BYTES:
                            break
                    text = bytes(body[:MAX_HTML_BYTES]).decode(
                        r.charset_encoding or "utf-8", errors="replace"
                    )
                return r.status_code, ctype, location, text

    async def visit(self, client: httpx.AsyncClient, url: str, depth: int) -> bool:
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
        parser = _PageParser()
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
        level, depth = [start], 0
        while level and depth <= self.max_depth and self.reserved < self.max_pages:
            queue = list(reversed(level))  # pop() from the end = discovery order

            async def worker(queue=queue, depth=depth) -> None:
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
) -> CrawlResult:
    """Crawl from ``start_url`` (see the module docstring for the rules) and return the pages
    and links found. Call ``.write(directory)`` on the result for the two CSVs."""
    start = normalize_url(start_url)
    if start is None:
        raise ValueError(f"not an http(s) URL: {start_url!r}")
    if max_pages < 1 or max_depth < 0 or concurrency < 1:
        raise ValueError("max_pages and concurrency must be >= 1, max_depth >= 0")
    crawler = _Crawler(
        start,
        max_pages=max_pages,
        max_depth=max_depth,
        same_host=same_host,
        concurrency=concurrency,
        timeout=timeout,
        user_agent=user_agent,
        on_progress=on_progress,
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
        if not job.cancelled() and job.exception() is not None:
            raise job.exception()
    res = crawler.result
    res.elapsed = time.monotonic() - t0
    if res.cancelled:
        await crawler.progress("cancelled")
    else:
        await crawler.progress("done")
    return res
