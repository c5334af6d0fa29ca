"""The export job of the Botify link graph: create two Botify exports, wait for them, never twice.

:class:`BotifyExports` is held by :class:`cardflow.apps.link_graph.LinkGraph` (this module's name
starts with ``_`` so the plugin registry does not load it as an app). The rules:

- Each Botify job id is saved (``job.save``) the moment Botify returns it; a resumed run polls the
  saved ids and creates nothing. A marker is saved before each create, so a run resumed after a
  crash *during* a create says so rather than risk a duplicate.
- Botify has no idempotency key: a create that may have reached Botify (5xx, a dropped connection)
  is not repeated; a refused one (429, connection refused) is, with the client's backoff.
- Waiting is the client's one poll loop (:mod:`cardflow.botify.waiting`): transient errors are
  tolerated until the deadline, FAILED ends the run with Botify's (redacted) reason.
- Retry after a failed run reuses the earlier run's job ids for the same export, except those
  Botify reported FAILED: only what failed is exported again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from cardflow.apps.connect_botify import explain, read_token
from cardflow.botify.client import JOB_DONE, BotifyClient, PollRound
from cardflow.botify.errors import BotifyError, BotifyJobCreateError, BotifyJobFailed, BotifyJobTimeout
from cardflow.botify.queries import link_graph_query, page_metadata_query
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.jobs import JobContext
    from cardflow.plugins import Context

NO_TOKEN = "No Botify token is saved yet: open “Connect with Botify” in the app menu, paste your token, then come back."
EXPORTS = (("links", "links", "edges.csv"), ("meta", "page metadata", "metadata.csv"))
LABELS = {kind: label for kind, label, _ in EXPORTS}
STATUS_PCT = {"CREATED": 10.0, "PROCESSING": 45.0, JOB_DONE: 100.0}


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
        p, slug, d = state["project"], state["analysis"]["analysis"], state["depth"]
        if read_token(ctx.settings) is None:
            raise Problem(NO_TOKEN)
        spec = {"org": p["org"], "project": p["slug"], "analysis": slug, "depth": d["depth"],
                "export_size": d["export_size"]}
        if not job.detail.get("spec"):  # a fresh run (a resumed one has its spec and ids already)
            reused = self._reusable(job, spec)
            job.save(spec=spec, **{f"{k}_job": v for k, v in reused.items()})
            for kind, job_id in reused.items():
                await job.progress(2, "Reusing the last run's exports.", log=f"{LABELS[kind]}: reusing job {job_id}")
        queries = {"links": link_graph_query(slug, d["depth"]), "meta": page_metadata_query(slug, d["depth"])}
        try:
            async with self.host.client() as bf:
                ids = {kind: await self.create(job, bf, kind, spec, queries[kind]) for kind in LABELS}
                urls = await self.wait(job, bf, ids)
        except BotifyError as err:
            raise Problem(explain(err, ctx.settings.botify_api)) from None
        return {"export": {"links_job": ids["links"], "meta_job": ids["meta"],
                           "links_url": urls["links"], "meta_url": urls["meta"]}}

    def _reusable(self, job: JobContext, spec: dict[str, Any]) -> dict[str, str]:
        """Job ids from the previous run of this step, if it failed with the same spec, minus FAILED ones."""
        rows = self.host.ctx.db.jobs(where="pipeline_key = ? AND step = ? AND id < ?",
                                     where_args=(job.key, job.step, job.job_id), order_by="id DESC", limit=1)
        if not rows or rows[0].status not in ("failed", "cancelled", "interrupted"):
            return {}
        prev = json.loads(rows[0].detail or "{}")
        if prev.get("spec") != spec:
            return {}
        return {k: str(prev[f"{k}_job"]) for k in LABELS if prev.get(f"{k}_job") and not prev.get(f"{k}_failed")}

    async def create(self, job: JobContext, bf: BotifyClient, kind: str, spec: dict[str, Any],
                     query: dict[str, Any]) -> str:
        """The Botify job id of this export: the saved one, or a new one saved before it is returned."""
        label = LABELS[kind]
        if job.detail.get(f"{kind}_job"):  # created before a restart (or by the last run): poll it
            return str(job.detail[f"{kind}_job"])
        if job.detail.get(f"{kind}_creating"):
            raise Problem(f"Cardflow stopped while Botify was creating the {label} export, so it may exist "
                          "without its id. Retry starts new exports.")
        job.save(**{f"{kind}_creating": True})

        async def refused(err: BotifyJobCreateError, attempt: int, delay: float) -> None:
            await job.progress(2, f"Botify is busy ({err.status or 'network'}); retrying in {delay:.1f} s",
                               log=f"{label}: create refused ({err.status or 'network'}), retry {attempt + 1}")

        try:
            created = await bf.create_export(spec["org"], spec["project"], query, export_size=spec["export_size"],
                                             on_refused=refused)
        except BotifyJobCreateError as err:
            job.save(**{f"{kind}_creating": False})
            if err.job_may_exist:
                raise Problem(f"Creating the {label} export failed ({err.status or 'network'}); Botify may have "
                              "started it anyway, so it was not repeated. Retry starts a new export.") from None
            raise
        job_id = str(created["job_id"])
        job.save(**{f"{kind}_job": job_id, f"{kind}_creating": False})
        await job.progress(5, f"Botify created the {label} export (job {job_id}).", log=f"{label}: job {job_id} created")
        return job_id

    async def wait(self, job: JobContext, bf: BotifyClient, ids: dict[str, str]) -> dict[str, str]:
        """Each export's download URL, once Botify has finished them all."""
        shown = dict.fromkeys(ids, "CREATED")

        async def report(seen: PollRound) -> None:
            note = None
            for kind in ids:
                status = seen.statuses[kind]
                if kind in seen.errors:
                    note = f"{LABELS[kind]}: {seen.errors[kind].hint} Still polling."
                elif status is not None and status != shown[kind]:
                    note, shown[kind] = f"{LABELS[kind]}: {status}", status
            pct = 5 + 0.9 * sum(STATUS_PCT.get(s, 25.0) for s in shown.values()) / len(shown)
            await job.progress(pct, " · ".join(f"{LABELS[k]}: {s}" for k, s in shown.items()) +
                               f" (poll {seen.polls}, {seen.elapsed:.0f} s)", log=note)

        try:
            done = await bf.wait_jobs(ids, on_round=report, deadline=self.host.export_deadline,
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
