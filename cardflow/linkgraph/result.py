"""What a crawl produces: :class:`Page`, :class:`CrawlResult` and the two CSVs.

The CSVs have the same shapes as Botify's exports (:data:`EDGES_HEADER` and
:data:`METADATA_HEADER`, also used by ``ingest``), so the rest of the link-graph feature cannot
tell the two sources apart. pagetype is the first path segment (``home`` for ``/``); compliant
is ``true`` for a 200 HTML page, else ``false``. The edges file holds internal links only,
targets resolved through the recorded redirects. Pages listed (sitemap, the user's list) but
reached by no link have an empty depth, which is what makes the ingest count them as orphans.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardflow.linkgraph.htmlparse import is_html_type
from cardflow.linkgraph.urls import host_of, pagetype_of

EDGES_HEADER = ("source", "target")
METADATA_HEADER = ("url", "http_code", "depth", "title", "description", "pagetype", "compliant")

MAX_REDIRECTS = 5


@dataclass
class Page:
    url: str  # the final URL, after redirects
    http_code: int  # 0 when there was no response (network error, timeout)
    depth: int | None  # None: listed (sitemap, the user's list) but reached by no link
    title: str = ""
    description: str = ""
    content_type: str = ""
    error: str = ""

    @property
    def is_html(self) -> bool:
        return is_html_type(self.content_type)

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
    sitemaps: list[str] = field(default_factory=list)  # the sitemap files read
    listed: set[str] = field(default_factory=set)  # in-scope addresses from the sitemaps and the user's list
    unlinked: list[str] = field(default_factory=list)  # listed pages no link reached: the orphans
    listed_skipped: int = 0  # listed, unlinked addresses not fetched (over max_pages)

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
        write_csv(edges_path, EDGES_HEADER, self.edges)
        write_csv(
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
                # Unlinked pages (no depth) last; their empty depth is what makes them orphans.
                for p in sorted(self.pages.values(), key=lambda p: (p.depth is None, p.depth or 0, p.url))
            ),
        )
        return edges_path, meta_path


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write ``header`` and ``rows`` to ``path`` through a fsynced temp file and a rename."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
