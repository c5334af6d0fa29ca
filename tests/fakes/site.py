"""A small website on 127.0.0.1 for the crawler tests.

    site = FakeSite()
    with site as base_url:          # e.g. "http://127.0.0.1:43121"
        ...crawl(base_url + "/")...
    site.paths                      # every path requested, in order
    site.max_in_flight              # the most requests the server had in progress at once

Map (all pages HTML unless said otherwise)::

    /                -> /a, /old (301 -> /new), /missing (404), /private/secret (robots-disallowed),
                        /files/report.pdf (not HTML), /deep/1, /wide, /loop-1 (redirect loop),
                        http://external.invalid/page (another host), mailto:, #top, /a#frag
    /a               -> /b, /nofollow-target (rel=nofollow), /
    /b               -> /a (a link loop A -> B -> A)
    /new             -> /
    /deep/N          -> /deep/N+1, up to /deep/9
    /wide            -> /w/0 ... /w/{wide-1}
    /w/N             -> /       (each waits ``page_delay`` seconds, for concurrency tests)
    /private/secret  (would be a page, but robots.txt disallows /private/)
    /nofollow-target (a page; only reachable through the nofollow link)
    /loop-1 -> 302 /loop-2 -> 302 /loop-1

:class:`GraphSite` is a second, generated site for the link-graph view: sections in folders, a
link loop, broken links, and orphans that only its sitemap lists.

The server records every request (path, Host header, User-Agent, monotonic start time) and how
many were in flight at once. It runs uvicorn in a background thread on a free port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route


def _page(title: str, links: list[str], extra_head: str = "", rel: dict[str, str] | None = None) -> str:
    rel = rel or {}
    anchors = "\n".join(
        f'<a href="{h}"{(" rel=" + chr(34) + rel[h] + chr(34)) if h in rel else ""}>{h}</a>' for h in links
    )
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        f'<meta name="description" content="About {title}">{extra_head}</head>'
        f"<body><h1>{title}</h1>\n{anchors}\n</body></html>"
    )


@dataclass
class Hit:
    path: str
    host: str
    user_agent: str
    started: float


@dataclass
class FakeSite:
    page_delay: float = 0.0  # seconds each /w/N page waits before answering
    wide: int = 12  # how many /w/N pages /wide links to
    crawl_delay: float | None = None  # a Crawl-delay line in robots.txt
    hits: list[Hit] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    base_url: str = ""
    _stopping: bool = False

    @property
    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    # -- the app ----------------------------------------------------------------

    def _starlette(self) -> Starlette:
        site = self

        async def robots(request: Request) -> Response:
            body = "User-agent: *\nDisallow: /private/\n"
            if site.crawl_delay is not None:
                body += f"Crawl-delay: {site.crawl_delay}\n"
            return PlainTextResponse(body)

        async def home(request: Request) -> Response:
            links = [
                "/a",
                "/old",
                "/missing",
                "/private/secret",
                "/files/report.pdf",
                "/deep/1",
                "/wide",
                "/loop-1",
                "http://external.invalid/page",
                "mailto:someone@example.com",
                "#top",
                "/a#frag",
            ]
            return HTMLResponse(_page("Home", links))

        async def a(request: Request) -> Response:
            return HTMLResponse(
                _page("Page A", ["/b", "/nofollow-target", "/"], rel={"/nofollow-target": "nofollow"})
            )

        async def b(request: Request) -> Response:
            return HTMLResponse(_page("Page B", ["a"]))  # relative: resolves to /a

        async def new(request: Request) -> Response:
            return HTMLResponse(_page("New page", ["/"]))

        async def plain(request: Request) -> Response:
            return HTMLResponse(_page(request.url.path, []))

        async def deep(request: Request) -> Response:
            n = int(request.path_params["n"])
            return HTMLResponse(_page(f"Deep {n}", [f"/deep/{n + 1}"] if n < 9 else []))

        async def wide(request: Request) -> Response:
            return HTMLResponse(_page("Wide", [f"/w/{i}" for i in range(site.wide)]))

        async def w(request: Request) -> Response:
            end = time.monotonic() + site.page_delay
            while time.monotonic() < end and not site._stopping:  # short steps: quick shutdown
                await asyncio.sleep(min(0.01, end - time.monotonic()))
            return HTMLResponse(_page(f"W {request.path_params['n']}", ["/"]))

        async def pdf(request: Request) -> Response:
            return Response(b"%PDF-1.4 not really\n", media_type="application/pdf")

        async def old(request: Request) -> Response:
            return RedirectResponse("/new", status_code=301)

        async def loop1(request: Request) -> Response:
            return RedirectResponse("/loop-2", status_code=302)

        async def loop2(request: Request) -> Response:
            return RedirectResponse("/loop-1", status_code=302)

        async def missing(request: Request) -> Response:
            return HTMLResponse(_page("Not found", ["/"]), status_code=404)

        return Starlette(
            routes=[
                Route("/robots.txt", robots),
                Route("/", home),
                Route("/a", a),
                Route("/b", b),
                Route("/new", new),
                Route("/old", old),
                Route("/loop-1", loop1),
                Route("/loop-2", loop2),
                Route("/deep/{n:int}", deep),
                Route("/wide", wide),
                Route("/w/{n:int}", w),
                Route("/files/report.pdf", pdf),
                Route("/private/secret", plain),
                Route("/nofollow-target", plain),
                Route("/missing", missing),
            ]
        )

    def _app(self):
        site, app = self, self._starlette()

        async def recorder(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            site.hits.append(
                Hit(scope["path"], headers.get("host", ""), headers.get("user-agent", ""), time.monotonic())
            )
            site.in_flight += 1  # one event loop: no lock needed
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
            try:
                await app(scope, receive, send)
            finally:
                site.in_flight -= 1

        return recorder

    # -- the server ---------------------------------------------------------------

    def __enter__(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app(), log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._sock = sock
        self._thread.start()
        deadline = time.monotonic() + 5
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake site did not start")
            time.sleep(0.005)
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    def __exit__(self, *exc) -> None:
        self._stopping = True
        self._server.should_exit = True
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self._sock.close()


@dataclass
class GraphSite(FakeSite):
    """A 16-page site made to be drawn: 13 pages reachable by links, 3 orphans only in the sitemap.

    Map (``->`` = links to)::

        /               -> /blog/, /products/, /about.html, /contact.html, /missing, /blog/post-1
        /blog/          -> /blog/post-1, /blog/post-2, /blog/post-3
        /blog/post-1    -> /blog/post-2          (a loop: post-1 -> post-2 -> post-1)
        /blog/post-2    -> /blog/post-1
        /blog/post-3    -> /gone                 (410)
        /products/      -> /products/p1, /products/p2
        /products/p1    -> /products/p2
        /products/p2    -> /server-error         (500)
        /contact.html   -> /missing, /about.html (404)
        /about.html     (links to nothing: a dead end)
        /landing/spring -> /products/p1          (orphan)
        /landing/summer -> /                     (orphan)
        /old-promo.html                          (orphan, no links)

    robots.txt names ``/sitemap-index.xml`` (an index of ``/sitemap-pages.xml``) when
    ``sitemap_in_robots``; else the sitemap is at ``/sitemap.xml``. It lists the orphans and a
    few linked pages (which must not count as orphans)."""

    sitemap_in_robots: bool = True
    PAGES = {
        "/": ["/blog/", "/products/", "/about.html", "/contact.html", "/missing", "/blog/post-1"],
        "/blog/": ["/blog/post-1", "/blog/post-2", "/blog/post-3"],
        "/blog/post-1": ["/blog/post-2"],
        "/blog/post-2": ["/blog/post-1"],
        "/blog/post-3": ["/gone"],
        "/products/": ["/products/p1", "/products/p2"],
        "/products/p1": ["/products/p2"],
        "/products/p2": ["/server-error"],
        "/contact.html": ["/missing", "/about.html"],
        "/about.html": [],
        "/landing/spring": ["/products/p1"],
        "/landing/summer": ["/"],
        "/old-promo.html": [],
    }
    ERRORS = {"/missing": 404, "/gone": 410, "/server-error": 500}
    ORPHANS = ("/landing/spring", "/landing/summer", "/old-promo.html")
    LISTED = (*ORPHANS, "/", "/blog/post-1", "/products/")

    def _starlette(self) -> Starlette:
        site = self

        def urlset(paths: tuple[str, ...] | list[str], tag: str = "urlset", item: str = "url") -> str:
            locs = "".join(f"<{item}><loc>{site.base_url}{p}</loc></{item}>" for p in paths)
            return f'<?xml version="1.0" encoding="UTF-8"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</{tag}>'

        async def any_path(request: Request) -> Response:
            path = request.url.path
            if path == "/robots.txt":
                body = "User-agent: *\nAllow: /\n"
                if site.sitemap_in_robots:
                    body += f"Sitemap: {site.base_url}/sitemap-index.xml\n"
                return PlainTextResponse(body)
            if path == "/sitemap-index.xml" and site.sitemap_in_robots:
                return Response(urlset(["/sitemap-pages.xml"], "sitemapindex", "sitemap"), media_type="application/xml")
            if path == ("/sitemap-pages.xml" if site.sitemap_in_robots else "/sitemap.xml"):
                return Response(urlset(site.LISTED), media_type="application/xml")
            if path in site.ERRORS:
                return HTMLResponse(_page("Error response", ["/"]), status_code=site.ERRORS[path])
            if path in site.PAGES:
                return HTMLResponse(_page(f"Page {path}", site.PAGES[path]))
            return HTMLResponse(_page("Error response", []), status_code=404)

        return Starlette(routes=[Route("/{path:path}", any_path)])
