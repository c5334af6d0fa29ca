"""Async Botify API client (httpx), following /work/shared/botify-api.md.

Rules this module keeps:
- The token goes only into the ``Authorization: Token ...`` header of requests to the configured
  base URL. Absolute ``next`` / ``job_url`` links are reduced to their path and joined onto the base,
  so a link pointing at another host never receives the token. The token never appears in
  exception messages, reprs or log lines; exceptions do not chain httpx errors (whose request
  objects carry the headers).
- GETs and /query are retried on 429, 5xx, timeouts and connection errors, with exponential backoff
  and jitter. ``POST /v1/jobs`` is never retried: Botify has no idempotency key, so a retry could
  start a second export. It raises :class:`BotifyJobCreateError` instead.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from loguru import logger

from . import queries

DEFAULT_BASE_URL = "https://api.botify.com"
APP_HOST = "app.botify.com"
JOB_RUNNING = ("CREATED", "PROCESSING")
JOB_DONE = "DONE"
JOB_FAILED = "FAILED"

_HINTS = {
    "1001": "Botify rejected the API token. Copy it again from app.botify.com/account "
    "(regenerating it there invalidates the old one).",
    "1002": "The token is valid but has no permission for this resource.",
    "1004": "Botify does not know this analysis.",
    "1007": "Botify does not know this user.",
    "1010": "Botify does not know this project.",
    "1020": "Botify says the request is badly formatted.",
    "1029": "Botify says a field in the query does not exist.",
    "1053": "Botify rate limit reached (5 calls per second per operation); try again shortly.",
    "1060": "The Botify export failed.",
}
_STATUS_CODES = {401: "1001", 403: "1002", 429: "1053"}


class BotifyError(Exception):
    """An error from Botify (or from reaching it). Never contains the token.

    ``status`` is the HTTP status (None for network errors), ``code`` Botify's ``error_code``
    (as a string) when the body had one, ``message`` its message. ``transient`` is True for
    429, 5xx and network errors: retrying later may succeed.
    """

    def __init__(self, status: int | None, code: str | None, message: str, *, transient: bool = False):
        self.status = status
        self.code = None if code is None else str(code)
        self.message = message
        self.transient = transient
        super().__init__(self._text())

    def _text(self) -> str:
        bits = [f"HTTP {self.status}" if self.status else "network", f"code {self.code}" if self.code else ""]
        return f"{self.message} [{', '.join(b for b in bits if b)}]"

    @property
    def hint(self) -> str:
        """A sentence for the user, from the error code (or the status when there is no code)."""
        code = self.code or _STATUS_CODES.get(self.status or 0)
        return _HINTS.get(code or "", self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r})"


class BotifyJobCreateError(BotifyError):
    """``POST /v1/jobs`` failed and was deliberately not retried.

    ``job_may_exist`` is True when Botify may have created the job anyway (timeout after sending,
    connection dropped, 5xx): look for it before creating another one.
    """

    def __init__(self, status, code, message, *, transient=False, job_may_exist: bool = False):
        self.job_may_exist = job_may_exist
        super().__init__(status, code, message, transient=transient)


class BotifyJobFailed(BotifyError):
    """The export job ended FAILED, or DONE without a download URL."""

    def __init__(self, job_id: str, reason: str):
        self.job_id = job_id
        self.reason = reason
        super().__init__(None, "1060", f"Export job {job_id} failed: {reason}")

    def _text(self) -> str:
        return self.message


class BotifyJobTimeout(BotifyError):
    """The job did not finish before the deadline. It may still finish: poll ``job_id`` again later."""

    def __init__(self, job_id: str, last_status: str | None, waited: float):
        self.job_id = job_id
        self.last_status = last_status
        super().__init__(
            None,
            None,
            f"Export job {job_id} still {last_status or 'unknown'} after {waited:.0f}s",
            transient=True,
        )

    def _text(self) -> str:
        return self.message


# ----------------------------------------------------------------------------------------------
# Pure helpers


_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ANALYSIS_SLUG_RE = re.compile(r"^(\d{8})(?:-(\d+))?$")


def parse_project_url(url: str) -> tuple[str, str]:
    """``https://app.botify.com/{org}/{project}/`` -> ``(org, project)``.

    Accepted: http or https or no scheme, any case in the host, with or without the trailing
    slash; anything after the project segment (an analysis slug, a report path, a query string or
    a fragment, as when the URL is copied from inside the app) is ignored. Rejected with a
    ``ValueError``: another host, fewer than two path segments, segments that are not slugs.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError(
            "Paste the project URL from Botify, like https://app.botify.com/your-org/your-project/"
        )
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    shown = url.strip() if len(url.strip()) <= 120 else url.strip()[:117] + "..."
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"Not a Botify project URL (scheme {parts.scheme!r}): {shown}")
    host = (parts.hostname or "").lower()
    if host != APP_HOST:
        raise ValueError(
            f"Not a Botify project URL: the host must be {APP_HOST}, got {host or 'none'!r} "
            f"(expected https://{APP_HOST}/{{org}}/{{project}}/)"
        )
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        raise ValueError(
            f"The URL needs both the organisation and the project: "
            f"https://{APP_HOST}/{{org}}/{{project}}/ (got {shown})"
        )
    org, project = segments[0], segments[1]
    for label, value in (("organisation", org), ("project", project)):
        if not _SLUG_RE.match(value):
            raise ValueError(f"The {label} part {value!r} of {shown} is not a Botify slug")
    return org, project


def project_owner(item: dict[str, Any]) -> str | None:
    """The owner of a project item: ``organization.slug`` (newer) or ``user.login`` (older)."""
    org = item.get("organization")
    if isinstance(org, dict) and org.get("slug"):
        return str(org["slug"])
    user = item.get("user")
    if isinstance(user, dict) and user.get("login"):
        return str(user["login"])
    if isinstance(org, dict) and isinstance(org.get("owner"), dict) and org["owner"].get("username"):
        return str(org["owner"]["username"])
    return None


def owners(projects: list[dict[str, Any]]) -> list[str]:
    """The organisations: distinct owners of the user's projects (there is no organisations endpoint)."""
    return sorted({p["owner"] for p in projects if p.get("owner")})


def _parse_dt(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def analysis_sort_key(item: dict[str, Any]) -> tuple[datetime, datetime, int]:
    """Newest-first key: ``date_finished``, else ``date_created``, else the slug ``YYYYMMDD[-N]``."""
    match = _ANALYSIS_SLUG_RE.match(str(item.get("slug", "")))
    slug_day = datetime.min.replace(tzinfo=UTC)
    slug_n = 0
    if match:
        try:
            slug_day = datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            pass
        slug_n = int(match.group(2) or 1)
    when = _parse_dt(item.get("date_finished")) or _parse_dt(item.get("date_created")) or slug_day
    return when, slug_day, slug_n


def propose_depth(counts: dict[int, int], export_size: int) -> int:
    """The largest depth whose edge count fits in ``export_size``; at least 1 (and 1 if counts is empty).

    When even depth 1 is too big the export is truncated by Botify at ``export_size`` rows.
    """
    fitting = [d for d, n in counts.items() if n <= export_size]
    return max(fitting) if fitting else 1


def failure_reason(job: dict[str, Any]) -> str:
    """Where Botify puts a FAILED job's reason is undocumented: error.message, failure_reason, results."""
    err = job.get("error")
    if isinstance(err, dict) and err.get("message"):
        return str(err["message"])
    if isinstance(err, str) and err:
        return err
    if job.get("failure_reason"):
        return str(job["failure_reason"])
    res = job.get("results")
    if isinstance(res, dict):
        for key in ("message", "error", "failure_reason"):
            if res.get(key):
                inner = res[key]
                return str(inner.get("message", inner) if isinstance(inner, dict) else inner)
        if res:
            return json.dumps(res)[:300]
    if isinstance(res, str) and res:
        return res[:300]
    return "no reason given by Botify"


def _results_dict(results: Any) -> dict[str, Any] | None:
    """The spec types ``results`` as a string; the docs show an object. Accept both."""
    if isinstance(results, dict):
        return results
    if isinstance(results, str) and results.strip():
        text = results.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
        if text.startswith(("http://", "https://")):
            return {"download_url": text}
    return None


# ----------------------------------------------------------------------------------------------


ProgressCallback = Callable[[dict[str, Any]], Awaitable[None] | None]


class BotifyClient:
    """``async with BotifyClient(token, base_url) as bf: await bf.verify()``."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        page_size: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        token = (token or "").strip()
        if not token:
            raise ValueError("A Botify API token is required")
        if any(c.isspace() for c in token):
            raise ValueError("The Botify API token must not contain spaces")
        self._token = token
        self.base_url = self._normalise_base(base_url or DEFAULT_BASE_URL)
        self.max_retries = max(0, int(max_retries))
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self.page_size = int(page_size)
        self._sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep  # tests may swap this
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    @staticmethod
    def _normalise_base(url: str) -> str:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"Botify base URL must be http(s)://host[:port], got {url!r}")
        path = parts.path.rstrip("/")
        if path.endswith("/v1"):  # tolerate "https://api.botify.com/v1"
            path = path[:-3]
        return f"{parts.scheme}://{parts.netloc}{path}"

    def __repr__(self) -> str:
        return f"BotifyClient(base_url={self.base_url!r}, token='***')"

    async def __aenter__(self) -> BotifyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- plumbing ---------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _url(self, path_or_url: str) -> str:
        """A path on the base. Absolute links keep only their path+query (never follow another host)."""
        parts = urlsplit(path_or_url)
        path = parts.path or "/"
        if not path.startswith("/"):
            path = "/" + path
        base_path = urlsplit(self.base_url).path
        if base_path and path.startswith(base_path + "/"):  # httpx adds the base path back
            path = path[len(base_path) :]
        return path + (f"?{parts.query}" if parts.query else "")

    def absolute(self, path_or_url: str) -> str:
        """Join a (possibly relative) Botify link onto the configured base URL."""
        return self.base_url + self._url(path_or_url)

    def _delay(self, attempt: int, response: httpx.Response | None = None) -> float:
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.strip().isdigit():
                return min(float(retry_after), self.backoff_max)
        capped = min(self.backoff_max, self.backoff_base * (2**attempt))
        return random.uniform(capped / 2, capped)  # "equal jitter"

    def _error_from(
        self, response: httpx.Response, cls: type[BotifyError] = BotifyError, **kw
    ) -> BotifyError:
        status = response.status_code
        code: str | None = None
        message = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            err = body["error"]
            code = None if err.get("error_code") is None else str(err["error_code"])
            message = str(err.get("message") or "")
        elif isinstance(body, dict) and body.get("detail"):
            message = str(body["detail"])
        if not message:
            message = _HINTS.get(code or _STATUS_CODES.get(status, ""), "") or (
                response.reason_phrase or f"HTTP {status}"
            )
        message = self._redact(message)[:500]
        transient = status == 429 or status >= 500
        return cls(status, code, message, transient=transient, **kw)

    def _describe(self, exc: Exception, method: str, url: str) -> str:
        return self._redact(f"{type(exc).__name__} on {method} {url.split('?')[0]}: {exc}")[:300]

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        retry: bool = True,
        ok: tuple[int, ...] = (200,),
    ) -> Any:
        url = self._url(path)
        attempt = 0
        while True:
            # Errors are raised outside the ``except`` blocks so they carry no __context__: an httpx
            # exception holds its request, and the request holds the Authorization header.
            what: str | None = None
            fatal = False
            try:
                response = await self._http.request(method, url, params=params, json=json_body)
            except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
                what, fatal = self._describe(exc, method, url), True
            except httpx.TransportError as exc:
                what = self._describe(exc, method, url)
            if what is not None:
                if fatal:
                    raise BotifyError(None, None, what)
                if not retry or attempt >= self.max_retries:
                    logger.warning("Botify {}; giving up after {} attempt(s)", what, attempt + 1)
                    raise BotifyError(None, None, what, transient=True)
                delay = self._delay(attempt)
                logger.info("Botify {}; retry {} in {:.2f}s", what, attempt + 1, delay)
                await self._sleep(delay)
                attempt += 1
                continue
            status = response.status_code
            logger.debug("Botify {} {} -> {}", method, url.split("?")[0], status)
            if status in ok:
                if status == 204 or not response.content:
                    return None
                try:
                    return response.json()
                except ValueError:
                    raise BotifyError(
                        status, None, f"Botify sent a non-JSON answer to {method} {url}"
                    ) from None
            if (status == 429 or status >= 500) and retry and attempt < self.max_retries:
                delay = self._delay(attempt, response)
                logger.info(
                    "Botify {} {} -> {}; retry {} in {:.2f}s", method, url, status, attempt + 1, delay
                )
                await self._sleep(delay)
                attempt += 1
                continue
            raise self._error_from(response)

    async def _paginate(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        next_path: str | None = path
        next_params: dict[str, Any] | None = {"page": 1, "size": self.page_size, **params}
        seen: set[str] = set()
        while next_path:
            key = next_path + json.dumps(next_params, sort_keys=True, default=str)
            if key in seen or len(seen) > 10_000:
                raise BotifyError(None, None, f"Botify pagination loops on {path}")
            seen.add(key)
            body = await self._request("GET", next_path, params=next_params)
            if isinstance(body, list):  # tolerate an unpaginated answer
                items.extend(x for x in body if isinstance(x, dict))
                break
            if not isinstance(body, dict):
                raise BotifyError(200, None, f"Unexpected answer from Botify for {path}")
            items.extend(x for x in body.get("results") or [] if isinstance(x, dict))
            nxt = body.get("next")
            next_path, next_params = (self._url(nxt), None) if nxt else (None, None)
        return items

    # -- endpoints --------------------------------------------------------------------------

    async def verify(self) -> str:
        """Check the token; return the username (``GET /v1/authentication/profile``, undocumented)."""
        body = await self._request("GET", "/v1/authentication/profile")
        data = body.get("data") if isinstance(body, dict) else None
        username = (data or {}).get("username") if isinstance(data, dict) else None
        username = username or (body.get("username") if isinstance(body, dict) else None)
        if not username:
            raise BotifyError(200, None, "Botify's profile answer has no username")
        return str(username)

    async def projects(self, username: str, *, name: str | None = None) -> list[dict[str, Any]]:
        """Every project of ``username`` (all pages). Each item gains ``owner`` (its organisation)."""
        params = {"name": name} if name else {}
        items = await self._paginate(f"/v1/projects/{username}", params)
        return [{**item, "owner": project_owner(item) or username} for item in items]

    async def collections(self, org: str, project: str) -> list[dict[str, Any]]:
        body = await self._request("GET", f"/v1/projects/{org}/{project}/collections")
        if isinstance(body, dict):  # the spec types it as one Collection; the docs show an array
            body = body.get("results", [body])
        return [c for c in body or [] if isinstance(c, dict)]

    async def project_exists(self, org: str, project: str) -> bool:
        """False on 404 (1010 unknown project); 401/403 and others raise :class:`BotifyError`."""
        try:
            await self.collections(org, project)
        except BotifyError as err:
            if err.status == 404:
                return False
            raise
        return True

    async def analyses(self, org: str, project: str) -> list[dict[str, Any]]:
        """Every successful analysis (all pages), newest first.

        Items with an explicit non-"success" status are dropped; items without a status are kept,
        since ``only_success=true`` already asked Botify to filter.
        """
        items = await self._paginate(f"/v1/analyses/{org}/{project}/light", {"only_success": "true"})
        good = [a for a in items if a.get("slug") and str(a.get("status", "success")).lower() == "success"]
        return sorted(good, key=analysis_sort_key, reverse=True)

    async def query(
        self, org: str, project: str, body: dict[str, Any], page: int = 1, size: int | None = None
    ) -> dict[str, Any]:
        """One page of a BQL query; returns the paginated envelope."""
        params = {"page": page, "size": size or self.page_size}
        return await self._request(
            "POST", f"/v1/projects/{org}/{project}/query", params=params, json_body=body
        )

    async def edge_count(self, org: str, project: str, analysis_slug: str, depth: int) -> int:
        body = await self.query(org, project, queries.edge_count_query(analysis_slug, depth), size=1)
        try:
            value = body["results"][0]["metrics"][0]
        except (KeyError, IndexError, TypeError):
            return 0
        return int(value or 0)

    async def edge_counts_by_depth(
        self, org: str, project: str, analysis_slug: str, max_depth: int = 10
    ) -> dict[int, int]:
        """``{depth: edges from pages at depth <= depth}`` for 1..max_depth, stopping once it stops growing."""
        counts: dict[int, int] = {}
        previous = None
        for depth in range(1, queries.as_depth(max_depth) + 1):
            counts[depth] = await self.edge_count(org, project, analysis_slug, depth)
            if previous is not None and counts[depth] <= previous:
                break
            previous = counts[depth]
        return counts

    # -- export jobs ------------------------------------------------------------------------

    async def create_export(
        self,
        org: str,
        project: str,
        query: dict[str, Any],
        *,
        export_size: int,
        filetype: str | None = None,
    ) -> dict[str, Any]:
        """Start one export job. Never retried: save ``job_id`` at once and poll it after a restart.

        Returns ``{"job_id": str, "job_url": absolute URL, "job_status": str}``.
        """
        body = queries.export_job_body(org, project, query, export_size=export_size, filetype=filetype)
        url = self._url("/v1/jobs")
        failure: tuple[str, bool] | None = None
        try:
            response = await self._http.post(url, json=body)
        except httpx.TransportError as exc:
            # A connect failure means nothing was sent; anything later may have created the job.
            failure = type(exc).__name__, not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
        if failure is not None:  # raised outside ``except``: no __context__ holding the request
            raise BotifyJobCreateError(
                None,
                None,
                f"Creating the export failed ({failure[0]}); not retried automatically "
                "because Botify has no idempotency and a retry could start a second export",
                transient=True,
                job_may_exist=failure[1],
            )
        logger.debug("Botify POST /v1/jobs -> {}", response.status_code)
        if response.status_code not in (200, 201):
            may_exist = response.status_code >= 500
            raise self._error_from(response, BotifyJobCreateError, job_may_exist=may_exist)
        try:
            data = response.json()
        except ValueError:
            raise BotifyJobCreateError(
                response.status_code, None, "Botify sent a non-JSON job", job_may_exist=True
            ) from None
        job_id = data.get("job_id") if isinstance(data, dict) else None
        if job_id is None or isinstance(job_id, bool) or str(job_id).strip() == "":
            raise BotifyJobCreateError(
                response.status_code, None, "Botify's job answer has no job_id", job_may_exist=True
            )
        job_id = str(job_id).strip()
        job_url = data.get("job_url") or f"/v1/jobs/{job_id}"
        return {
            "job_id": job_id,
            "job_url": self.absolute(job_url),
            "job_status": data.get("job_status") or "CREATED",
        }

    async def poll_job(self, job_id: str | int) -> dict[str, Any]:
        """One poll. Returns ``{job_id, job_status, download_url, failure_reason, results, raw}``."""
        job_id = str(job_id).strip()
        if not job_id or "/" in job_id:
            raise ValueError(f"Bad job id {job_id!r}")
        data = await self._request("GET", f"/v1/jobs/{job_id}")
        if not isinstance(data, dict):
            raise BotifyError(200, None, f"Unexpected answer when polling job {job_id}", transient=True)
        status = str(data.get("job_status") or "").upper()
        results = _results_dict(data.get("results"))
        download_url = results.get("download_url") if results else None
        if download_url and not str(download_url).startswith(("http://", "https://")):
            download_url = None
        return {
            "job_id": job_id,
            "job_status": status,
            "download_url": download_url,
            "failure_reason": failure_reason(data) if status == JOB_FAILED else None,
            "results": results,
            "raw": data,
        }

    async def wait_job(
        self,
        job_id: str | int,
        *,
        on_progress: ProgressCallback | None = None,
        deadline: float | None = 3600.0,
        poll_interval: float = 2.0,
        max_interval: float = 30.0,
    ) -> dict[str, Any]:
        """Poll until DONE (returns :meth:`poll_job`'s dict with a ``download_url``).

        ``deadline`` is the time budget in seconds (None: no limit). Unknown statuses count as
        running; 429/5xx/network errors are retried by the poll and then tolerated until the
        deadline; 401/403/404 raise. FAILED, or DONE without a download URL, raise
        :class:`BotifyJobFailed`; running out of time raises :class:`BotifyJobTimeout`.
        ``on_progress`` (sync or async) gets ``{job_id, job_status, polls, elapsed, error}`` after
        every poll.
        """
        job_id = str(job_id)
        start = time.monotonic()
        interval = max(0.0, poll_interval)
        polls = 0
        last_status: str | None = None
        while True:
            polls += 1
            error: str | None = None
            job: dict[str, Any] | None = None
            try:
                job = await self.poll_job(job_id)
                last_status = job["job_status"]
            except BotifyError as err:
                if not err.transient:
                    raise
                error = str(err)
            elapsed = time.monotonic() - start
            if on_progress is not None:
                result = on_progress(
                    {
                        "job_id": job_id,
                        "job_status": last_status,
                        "polls": polls,
                        "elapsed": elapsed,
                        "error": error,
                    }
                )
                if inspect.isawaitable(result):
                    await result
            if job is not None:
                if last_status == JOB_DONE:
                    if not job["download_url"]:
                        raise BotifyJobFailed(job_id, "Botify reported DONE without a download URL")
                    return job
                if last_status == JOB_FAILED:
                    raise BotifyJobFailed(job_id, self._redact(job["failure_reason"] or "no reason given"))
            remaining = None if deadline is None else deadline - elapsed
            if remaining is not None and remaining <= 0:
                raise BotifyJobTimeout(job_id, last_status, elapsed)
            pause = random.uniform(interval * 0.8, interval * 1.2) if interval else 0.0
            if remaining is not None:
                pause = min(pause, remaining)
            await self._sleep(pause)
            interval = min(max_interval, interval * 1.5 if interval else 0.0)
