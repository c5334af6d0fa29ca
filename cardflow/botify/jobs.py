"""Botify export jobs: create one, poll it, wait for it to finish, and pick a depth that fits.

``POST /v1/jobs`` is never repeated when it may have reached Botify: Botify has no idempotency
key, so a second try could start a second export. It raises :class:`BotifyJobCreateError`
instead, saying whether the job may exist anyway. Only a create Botify refused outright (429, or a
connection that was never made) may be tried again, when the caller asks, with the client's
backoff. Polls go through the client's retrying GET, so they may be repeated freely; the waiting
loop itself is :mod:`cardflow.botify.waiting`. Because a second create pays again (credits per
exported row), :meth:`ExportJobs.find_export` lists the project's export jobs so a caller can reuse
one of the same query first.

The job endpoints are a mixin of :class:`cardflow.botify.client.BotifyClient`, which supplies the
HTTP plumbing (see :class:`ExportJobs`).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from loguru import logger

from . import queries
from .errors import BotifyError, BotifyJobCreateError, failure_reason
from .waiting import JOB_DONE, JOB_FAILED, JOB_RUNNING, PollRound, RoundCallback, wait_jobs

__all__ = ["JOB_DONE", "JOB_FAILED", "JOB_RUNNING", "ExportJobs", "ProgressCallback", "RefusedCallback",
           "propose_depth"]

ProgressCallback = Callable[[dict[str, Any]], Awaitable[None] | None]
# on_refused(error, attempt from 0, seconds until the next try): told before each new try of a create.
RefusedCallback = Callable[[BotifyJobCreateError, int, float], Awaitable[None] | None]


def propose_depth(counts: dict[int, int], export_size: int) -> int:
    """The largest depth whose edge count fits in ``export_size``; at least 1 (and 1 if counts is empty).

    When even depth 1 is too big the export is truncated by Botify at ``export_size`` rows.
    """
    fitting = [d for d, n in counts.items() if n <= export_size]
    return max(fitting) if fitting else 1


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


def _payload(job: dict[str, Any]) -> dict[str, Any] | None:
    """A listed job's echoed payload: an object in the docs, typed as a string in the spec."""
    payload = job.get("payload")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    return payload if isinstance(payload, dict) else None


def _when(value: Any) -> datetime | None:
    """A job's ``date_created`` (ISO 8601, maybe with ``Z``) as an aware datetime, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class ExportJobs:
    """The export-job endpoints of :class:`~cardflow.botify.client.BotifyClient`.

    A mixin, not usable alone: it relies on the client's HTTP plumbing (declared below for type
    checkers only), so the token handling and retry rules live in one place.
    """

    if TYPE_CHECKING:
        _http: httpx.AsyncClient
        _sleep: Callable[[float], Awaitable[Any]]

        max_retries: int
        max_export_rows: int

        def _url(self, path_or_url: str) -> str: ...
        def absolute(self, path_or_url: str) -> str: ...
        def redact(self, text: str) -> str: ...
        def _delay(self, attempt: int, response: httpx.Response | None = None) -> float: ...
        def _error_from(
            self, response: httpx.Response, cls: type[BotifyError] = BotifyError, **kw: Any
        ) -> BotifyError: ...
        async def _request(
            self,
            method: str,
            path: str,
            *,
            params: dict[str, Any] | None = None,
            json_body: Any = None,
            retry: bool = True,
            ok: tuple[int, ...] = (200,),
        ) -> Any: ...
        async def _paginate(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...

    async def create_export(
        self,
        org: str,
        project: str,
        query: dict[str, Any],
        *,
        export_size: int,
        filetype: str | None = None,
        on_refused: RefusedCallback | None = None,
    ) -> dict[str, Any]:
        """Start one export job; save ``job_id`` at once and poll it after a restart.

        Never repeated by default. With ``on_refused``, a create Botify refused outright (transient,
        and the job cannot exist) is tried again up to ``max_retries`` times with the client's
        backoff, telling ``on_refused`` first; one that may have reached Botify never is.

        Returns ``{"job_id": str, "job_url": absolute URL, "job_status": str}``.
        """
        attempt = 0
        while True:
            try:
                return await self._create_once(org, project, query, export_size=export_size, filetype=filetype)
            except BotifyJobCreateError as err:
                if on_refused is None or err.job_may_exist or not err.transient or attempt >= self.max_retries:
                    raise
                delay = self._delay(attempt)
                told = on_refused(err, attempt, delay)
                if inspect.isawaitable(told):
                    await told
            await self._sleep(delay)
            attempt += 1

    async def _create_once(
        self, org: str, project: str, query: dict[str, Any], *, export_size: int, filetype: str | None
    ) -> dict[str, Any]:
        body = queries.export_job_body(org, project, query, export_size=export_size, filetype=filetype,
                                       max_rows=self.max_export_rows)
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

    async def export_jobs(self, org: str, project: str) -> list[dict[str, Any]]:
        """The project's export jobs, every page (``GET /v1/jobs?job_type=export&project=``).

        The spec's filters are ``job_type``, ``project`` (a slug) and ``analysis``; a project slug is
        only unique within its owner, so the owner is checked on each job's echoed payload.
        """
        items = await self._paginate("/v1/jobs", {"job_type": "export", "project": project})
        return [job for job in items if (_payload(job) or {}).get("username") == org]

    async def find_export(
        self,
        org: str,
        project: str,
        query: dict[str, Any],
        *,
        export_size: int,
        done_since: datetime | None = None,
    ) -> dict[str, Any] | None:
        """An existing export of exactly this query and size to reuse instead of paying again.

        A running one (CREATED, PROCESSING or an unknown status) always qualifies: waiting for it
        costs nothing. A DONE one only if created at or after ``done_since`` (None: never), because
        its download link may have expired; FAILED never. The newest match wins.
        Returns ``{"job_id", "job_status", "date_created"}`` or None.
        """
        found: list[tuple[datetime, dict[str, Any]]] = []
        for job in await self.export_jobs(org, project):
            payload = _payload(job) or {}
            if payload.get("query") != query or payload.get("export_size") != export_size:
                continue
            status = str(job.get("job_status") or "").upper()
            created = _when(job.get("date_created"))
            if status == JOB_FAILED or job.get("job_id") in (None, ""):
                continue
            if status == JOB_DONE and (done_since is None or created is None or created < done_since):
                continue
            found.append((created or datetime.min.replace(tzinfo=UTC), job))
        if not found:
            return None
        created, job = max(found, key=lambda pair: pair[0])
        return {"job_id": str(job["job_id"]).strip(), "job_status": str(job.get("job_status") or "").upper(),
                "date_created": job.get("date_created")}

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
            "failure_reason": self.redact(failure_reason(data)) if status == JOB_FAILED else None,
            "results": results,
            "raw": data,
        }

    async def wait_jobs(
        self,
        jobs: Mapping[str, str],
        *,
        on_round: RoundCallback | None = None,
        deadline: float | None = 3600.0,
        poll_interval: float = 2.0,
        max_interval: float = 30.0,
    ) -> dict[str, dict[str, Any]]:
        """Poll several jobs (name → job id) until all are DONE: see :func:`~cardflow.botify.waiting.wait_jobs`."""
        return await wait_jobs(self.poll_job, jobs, on_round=on_round, deadline=deadline,
                               interval=poll_interval, max_interval=max_interval, sleep=self._sleep)

    async def wait_job(
        self,
        job_id: str | int,
        *,
        on_progress: ProgressCallback | None = None,
        deadline: float | None = 3600.0,
        poll_interval: float = 2.0,
        max_interval: float = 30.0,
    ) -> dict[str, Any]:
        """Poll one job until DONE (returns :meth:`poll_job`'s dict with a ``download_url``).

        The rules are :func:`~cardflow.botify.waiting.wait_jobs`'. ``on_progress`` (sync or async)
        gets ``{job_id, job_status, polls, elapsed, error}`` after every poll that did not fail.
        """
        job_id = str(job_id)

        async def report(seen: PollRound) -> None:
            if on_progress is None:
                return
            err = seen.errors.get(job_id)
            result = on_progress({"job_id": job_id, "job_status": seen.statuses[job_id], "polls": seen.polls,
                                  "elapsed": seen.elapsed, "error": None if err is None else str(err)})
            if inspect.isawaitable(result):
                await result

        done = await self.wait_jobs({job_id: job_id}, on_round=report, deadline=deadline,
                                    poll_interval=poll_interval, max_interval=max_interval)
        return done[job_id]
