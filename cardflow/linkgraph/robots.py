"""robots.txt and Crawl-delay, per host; and the sitemaps robots.txt points to.

robots.txt is fetched once per host (by the crawler) before any page of it. 2xx: obeyed,
including ``Crawl-delay`` / ``Request-rate`` (capped at :data:`MAX_CRAWL_DELAY` seconds). 4xx:
allow all. 5xx or no answer: disallow all (RFC 9309 §2.3.1.4). With a crawl delay, requests to
that host start at least that many seconds apart (:meth:`Host.pace`).

Sitemaps (``Sitemap:`` lines, else ``/sitemap.xml``) list pages a crawl may never reach by links;
:func:`parse_sitemap` reads one, an index or a list of pages, plain or gzip.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
import urllib.robotparser
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

MAX_CRAWL_DELAY = 5.0  # seconds; a robots.txt asking for more is capped to this
MAX_ROBOTS_BYTES = 500_000  # RFC 9309 asks crawlers to parse at least 500 KiB

MAX_SITEMAP_BYTES = 20_000_000  # after gunzip; the protocol's own limit is 50 MB, which no local crawl needs
_LOC = re.compile(rb"<loc>\s*(.*?)\s*</loc>", re.IGNORECASE | re.DOTALL)

_CRAWL_DELAY_LINE = re.compile(r"^\s*crawl-delay\s*:\s*([0-9]*\.?[0-9]+)\s*(#.*)?$", re.IGNORECASE)


def sitemap_url_for(url: str) -> str:
    """Where a sitemap is when robots.txt names none: ``/sitemap.xml`` on ``url``'s host."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/sitemap.xml", "", ""))


def parse_sitemap(content: bytes) -> tuple[list[str], list[str]]:
    """``(page URLs, sitemap URLs)`` from a sitemap (``<urlset>``) or an index (``<sitemapindex>``).

    A regular expression over ``<loc>``, not an XML parser: a sitemap needs no entities or
    namespaces resolved, and this way a hostile file cannot expand entities. Gzip is undone
    (capped at :data:`MAX_SITEMAP_BYTES`); anything unreadable gives nothing."""
    if content[:2] == b"\x1f\x8b":
        try:
            content = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(content, MAX_SITEMAP_BYTES)
        except zlib.error:
            return [], []
    locs = [html.unescape(m.group(1).decode("utf-8", errors="replace")) for m in _LOC.finditer(content)]
    return ([], locs) if b"<sitemapindex" in content[:4096].lower() else (locs, [])


def robots_url_for(url: str) -> str:
    """The robots.txt URL of ``url``'s scheme, host and port."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


class RobotRules(urllib.robotparser.RobotFileParser):
    """The standard parser, declaring the two flags it reads but typeshed does not list."""

    disallow_all: bool
    allow_all: bool


def index_crawl_delays(lines: list[str]) -> tuple[list[str], list[float]]:
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


def parse_robots(
    robots_url: str,
    status_code: int | None,
    content: bytes,
    user_agent: str,
    *,
    max_delay: float = MAX_CRAWL_DELAY,
) -> tuple[urllib.robotparser.RobotFileParser, float]:
    """The rules and the crawl delay (seconds, capped at ``max_delay``) that a robots.txt
    answer gives ``user_agent``. ``status_code`` None means there was no answer."""
    rp = RobotRules(robots_url)
    if status_code is None:
        rp.disallow_all = True  # unreachable: assume complete disallow (RFC 9309)
        return rp, 0.0
    if status_code >= 500:
        rp.disallow_all = True
    elif status_code >= 400:
        rp.allow_all = True
    elif status_code < 300:
        text = content[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        lines, delays = index_crawl_delays(text.splitlines())
        rp.parse(lines)
        delay = 0.0
        cd: object = rp.crawl_delay(user_agent)  # our index, an int (typeshed says str)
        if isinstance(cd, int) and 0 <= cd < len(delays):
            delay = delays[cd]
        rr = rp.request_rate(user_agent)
        if rr and rr.requests:
            delay = max(delay, rr.seconds / rr.requests)
        return rp, min(max(delay, 0.0), max_delay)
    else:  # a redirect loop or more than httpx's limit
        rp.allow_all = True
    return rp, 0.0


@dataclass
class Host:
    """What the crawler knows about one host (scheme://host:port): its rules and pacing."""

    robots: urllib.robotparser.RobotFileParser | None = None
    delay: float = 0.0
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # guards robots fetch and pacing

    async def pace(self) -> None:
        """Wait until this host's next request may start (no wait without a crawl delay)."""
        if self.delay <= 0:
            return
        async with self.lock:
            now = time.monotonic()
            wait = self.next_start - now
            self.next_start = max(now, self.next_start) + self.delay
        if wait > 0:
            await asyncio.sleep(wait)
