"""The export job of the Botify link graph: create two Botify exports, wait for them, never twice.

:class:`BotifyExports` is held by :class:`cardflow.apps.link_graph.LinkGraph` (this module's name
starts with ``_`` so the plugin registry does not load it as an app). The rules:

- Each Botify job id is saved (``job.save``) the moment Botify returns it; a resumed run polls the
  saved ids and creates nothing. A marker is saved before each create, so a run resumed after a
  crash *during* a create says so rather than risk a duplicate.
- Botify has no idempotency key and charges credits per exported row, so before creating an export
  the project's export jobs are listed (``GET /v1/jobs``) and one of the same query and size that is
  running, or done since this export was first tried, is used instead. The same lookup runs right
  after a create whose answer was lost (5xx, a dropped connection): a job Botify made anyway is
  found rather than paid for twice. A create refused outright (429, connection refused) is retried.
- Botify may refuse a second export while one runs (error 1058, "An advanced export is already
  running"): that export waits for the running ones to finish and is then created; the step goes on.
- Waiting is the client's one poll loop (:mod:`cardflow.botify.waiting`): transient errors are
  tolerated until the deadline, FAILED ends the run with Botify's (redacted) reason.
- Retry after a failed run reuses the earlier run's job ids for the same export, except those
  Botify reported FAILED: only what failed is exported again.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from cardflow.apps.connect_botify import explain, read_token
from cardflow.botify.client import JOB_DONE, BotifyClient, PollRound
from cardflow.botify.errors import (
    EXPORT_ALREADY_RUNNING,
    BotifyError,
    BotifyJobCreateError,
    BotifyJobFailed,
    BotifyJobTimeout,
)
from cardflow.botify.queries import link_graph_query, page_metadata_query
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.jobs import JobContext
    from cardflow.plugins import Context

NO_TOKEN = "No Botify token is saved yet: open “Connect with Botify” in the app menu, paste your token, then come back."
EXPORTS = (("links", "links", "edges.csv"), ("meta", "page metadata", "metadata.csv"))
LABELS = {kind: label for kind, label, _ in EXPORTS}
STATUS_PCT = {"CREATED": 10.0, "PROCESSING": 45.0, JOB_DONE: 100.0}
QUEUED = "waiting for its turn"  # refused with 1058: created once the running export is done
# Botify's clock and ours may differ: a DONE job this much older than our first try still counts.
CLOCK_SKEW = timedelta(minutes=10)


class ExportHost(Protocol):
    """What :class:`BotifyExports` needs of its workflow: the app context, a client, the pacing."""

    @property
    def ctx(self) -> Context: ...
    @property
    def poll_interval(self) -> float: ...  # first pause between polls, in seconds; grows 1.5x
    @property
    def poll_max(self) -> float: ...
    @property
    def export_deadline(self) -> float: ...
    def client(self, **kw: Any) -> BotifyClient: ...


class BotifyExports:
    def __init__(self, host: ExportHost) -> None:
        self.host = host

    async def run(self, job: JobContext) -> dict[str, Any]:
        ctx = self.host.ctx
        state = ctx.pipulate.read_state(job.key)
        p, a, d = state["project"], state["analysis"], state["depth"]
        if read_token(ctx.settings) is None:
            raise Problem(NO_TOKEN)
        try:
            async with self.host.client() as bf:
                segments = a.get("segments")
                if not isinstance(segments, list):  # chosen before segments were read: ask now
                    segments = await bf.segments(p["org"], p["slug"], a["analysis"])
                spec = {"org": p["org"], "project": p["slug"], "analysis": a["analysis"], "depth": d["depth"],
                        "export_size": d["export_size"], "segments": segments}
                await self._start(job, spec)
                queries = {"links": link_graph_query(spec["analysis"], spec["depth"]),
                           "meta": page_metadata_query(spec["analysis"], spec["depth"], segments)}
                ids, urls = await self.export_all(job, bf, job.detail["spec"], queries)
        except BotifyError as err:
            raise Problem(explain(err, ctx.settings.botify_api)) from None
        return {"export": {"links_job": ids["links"], "meta_job": ids["meta"], "links_url": urls["links"],
                           "meta_url": urls["meta"], "segments": job.detail["spec"].get("segments", [])}}

    async def _start(self, job: JobContext, spec: dict[str, Any]) -> None:
        if job.detail.get("spec"):  # a resumed run has its spec and ids already
            return
        reused, since = self._reusable(job, spec)
        job.save(spec=spec, since=since or datetime.now(UTC).isoformat(),
                 **{f"{k}_job": v for k, v in reused.items()})
        for kind, job_id in reused.items():
            await job.progress(2, "Reusing the last run's exports.", log=f"{LABELS[kind]}: reusing job {job_id}")

    def _reusable(self, job: JobContext, spec: dict[str, Any]) -> tuple[dict[str, str], str | None]:
        """From the previous run of this step, if it failed with the same spec: its job ids minus the
        FAILED ones, and when this export was first tried."""
        rows = self.host.ctx.db.jobs(where="pipeline_key = ? AND step = ? AND id < ?",
                                     where_args=(job.key, job.step, job.job_id), order_by="id DESC", limit=1)
        if not rows or rows[0].status not in ("failed", "cancelled", "interrupted"):
            return {}, None
        prev = json.loads(rows[0].detail or "{}")
        if prev.get("spec") != spec:
            return {}, None
        ids = {k: str(prev[f"{k}_job"]) for k in LABELS if prev.get(f"{k}_job") and not prev.get(f"{k}_failed")}
        return ids, prev.get("since")

    async def export_all(self, job: JobContext, bf: BotifyClient, spec: dict[str, Any],
                         queries: dict[str, dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
        """Create (or find) every export and wait for them; those Botify refuses with 1058 are created
        once the running ones are done. Returns (job ids, download URLs), by kind."""
        started = time.monotonic()
        ids: dict[str, str] = {}
        urls: dict[str, str] = {}
        pending = list(LABELS)
        pause = self.host.poll_interval
        while pending or len(urls) < len(ids):
            for kind in list(pending):
                if not job.detail.get(f"{kind}_job"):
                    await self.adopt(job, bf, kind, spec, queries[kind])
                job_id = await self.create(job, bf, kind, spec, queries[kind])
                if job_id is not None:
                    ids[kind] = job_id
                    pending.remove(kind)
            left = self.host.export_deadline - (time.monotonic() - started)
            running = {k: v for k, v in ids.items() if k not in urls}
            if running:
                urls.update(await self.wait(job, bf, running, pending, max(left, 0.0)))
                continue
            if pending:  # refused while none of ours runs: another export of the account is running
                if left <= 0:
                    raise Problem("Botify kept refusing the export because another advanced export was running. "
                                  "Retry when it is done.")
                await job.progress(3, f"Botify is running another advanced export; trying again in {pause:.0f} s.")
                await asyncio.sleep(min(pause, left))
                pause = min(self.host.poll_max, pause * 1.5)
        return ids, urls

    async def adopt(self, job: JobContext, bf: BotifyClient, kind: str, spec: dict[str, Any],
                    query: dict[str, Any]) -> str | None:
        """Save and return the id of an existing Botify export of this query, if there is one to reuse."""
        since = datetime.fromisoformat(job.detail["since"]) - CLOCK_SKEW if job.detail.get("since") else None
        found = await bf.find_export(spec["org"], spec["project"], query, export_size=spec["export_size"],
                                     done_since=since)
        if found is None:
            return None
        job.save(**{f"{kind}_job": found["job_id"], f"{kind}_creating": False})
        await job.progress(5, f"Found Botify's {LABELS[kind]} export (job {found['job_id']}, {found['job_status']}): "
                           "using it instead of paying for another.",
                           log=f"{LABELS[kind]}: found existing job {found['job_id']} ({found['job_status']})")
        return str(found["job_id"])

    async def create(self, job: JobContext, bf: BotifyClient, kind: str, spec: dict[str, Any],
                     query: dict[str, Any]) -> str | None:
        """The Botify job id of this export: the saved one, or a new one saved before it is returned.
        None when Botify refused it because another advanced export is running (1058)."""
        label = LABELS[kind]
        if job.detail.get(f"{kind}_job"):  # created before a restart (or by the last run): poll it
            return str(job.detail[f"{kind}_job"])
        if job.detail.get(f"{kind}_creating"):
            raise Problem(f"Cardflow stopped while Botify was creating the {label} export, so it may exist "
                          "without its id. Retry looks for it before starting a new export.")
        job.save(**{f"{kind}_creating": True})

        async def refused(err: BotifyJobCreateError, attempt: int, delay: float) -> None:
            await job.progress(2, f"Botify is busy ({err.status or 'network'}); retrying in {delay:.1f} s",
                               log=f"{label}: create refused ({err.status or 'network'}), retry {attempt + 1}")

        try:
            created = await bf.create_export(spec["org"], spec["project"], query, export_size=spec["export_size"],
                                             on_refused=refused)
        except BotifyJobCreateError as err:
            job.save(**{f"{kind}_creating": False})
            if err.code == EXPORT_ALREADY_RUNNING:
                await job.progress(4, f"Botify runs one advanced export at a time: the {label} export starts "
                                   "when the running one is done.", log=f"{label}: refused (1058), {QUEUED}")
                return None
            if err.job_may_exist:  # the answer was lost, not necessarily the job: look before giving up
                found = await self.adopt(job, bf, kind, spec, query)
                if found is not None:
                    return found
                raise Problem(f"Creating the {label} export failed ({err.status or 'network'}); Botify may have "
                              "started it anyway, so it was not repeated. Retry looks for it before starting "
                              "a new export.") from None
            raise
        job_id = str(created["job_id"])
        job.save(**{f"{kind}_job": job_id, f"{kind}_creating": False})
        await job.progress(5, f"Botify created the {label} export (job {job_id}).", log=f"{label}: job {job_id} created")
        return job_id

    async def wait(self, job: JobContext, bf: BotifyClient, ids: dict[str, str], queued: list[str],
                   deadline: float) -> dict[str, str]:
        """Each export's download URL, once Botify has finished them all (``queued`` ones are shown waiting)."""
        shown = {**dict.fromkeys(ids, "CREATED"), **dict.fromkeys(queued, QUEUED)}

        async def report(seen: PollRound) -> None:
            note = None
            for kind in ids:
                status = seen.statuses[kind]
                if kind in seen.errors:
                    note = f"{LABELS[kind]}: {seen.errors[kind].hint} Still polling."
                elif status is not None and status != shown[kind]:
                    note, shown[kind] = f"{LABELS[kind]}: {status}", status
            pct = 5 + 0.9 * sum(STATUS_PCT.get(s, 0.0 if s == QUEUED else 25.0) for s in shown.values()) / len(shown)
            await job.progress(pct, " · ".join(f"{LABELS[k]}: {s}" for k, s in shown.items()) +
                               f" (poll {seen.polls}, {seen.elapsed:.0f} s)", log=note)

        try:
            done = await bf.wait_jobs(ids, on_round=report, deadline=deadline,
                                      poll_interval=self.host.poll_interval, max_interval=self.host.poll_max)
        except BotifyJobFailed as err:
            kind = next(k for k, v in ids.items() if v == err.job_id)
            job.save(**{f"{kind}_failed": True})
            what = "ended without a file." if err.no_file else f"failed: {err.reason}"
            raise Problem(f"Botify's {LABELS[kind]} export (job {err.job_id}) {what}") from None
        except BotifyJobTimeout as err:
            raise Problem(f"The exports were not done after {err.waited / 3600:.1f} hours. "
                          "Retry to wait longer.") from None
        return {kind: str(found["download_url"]) for kind, found in done.items()}
