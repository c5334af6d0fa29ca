"""A fake Botify API, built from Botify's published OpenAPI spec and API docs, for tests.

Two servers run in one background thread (uvicorn, h11):
- the API on ``http://127.0.0.1:{port}`` (``fake.base_url``);
- the "CDN" that serves export files on ``http://localhost:{port2}`` (``fake.download_base_url``):
  another host *and* port, pre-signed-style URLs, and a 403 for any request carrying an
  Authorization header (the token must never reach it).

Usage::

    with run_fake_botify() as fake:
        fake.state.rate_limit_next = 2       # next two API calls answer 429 (code 1053)
        fake.state.add_project("news", segments=None)  # a project without segments
        ... BotifyClient(fake.state.token, fake.base_url) ...
        assert fake.state.jobs_created == 1

``fake.reset()`` swaps in a fresh :class:`FakeState`, so one server can serve a whole test module.
Everything in the state is plain data the tests may read or change.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import gzip
import io
import itertools
import re
import secrets
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

USERNAME = "alice"
TOKEN = "tok-alice-5f3c9e1d7a"
READONLY_TOKEN = "tok-readonly-0b7d"  # valid, but 403 (1002) everywhere
ORG = "acme"
PROJECT = "shop"
SITE = "https://www.example.com"

# ------------------------------------------------------------------------------------------------
# The generated site: deterministic pages and internal links.


@dataclass
class Page:
    url: str
    depth: int
    http_code: int = 200
    title: str = ""
    description: str = ""
    pagetype: str = ""
    compliant: bool = True
    outlinks: list[str] = field(default_factory=list)


def build_site() -> list[Page]:
    """Home (0) -> 3 categories (1) -> 3 products each (2) -> 2 reviews each (3), plus odd pages.

    Links: each page links to its children, its parent, the home page and its next sibling.
    A 301 page (depth 1) and a 404 page (depth 2) exist for the metadata filter; one title has a
    comma and quotes and one description a newline, to exercise CSV quoting.
    """
    home = Page(f"{SITE}/", 0, title="Example shop", description="Home page", pagetype="home")
    pages = [home]
    cats: list[Page] = []
    for c in range(1, 4):
        cats.append(
            Page(
                f"{SITE}/cat-{c}/",
                1,
                title=f"Category {c}",
                description=f"All of category {c}",
                pagetype="category",
            )
        )
    pages += cats
    products: dict[str, list[Page]] = {}
    for cat in cats:
        kids = []
        for p in range(1, 4):
            name = cat.url.rstrip("/").rsplit("/", 1)[1]
            kids.append(
                Page(
                    f"{cat.url}product-{p}",
                    2,
                    title=f"Product {name}-{p}",
                    description=f"Buy product {p}",
                    pagetype="product",
                )
            )
        products[cat.url] = kids
        pages += kids
    reviews: dict[str, list[Page]] = {}
    for plist in products.values():
        for prod in plist:
            kids = [
                Page(
                    f"{prod.url}/review-{r}",
                    3,
                    title=f"Review {r}",
                    description="Customer review",
                    pagetype="review",
                )
                for r in range(1, 3)
            ]
            reviews[prod.url] = kids
            pages += kids
    pages[4].title = 'Product "cat-1-1", the best'
    pages[5].description = "Two lines\nof description"
    redirect = Page(f"{SITE}/old-page", 1, http_code=301, title="", pagetype="other", compliant=False)
    missing = Page(f"{SITE}/missing", 2, http_code=404, title="Not found", pagetype="other", compliant=False)
    pages += [redirect, missing]

    def siblings_links(group: list[Page]) -> None:
        for i, page in enumerate(group):
            page.outlinks.append(group[(i + 1) % len(group)].url)

    home.outlinks += [c.url for c in cats] + [redirect.url]
    for cat in cats:
        cat.outlinks += [p.url for p in products[cat.url]] + [home.url]
    siblings_links(cats)
    cats[0].outlinks.append(missing.url)
    for cat in cats:
        for prod in products[cat.url]:
            prod.outlinks += [r.url for r in reviews[prod.url]] + [cat.url, home.url]
        siblings_links(products[cat.url])
    for prod_url, rlist in reviews.items():
        for rev in rlist:
            rev.outlinks += [prod_url, home.url]
    return pages


def segment_value(page: Page, name: str) -> str:
    """A page's value in the segment ``name``: any name a test gives a project has values."""
    if name == "pagetype":
        return page.pagetype
    if name == "lang":
        return "fr" if "review" in page.url else "en"
    return f"{name}/{page.pagetype}"


def page_value(page: Page, name: str) -> Any:
    m = re.fullmatch(r"segments\.([^.]+)\.value", name)
    if m:
        return segment_value(page, m.group(1))
    return {
        "url": page.url,
        "depth": page.depth,
        "http_code": page.http_code,
        "metadata.title.content": page.title,
        "metadata.description.content": page.description,
        "compliant.is_compliant": page.compliant,
        "outlinks_internal.nb.total": len(page.outlinks),
        "outlinks_internal.graph.url": list(page.outlinks),
    }[name]


PAGE_FIELDS = (
    "url",
    "depth",
    "http_code",
    "metadata.title.content",
    "metadata.description.content",
    "compliant.is_compliant",
    "outlinks_internal.nb.total",
    "outlinks_internal.graph.url",
)  # plus segments.{name}.value for each segment the project has (FakeState.segments)
VERBOSE = {
    "url": "Full URL",
    "depth": "Depth",
    "http_code": "HTTP Status Code",
    "metadata.title.content": "Title",
    "metadata.description.content": "Meta Description",
    "compliant.is_compliant": "Is Compliant",
    "outlinks_internal.nb.total": "No. of Internal Outlinks",
    "outlinks_internal.graph.url": "Internal Outlinks URL",
}


def expected_edge_count(depth: int, site: list[Page] | None = None) -> int:
    return sum(len(p.outlinks) for p in (site or build_site()) if p.depth <= depth)


def expected_edges(depth: int, site: list[Page] | None = None) -> list[tuple[str, str]]:
    return [(p.url, d) for p in (site or build_site()) if p.depth <= depth for d in p.outlinks]


# ------------------------------------------------------------------------------------------------
# State


def _project(slug: str, name: str, owner: str, *, legacy: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name": name,
        "slug": slug,
        "url": f"https://app.botify.com/{owner}/{slug}/",
        "has_crawl": True,
        "has_logs": False,
    }
    if legacy:
        item["user"] = {"login": owner}  # older payloads
    else:
        item["organization"] = {"slug": owner, "name": owner.title(), "owner": {"username": USERNAME}}
    return item


def _analysis(slug: str, status: str, created: str | None, finished: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "slug": slug,
        "name": slug,
        "friendly_name": None,
        "status": status,
        "url": f"https://app.botify.com/{ORG}/{PROJECT}/{slug}/",
    }
    if created:
        item["date_created"] = created
    if finished:
        item["date_finished"] = finished
    return item


def default_projects() -> list[dict[str, Any]]:
    return [
        _project(PROJECT, "Shop", ORG, legacy=False),
        _project("blog", "Blog", ORG, legacy=False),
        _project("docs", "Docs", "globex", legacy=False),
        _project("personal", "Personal site", USERNAME, legacy=True),
        _project("sandbox", "Sandbox", USERNAME, legacy=True),
    ]


def default_analyses() -> list[dict[str, Any]]:
    """5 successful + 2 failed, deliberately not in date order. Newest first is:
    20240301-2, 20240301, 20240215 (no date_finished), 20240201, 20240105 (no dates at all)."""
    return [
        _analysis("20240201", "success", "2024-02-01T08:00:00Z", "2024-02-01T10:00:00Z"),
        _analysis("20240301", "success", "2024-03-01T08:00:00Z", "2024-03-01T09:00:00Z"),
        _analysis("20240310", "error", "2024-03-10T08:00:00Z", None),
        _analysis("20240105", "success", None, None),
        _analysis("20240301-2", "success", "2024-03-01T12:00:00Z", "2024-03-01T13:30:00+00:00"),
        _analysis("20240320", "failed", "2024-03-20T08:00:00Z", "2024-03-20T08:05:00Z"),
        _analysis("20240215", "success", "2024-02-15T08:00:00", None),
    ]


@dataclass
class FakeJob:
    job_id: str | int
    payload: dict[str, Any]
    date_created: str
    polls: int = 0
    fail: bool = False
    fail_style: str = "error"
    fail_reason: str = ""
    without_results: bool = False
    download_key: str = ""
    signature: str = ""
    filename: str = ""
    body: bytes = b""
    rows: int = 0


@dataclass
class FakeState:
    # accounts
    tokens: dict[str, str] = field(default_factory=lambda: {TOKEN: USERNAME, READONLY_TOKEN: USERNAME})
    forbidden_tokens: set[str] = field(default_factory=lambda: {READONLY_TOKEN})
    token: str = TOKEN
    username: str = USERNAME
    # data
    projects: list[dict[str, Any]] = field(default_factory=default_projects)
    analyses: dict[tuple[str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: {(ORG, PROJECT): default_analyses(), (ORG, "blog"): []}
    )
    forbidden_projects: set[tuple[str, str]] = field(default_factory=set)
    # segments per project, as the analysis detail's features.segments.names; a project missing here
    # has the feature off (features.segments null) and no segments.* field exists for it
    segments: dict[tuple[str, str], list[str]] = field(default_factory=lambda: {(ORG, PROJECT): ["pagetype"]})
    site: list[Page] = field(default_factory=build_site)
    # listing
    max_page_size: int = 100  # the server caps ?size= at this
    default_page_size: int = 100
    ignore_only_success: bool = False  # True: answer failed analyses even with only_success=true
    # fault injection (each counter is decremented as it fires)
    rate_limit_next: int = 0  # next K API calls -> 429 / 1053
    server_error_next: int = 0  # next K API calls -> 500
    slow_next: int = 0  # next K API calls are delayed by slow_seconds (still processed)
    slow_seconds: float = 0.5
    echo_token_in_errors: bool = False  # a hostile server that puts the token in its error message
    # jobs
    job_id_style: str = "alternate"  # "int", "str" or "alternate" (int, str, int, ...)
    status_sequence: list[str] = field(default_factory=lambda: ["CREATED", "PROCESSING"])
    fail_next_jobs: int = 0
    fail_style: str = "error"  # where the reason goes: "error", "failure_reason" or "results"
    fail_reason: str = "Export failed: the query timed out"
    done_without_results_next: int = 0
    misleading_extension: bool = False  # serve zip under .gz names and vice versa
    max_export_rows: int = 1_000_000  # the direct-download cap (Botify's default; plans may raise it)
    # Botify's error 1058 "An advanced export is already running": when True, a create is refused
    # while another export of the user is not yet DONE/FAILED (off by default, as exports then overlap)
    one_export_at_a_time: bool = False
    # fault injection on POST /v1/jobs only (each decremented as it fires)
    rate_limit_job_posts_next: int = 0  # 429 / 1053: refused, nothing created
    server_error_job_posts_next: int = 0  # 500 before anything is created
    lose_job_response_next: int = 0  # the job IS created, the answer comes slow_seconds late
    listing_hides_jobs: bool = False  # GET /v1/jobs lists nothing (a listing lagging behind)
    # downloads
    download_content_encoding: bool = False  # add "Content-Encoding: gzip" to gzip bodies (S3 style)
    truncate_downloads_next: int = 0  # send half the body then close the connection
    # records
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, query)
    auth_headers: list[str | None] = field(default_factory=list)
    job_posts: int = 0  # every POST /v1/jobs that reached the server, accepted or not
    jobs_created: int = 0
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    download_requests: list[dict[str, Any]] = field(default_factory=list)
    download_auth_rejected: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1001))

    def add_project(self, slug: str, *, segments: list[str] | None, owner: str = ORG) -> None:
        """Another project of ``owner`` with the default analyses, the same site and these segments
        (None: the segments feature is off)."""
        self.projects.append(_project(slug, slug.title(), owner, legacy=False))
        self.analyses[(owner, slug)] = default_analyses()
        if segments is None:
            self.segments.pop((owner, slug), None)
        else:
            self.segments[(owner, slug)] = list(segments)


def error(status: int, code: str | int | None, message: str, detail: dict | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": {"message": message}}
    if code is not None:
        body["error"]["error_code"] = str(code)
    if detail:
        body["error"]["error_detail"] = detail
    return JSONResponse(body, status_code=status)


class BadRequest(Exception):
    def __init__(self, message: str, code: str = "1020", status: int = 400):
        super().__init__(message)
        self.response = error(status, code, message)


# ------------------------------------------------------------------------------------------------
# API app


_TOKEN_RE = re.compile(r"^\s*token\s+(\S+)\s*$", re.IGNORECASE)


def _int_param(request: Request, name: str, default: int, minimum: int = 1) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None
    if value < minimum:
        raise BadRequest(f"{name} must be >= {minimum}")
    return value


def paginate(request: Request, state: FakeState, items: list[Any]) -> JSONResponse:
    page = _int_param(request, "page", 1)
    size = min(_int_param(request, "size", state.default_page_size), state.max_page_size)
    start = (page - 1) * size
    chunk = items[start : start + size]
    nxt = (
        str(request.url.include_query_params(page=page + 1, size=size)) if start + size < len(items) else None
    )
    prev = str(request.url.include_query_params(page=page - 1, size=size)) if page > 1 else None
    return JSONResponse(
        {"count": len(items), "next": nxt, "previous": prev, "page": page, "size": size, "results": chunk}
    )


class BQL:
    """Just enough BQL for the queries Cardflow sends: fields, sum/count metrics, filter trees."""

    PREDICATES = ("eq", "contains", "starts", "ends", "re", "lt", "lte", "gt", "gte", "between", "exists")

    def __init__(self, state: FakeState, org: str, project: str, body: Any):
        if not isinstance(body, dict):
            raise BadRequest("Body must be a JSON object")
        collections = body.get("collections")
        query = body.get("query")
        if not isinstance(collections, list) or not collections or not isinstance(query, dict):
            raise BadRequest("collections (non-empty list) and query are required")
        if "dimensions" not in query or "metrics" not in query:
            raise BadRequest("query.dimensions and query.metrics are required (metrics may be empty)")
        if not isinstance(query["dimensions"], list) or not isinstance(query["metrics"], list):
            raise BadRequest("query.dimensions and query.metrics must be lists")
        known = {a["slug"] for a in state.analyses.get((org, project), [])}
        self.slugs = set()
        for coll in collections:
            m = re.fullmatch(r"crawl\.(.+)", str(coll))
            if not m:
                raise BadRequest(f"Collection {coll!r} does not exist", "1029")
            if m.group(1) not in known:
                raise BadRequest(f"Analysis {m.group(1)} not found", "1004", 404)
            self.slugs.add(m.group(1))
        self.site = state.site
        self.segment_names = set(state.segments.get((org, project)) or [])
        self.dimensions = [self.field(d) for d in query["dimensions"]]
        self.metrics = [self.metric(m) for m in query["metrics"]]
        self.filters = query.get("filters")
        if self.filters is not None:
            self.check_filter(self.filters)

    def field(self, spec: Any) -> str:
        if isinstance(spec, dict) and "field" in spec:
            spec = spec["field"]
        if not isinstance(spec, str):
            raise BadRequest(f"Bad field {spec!r}")
        if spec == "url":
            return "url"
        m = re.fullmatch(r"crawl\.([^.]+)\.(.+)", spec)
        seg = re.fullmatch(r"segments\.([^.]+)\.value", m.group(2)) if m else None
        known = m is not None and (m.group(2) in PAGE_FIELDS or (seg is not None and seg.group(1) in self.segment_names))
        if not m or m.group(1) not in self.slugs or not known:
            raise BadRequest(f"Field {spec} does not exist", "1029")
        return m.group(2)

    def metric(self, spec: Any) -> tuple[str, str]:
        if isinstance(spec, dict) and spec.get("function") in ("sum", "count"):
            args = spec.get("args") or []
            if spec["function"] == "count" and not args:
                return "count", "url"
            if len(args) != 1:
                raise BadRequest("metric functions take one argument")
            return spec["function"], self.field(args[0])
        raise BadRequest(f"Unsupported metric {spec!r}", "1029")

    def check_filter(self, node: Any) -> None:
        if not isinstance(node, dict):
            raise BadRequest("filters must be objects")
        for op in ("and", "or"):
            if op in node:
                if not isinstance(node[op], list):
                    raise BadRequest(f"{op} takes a list")
                for child in node[op]:
                    self.check_filter(child)
                return
        if "not" in node:
            self.check_filter(node["not"])
            return
        self.field(node.get("field"))
        pred, value = node.get("predicate"), node.get("value")
        if pred not in self.PREDICATES:
            raise BadRequest(f"Unknown predicate {pred!r}")
        if pred in ("lt", "lte", "gt", "gte") and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            raise BadRequest(f"{pred} needs a number, got {value!r}")

    def match(self, page: Page, node: Any) -> bool:
        if node is None:
            return True
        if "and" in node:
            return all(self.match(page, c) for c in node["and"])
        if "or" in node:
            return any(self.match(page, c) for c in node["or"])
        if "not" in node:
            return not self.match(page, node["not"])
        actual = page_value(page, self.field(node["field"]))
        pred, value = node["predicate"], node.get("value")
        if pred == "exists":
            return actual not in (None, "", [])
        if pred == "eq":
            return actual == value
        if pred == "lt":
            return actual < value
        if pred == "lte":
            return actual <= value
        if pred == "gt":
            return actual > value
        if pred == "gte":
            return actual >= value
        if pred == "between":
            return value[0] <= actual <= value[1]
        text = str(actual)
        return {
            "contains": value in text,
            "starts": text.startswith(value),
            "ends": text.endswith(value),
            "re": re.search(value, text) is not None,
        }[pred]

    def rows(self) -> list[list[Any]]:
        """Dimension rows (multi-valued fields explode into one row per value)."""
        out: list[list[Any]] = []
        for page in self.site:
            if not self.match(page, self.filters):
                continue
            values = [page_value(page, d) for d in self.dimensions]
            lists = [v if isinstance(v, list) else [v] for v in values]
            out.extend([list(combo) for combo in itertools.product(*lists)])
        return out

    def results(self) -> list[dict[str, Any]]:
        pages = [p for p in self.site if self.match(p, self.filters)]
        if not self.metrics:
            return [{"dimensions": r, "metrics": []} for r in self.rows()]
        groups: dict[tuple, list[Page]] = {}
        for page in pages:
            key = tuple(str(page_value(page, d)) for d in self.dimensions)
            groups.setdefault(key, []).append(page)
        if not self.dimensions:
            groups.setdefault((), [])
        results = []
        for key, members in groups.items():
            metrics = []
            for fn, fld in self.metrics:
                if fn == "count":
                    metrics.append(len(members))
                else:
                    total = sum(page_value(p, fld) for p in members)
                    metrics.append(total if members else None)
            results.append({"dimensions": list(key), "metrics": metrics})
        return results


def create_app(fake: FakeBotify) -> Starlette:
    def state() -> FakeState:
        return fake.state

    async def guard(request: Request) -> tuple[str | None, JSONResponse | None]:
        """Fault injection, then auth. Returns (username, error response)."""
        st = state()
        st.requests.append((request.method, request.url.path, request.url.query))
        st.auth_headers.append(request.headers.get("authorization"))
        if request.method == "POST" and request.url.path == "/v1/jobs":
            st.job_posts += 1
        if st.slow_next > 0:  # the request is read and then processed late: the work still happens
            st.slow_next -= 1
            await request.body()
            await asyncio.sleep(st.slow_seconds)
        if st.rate_limit_next > 0:
            st.rate_limit_next -= 1
            return None, error(429, "1053", "Too many requests")
        if st.server_error_next > 0:
            st.server_error_next -= 1
            return None, JSONResponse({"error": {"message": "Internal Server Error"}}, status_code=500)
        header = request.headers.get("authorization")
        m = _TOKEN_RE.match(header or "")
        token = m.group(1) if m else None
        if token is None or token not in st.tokens:
            msg = "Not Authorized"
            if st.echo_token_in_errors and token:
                msg = f"Invalid token {token}"
            return None, error(401, "1001", msg)
        if token in st.forbidden_tokens:
            msg = f"Permission denied for token {token}" if st.echo_token_in_errors else "Permission denied"
            return None, error(403, "1002", msg)
        return st.tokens[token], None

    def find_project(user: str, org: str, project: str) -> JSONResponse | None:
        st = state()
        if not any(p["slug"] == project and _owner(p) == org for p in st.projects):
            return error(404, "1010", f"Project {org}/{project} not found")
        if (org, project) in st.forbidden_projects:
            return error(403, "1002", "Permission denied")
        return None

    def endpoint(fn):
        async def wrapper(request: Request) -> Response:
            user, err = await guard(request)
            if err is not None:
                return err
            try:
                return await fn(request, user)
            except BadRequest as exc:
                return exc.response

        return wrapper

    @endpoint
    async def profile(request: Request, user: str) -> Response:
        return JSONResponse(
            {"data": {"username": user, "email": f"{user}@example.com", "first_name": "Alice"}}
        )

    @endpoint
    async def projects(request: Request, user: str) -> Response:
        username = request.path_params["username"]
        st = state()
        if username != user:
            known = set(st.tokens.values()) | {_owner(p) for p in st.projects}
            return (
                error(403, "1002", "Permission denied")
                if username in known
                else error(404, "1007", f"User {username} not found")
            )
        items = st.projects
        name = request.query_params.get("name")
        if name:
            items = [p for p in items if name.lower() in p["name"].lower()]
        return paginate(request, st, items)

    @endpoint
    async def analyses(request: Request, user: str) -> Response:
        org, project = request.path_params["username"], request.path_params["project"]
        if (err := find_project(user, org, project)) is not None:
            return err
        st = state()
        only = request.query_params.get("only_success", "true").lower() not in ("false", "0", "no")
        items = st.analyses.get((org, project), [])
        if only and not st.ignore_only_success:
            items = [a for a in items if a.get("status") == "success"]
        return paginate(request, st, items)

    @endpoint
    async def analysis_detail(request: Request, user: str) -> Response:
        """``GET /v1/analyses/{username}/{project}/{slug}``: segment names at features.segments.names
        (null when the project has no segments), as Botify's segments docs show."""
        org, project = request.path_params["username"], request.path_params["project"]
        if (err := find_project(user, org, project)) is not None:
            return err
        st = state()
        slug = request.path_params["analysis"]
        item = next((a for a in st.analyses.get((org, project), []) if a["slug"] == slug), None)
        if item is None:
            return error(404, "1004", f"Analysis {slug} not found")
        names = st.segments.get((org, project))
        segments = None if names is None else {
            "names": list(names), "rules_raw": "\n\n".join(f"[dim:{n}]\n\n@{n}" for n in names)}
        return JSONResponse({**item, "owner": org, "user": {"login": org},
                             "features": {"segments": segments, "main": {"lang": "en"}}, "config": {}})

    @endpoint
    async def list_jobs(request: Request, user: str) -> Response:
        """``GET /v1/jobs?job_type=&project=&analysis=``: the user's jobs, newest first, paginated.
        Listing is not polling: it does not move a job's status on."""
        st = state()
        q = request.query_params
        items = [] if st.listing_hides_jobs else [
            job_json(job, listed_status(job)[0], user, listed_status(job)[1]) for job in reversed(list(st.jobs.values()))
            if (not q.get("job_type") or q["job_type"] == "export")
            and (not q.get("project") or job.payload.get("project") == q["project"])
            and (not q.get("analysis") or f"crawl.{q['analysis']}" in job.payload["query"]["collections"])]
        return paginate(request, st, items)

    def running(job: FakeJob) -> bool:
        return job.polls <= len(state().status_sequence)

    def listed_status(job: FakeJob) -> tuple[str, Any]:
        if running(job):
            return (state().status_sequence[job.polls - 1] if job.polls else "CREATED"), None
        body = final_json(job, "")
        return body["job_status"], body["results"]

    @endpoint
    async def collections(request: Request, user: str) -> Response:
        org, project = request.path_params["username"], request.path_params["project"]
        if (err := find_project(user, org, project)) is not None:
            return err
        st = state()
        out = []
        for a in st.analyses.get((org, project), []):
            if a.get("status") != "success":
                continue
            day = a["slug"][:8]
            out.append(
                {
                    "id": f"crawl.{a['slug']}",
                    "name": f"Crawl {a['slug']}",
                    "date": f"{day[:4]}-{day[4:6]}-{day[6:]}T00:00:00Z",
                    "timestamped": True,
                }
            )
        out += [
            {"id": "search_console", "name": "Search Console", "timestamped": False},
            {"id": "logs", "name": "Logs", "timestamped": False},
        ]
        return JSONResponse(out)  # a bare array, not paginated

    async def json_body(request: Request) -> Any:
        ctype = request.headers.get("content-type", "")
        if "application/json" not in ctype:
            raise BadRequest("Content-Type must be application/json")
        try:
            return await request.json()
        except ValueError:
            raise BadRequest("Body is not valid JSON") from None

    @endpoint
    async def query(request: Request, user: str) -> Response:
        org, project = request.path_params["username"], request.path_params["project"]
        if (err := find_project(user, org, project)) is not None:
            return err
        bql = BQL(state(), org, project, await json_body(request))
        return paginate(request, state(), bql.results())

    @endpoint
    async def create_job(request: Request, user: str) -> Response:
        st = state()
        if st.rate_limit_job_posts_next > 0:
            st.rate_limit_job_posts_next -= 1
            return error(429, "1053", "Too many requests")
        if st.server_error_job_posts_next > 0:
            st.server_error_job_posts_next -= 1
            return JSONResponse({"error": {"message": "Internal Server Error"}}, status_code=500)
        body = await json_body(request)
        if not isinstance(body, dict) or "job_type" not in body or "payload" not in body:
            raise BadRequest("job_type and payload are required")
        if body["job_type"] != "export":
            raise BadRequest(f"Unknown job_type {body['job_type']!r}")
        payload = body["payload"]
        if not isinstance(payload, dict):
            raise BadRequest("payload must be an object")
        org, project = payload.get("username"), payload.get("project")
        if not org or not project:
            raise BadRequest("payload.username and payload.project are required")
        if (err := find_project(user, org, project)) is not None:
            return err
        size = payload.get("export_size")
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= st.max_export_rows:
            raise BadRequest(f"export_size must be an integer between 1 and {st.max_export_rows}")
        if payload.get("formatter", "csv") != "csv":
            raise BadRequest("This fake only formats csv")
        if payload.get("connector") != "direct_download":
            raise BadRequest("connector must be direct_download")
        fconf = payload.get("formatter_config") or {}
        if fconf.get("header_format", "verbose") not in ("verbose", "slug", "collection_slug"):
            raise BadRequest("header_format must be verbose, slug or collection_slug")
        extra = payload.get("extra_config") or {}
        if extra.get("filetype", "gzip") not in ("gzip", "zip"):
            raise BadRequest("extra_config.filetype must be zip")
        bql = BQL(st, org, project, payload.get("query"))
        if bql.metrics:
            raise BadRequest("This fake exports dimension rows only (metrics must be [])")
        if st.one_export_at_a_time and any(running(j) for j in st.jobs.values()):
            return error(400, "1058", "An advanced export is already running")
        n = next(st._ids)
        style = st.job_id_style
        as_int = style == "int" or (style == "alternate" and n % 2 == 1)
        job = FakeJob(
            job_id=n if as_int else str(n),
            payload=payload,
            date_created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        )
        if st.fail_next_jobs > 0:
            st.fail_next_jobs -= 1
            job.fail, job.fail_style, job.fail_reason = True, st.fail_style, st.fail_reason
        elif st.done_without_results_next > 0:
            st.done_without_results_next -= 1
            job.without_results = True
        else:
            zipped = extra.get("filetype") == "zip"
            job.body, job.rows = render_export(bql, fconf, size, zipped)
            job.download_key = secrets.token_hex(8)
            job.signature = secrets.token_hex(16)
            ext = ".zip" if zipped else ".csv.gz"
            if st.misleading_extension:
                ext = ".csv.gz" if zipped else ".zip"
            job.filename = f"{org}-{project}-{n}{ext}"
        st.jobs[str(n)] = job
        st.jobs_created += 1
        if st.lose_job_response_next > 0:  # made, but the answer outlives the client's timeout
            st.lose_job_response_next -= 1
            await asyncio.sleep(st.slow_seconds)
        return JSONResponse(job_json(job, "CREATED", user), status_code=201)

    def job_json(job: FakeJob, status: str, user: str, results: Any = None) -> dict[str, Any]:
        return {
            "job_id": job.job_id,
            "job_type": "export",
            "job_url": f"/v1/jobs/{job.job_id}",
            "job_status": status,
            "payload": job.payload,
            "results": results,
            "date_created": job.date_created,
            "user": user,
            "metadata": None,
        }

    @endpoint
    async def get_job(request: Request, user: str) -> Response:
        st = state()
        job = st.jobs.get(request.path_params["job_id"])
        if job is None:
            return error(404, None, "Not found.")
        job.polls += 1
        if job.polls <= len(st.status_sequence):
            return JSONResponse(job_json(job, st.status_sequence[job.polls - 1], user))
        return JSONResponse(final_json(job, user))

    def final_json(job: FakeJob, user: str) -> dict[str, Any]:
        """A finished job: FAILED (its reason where ``fail_style`` says) or DONE with a download URL."""
        if job.fail:
            body = job_json(job, "FAILED", user)
            if job.fail_style == "error":
                body["error"] = {"error_code": "1060", "message": job.fail_reason}
            elif job.fail_style == "failure_reason":
                body["failure_reason"] = job.fail_reason
            else:
                body["results"] = {"message": job.fail_reason}
            return body
        if job.without_results:
            return job_json(job, "DONE", user, None)
        url = (
            f"{fake.download_base_url}/exports/{job.download_key}/{job.filename}"
            f"?X-Amz-Expires=3600&X-Amz-Signature={job.signature}"
        )
        return job_json(job, "DONE", user, {"download_url": url})

    async def not_found(request: Request) -> Response:
        state().requests.append((request.method, request.url.path, request.url.query))
        return error(404, None, "Not found.")

    routes = [
        Route("/v1/authentication/profile", profile),
        Route("/v1/projects/{username}", projects),
        Route("/v1/analyses/{username}/{project}/light", analyses),
        Route("/v1/analyses/{username}/{project}/{analysis}", analysis_detail),
        Route("/v1/projects/{username}/{project}/collections", collections),
        Route("/v1/projects/{username}/{project}/query", query, methods=["POST"]),
        Route("/v1/jobs", create_job, methods=["POST"]),
        Route("/v1/jobs", list_jobs, methods=["GET"]),
        Route("/v1/jobs/{job_id}", get_job),
        Route("/{path:path}", not_found, methods=["GET", "POST", "PUT", "DELETE"]),
    ]
    return Starlette(routes=routes)


def _owner(item: dict[str, Any]) -> str:
    if isinstance(item.get("organization"), dict):
        return item["organization"]["slug"]
    return item["user"]["login"]


def render_export(bql: BQL, fconf: dict[str, Any], size: int, zipped: bool) -> tuple[bytes, int]:
    """The export file: CSV (``sep=,`` line, header per header_format) in gzip or zip."""
    delim = fconf.get("delimiter", ",")
    buf = io.StringIO(newline="")
    if fconf.get("print_delimiter", True):
        buf.write(f"sep={delim}\r\n")
    writer = csv.writer(buf, delimiter=delim, lineterminator="\r\n")
    fmt = fconf.get("header_format", "verbose")
    slug = sorted(bql.slugs)[0]
    if fconf.get("print_header", True):
        header = []
        for d in bql.dimensions:
            header.append(
                VERBOSE.get(d, d.split(".")[1]) if fmt == "verbose" else d if fmt == "slug" or d == "url" else f"crawl.{slug}.{d}"
            )
        writer.writerow(header)
    rows = bql.rows()[:size]
    for row in rows:
        writer.writerow(["true" if v is True else "false" if v is False else v for v in row])
    data = buf.getvalue().encode("utf-8")
    if zipped:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("export.csv", data)
        return out.getvalue(), len(rows)
    return gzip.compress(data, mtime=0), len(rows)


# ------------------------------------------------------------------------------------------------
# Download ("CDN") app


class _TruncatedResponse(Response):
    """Announces the full Content-Length, sends half, then returns: uvicorn drops the connection."""

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send(
            {"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True}
        )


def create_download_app(fake: FakeBotify) -> Starlette:
    async def download(request: Request) -> Response:
        st = fake.state
        auth = request.headers.get("authorization")
        st.download_requests.append(
            {
                "path": request.url.path,
                "query": request.url.query,
                "authorization": auth,
                "host": request.headers.get("host"),
            }
        )
        if auth is not None:
            st.download_auth_rejected += 1
            return Response(
                "<Error><Code>AccessDenied</Code><Message>Only one auth mechanism allowed</Message></Error>",
                status_code=403,
                media_type="application/xml",
            )
        key, name = request.path_params["key"], request.path_params["name"]
        job = next((j for j in st.jobs.values() if j.download_key == key and j.filename == name), None)
        if job is None:
            return Response("<Error><Code>NoSuchKey</Code></Error>", 404, media_type="application/xml")
        if request.query_params.get("X-Amz-Signature") != job.signature:
            return Response(
                "<Error><Code>SignatureDoesNotMatch</Code></Error>", 403, media_type="application/xml"
            )
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        zipped = job.body.startswith(b"PK")
        if st.download_content_encoding and not zipped:
            headers["Content-Encoding"] = "gzip"
        media = "application/zip" if zipped else "application/gzip"
        if st.truncate_downloads_next > 0:
            st.truncate_downloads_next -= 1
            return _TruncatedResponse(job.body, media_type=media, headers=headers)
        return Response(job.body, media_type=media, headers=headers)

    return Starlette(routes=[Route("/exports/{key}/{name}", download)])


# ------------------------------------------------------------------------------------------------
# Running it


class FakeBotify:
    """Handle on the running fake: ``base_url``, ``download_base_url``, ``state``, ``reset()``."""

    def __init__(self, state: FakeState | None = None):
        self.state = state or FakeState()
        self.base_url = ""
        self.download_base_url = ""

    def reset(self, **overrides: Any) -> FakeState:
        self.state = FakeState(**overrides)
        return self.state

    def __str__(self) -> str:
        return self.base_url


def _bind() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this; without it every response waits ~40 ms (Nagle + delayed ACK).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@contextlib.contextmanager
def run_fake_botify(state: FakeState | None = None) -> Iterator[FakeBotify]:
    """Run the API (127.0.0.1) and the download host (localhost, other port) in a thread."""
    fake = FakeBotify(state)
    api_sock, dl_sock = _bind(), _bind()
    fake.base_url = f"http://127.0.0.1:{api_sock.getsockname()[1]}"
    fake.download_base_url = f"http://localhost:{dl_sock.getsockname()[1]}"
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                app,
                http="h11",
                lifespan="off",
                log_config=None,
                log_level="critical",
                access_log=False,
                timeout_graceful_shutdown=1,
            )
        )
        for app in (create_app(fake), create_download_app(fake))
    ]

    async def serve() -> None:
        await asyncio.gather(servers[0].serve(sockets=[api_sock]), servers[1].serve(sockets=[dl_sock]))

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="fake-botify", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not all(s.started for s in servers):
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("fake Botify did not start")
        time.sleep(0.01)
    try:
        yield fake
    finally:
        for s in servers:
            s.should_exit = True
        thread.join(timeout=10)
        api_sock.close()
        dl_sock.close()


if __name__ == "__main__":  # python -m tests.fakes.botify: run it by hand
    with run_fake_botify() as running:
        print(f"API {running.base_url}  downloads {running.download_base_url}  token {TOKEN}")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)
