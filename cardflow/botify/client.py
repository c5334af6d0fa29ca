"""Async client (httpx) for Botify's REST API v1 (``https://api.botify.com/v1``, token auth).

Rules this module keeps:
- The token goes only into the ``Authorization: Token ...`` header of requests to the configured
  base URL. Absolute ``next`` / ``job_url`` links are reduced to their path and joined onto the base,
  so a link pointing at another host never receives the token. The token never appears in
  exception messages, reprs or log lines; exceptions do not chain httpx errors (whose request
  objects carry the headers).
- GETs and /query are retried on 429, 5xx, timeouts and connection errors, with exponential backoff
  and jitter (the client's one backoff, :meth:`BotifyClient._delay`). ``POST /v1/jobs`` is retried
  only on request, and only when Botify refused it outright (see :mod:`cardflow.botify.jobs`).

The rest of the client lives beside it: the exceptions in ``errors.py``, pure project and
analysis helpers in ``projects.py``, the export-job endpoints (a mixin of :class:`BotifyClient`)
in ``jobs.py``, the one loop that waits for jobs in ``waiting.py``. Their public names are
re-exported here so ``from cardflow.botify.client import ...`` keeps working.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from loguru import logger

from . import queries
from .errors import (
    _HINTS,
    _STATUS_CODES,
    BotifyError,
    BotifyJobCreateError,
    BotifyJobFailed,
    BotifyJobTimeout,
    failure_reason,
)
from .jobs import (
    JOB_DONE,
    JOB_FAILED,
    JOB_RUNNING,
    ExportJobs,
    ProgressCallback,
    RefusedCallback,
    propose_depth,
)
from .projects import APP_HOST, analysis_segments, analysis_sort_key, owners, parse_project_url, project_owner
from .waiting import PollRound

__all__ = [
    "APP_HOST",
    "DEFAULT_BASE_URL",
    "JOB_DONE",
    "JOB_FAILED",
    "JOB_RUNNING",
    "BotifyClient",
    "BotifyError",
    "BotifyJobCreateError",
    "BotifyJobFailed",
    "BotifyJobTimeout",
    "PollRound",
    "ProgressCallback",
    "RefusedCallback",
    "analysis_segments",
    "analysis_sort_key",
    "failure_reason",
    "owners",
    "parse_project_url",
    "project_owner",
    "propose_depth",
]

DEFAULT_BASE_URL = "https://api.botify.com"


class BotifyClient(ExportJobs):
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
        max_export_rows: int = queries.MAX_DIRECT_DOWNLOAD_ROWS,
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
        self.max_export_rows = int(max_export_rows)  # the account's direct-download cap (a setting)
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

    def redact(self, text: str) -> str:
        """``text`` with the token masked: for anything Botify sends back that reaches a person."""
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
        self, response: httpx.Response, cls: type[BotifyError] = BotifyError, **kw: Any
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
        message = self.redact(message)[:500]
        transient = status == 429 or status >= 500
        return cls(status, code, message, transient=transient, **kw)

    def _describe(self, exc: Exception, method: str, url: str) -> str:
        return self.redact(f"{type(exc).__name__} on {method} {url.split('?')[0]}: {exc}")[:300]

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

    async def segments(self, org: str, project: str, analysis_slug: str) -> list[str]:
        """The analysis's segment names (``features.segments.names``), usable as export fields."""
        body = await self._request("GET", f"/v1/analyses/{org}/{project}/{analysis_slug}")
        return queries.segment_names(analysis_segments(body))

    async def query(
        self, org: str, project: str, body: dict[str, Any], page: int = 1, size: int | None = None
    ) -> dict[str, Any]:
        """One page of a BQL query; returns the paginated envelope."""
        params = {"page": page, "size": size or self.page_size}
        envelope: dict[str, Any] = await self._request(
            "POST", f"/v1/projects/{org}/{project}/query", params=params, json_body=body
        )
        return envelope

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

    async def page_counts_by_depth(
        self, org: str, project: str, analysis_slug: str, max_depth: int = 10
    ) -> dict[int, int]:
        """``{depth: 200 pages at depth <= depth}``: the metadata export's rows, for its credit cost.

        One grouped query (pages per depth) made cumulative here; depths with no page keep the
        count of the depth above them.
        """
        limit = queries.as_depth(max_depth)
        body = await self.query(org, project, queries.page_count_query(analysis_slug, limit), size=limit + 1)
        per_depth: dict[int, int] = {}
        for row in body.get("results") or []:
            try:
                depth, count = int(row["dimensions"][0]), int(row["metrics"][0] or 0)
            except (KeyError, IndexError, TypeError, ValueError):
                continue
            per_depth[depth] = per_depth.get(depth, 0) + count
        total, counts = 0, {}
        for depth in range(0, limit + 1):
            total += per_depth.get(depth, 0)
            counts[depth] = total
        return {d: n for d, n in counts.items() if d >= 1}
