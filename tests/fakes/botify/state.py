"""The fake's state: accounts, projects, analyses, jobs and the faults to inject, as plain data."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.botify.site import Page, build_site

USERNAME = "alice"
TOKEN = "tok-alice-5f3c9e1d7a"
READONLY_TOKEN = "tok-readonly-0b7d"  # valid, but 403 (1002) everywhere
ORG = "acme"
PROJECT = "shop"


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
