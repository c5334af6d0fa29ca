"""The fake Botify API app: auth and fault injection, listings, BQL queries, export jobs."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.botify.bql import BQL, render_export
from tests.fakes.botify.responses import BadRequest, error, paginate
from tests.fakes.botify.state import FakeJob, FakeState

if TYPE_CHECKING:
    from tests.fakes.botify.server import FakeBotify

_TOKEN_RE = re.compile(r"^\s*token\s+(\S+)\s*$", re.IGNORECASE)


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
