"""The export job of the Botify link graph: create two Botify exports, poll them, never twice.

A mixin of :class:`cardflow.apps.link_graph.LinkGraph` (this module's name starts with ``_`` so the
plugin registry does not load it as an app). The rules:

- Each Botify job id is saved (``ctx.save``) the moment Botify returns it; a resumed run polls the
  saved ids and creates nothing. A marker is saved before each create, so a run resumed after a
  crash *during* a create says so rather than risk a duplicate.
- Botify has no idempotency key: a create that may have reached Botify (5xx, a dropped connection)
  is not repeated; a refused one (429, connection refused) is, with exponential backoff and jitter.
- Polls use the client's retrying GET (429/5xx/timeouts back off with jitter), then tolerate
  transient errors until the deadline. FAILED ends the run with Botify's reason.
- Retry after a failed run reuses the earlier run's job ids for the same export, except those
  Botify reported FAILED: only what failed is exported again.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

from cardflow.apps.connect_botify import explain, read_token
from cardflow.botify.client import JOB_DONE, JOB_FAILED, BotifyClient
from cardflow.botify.errors import BotifyError, BotifyJobCreateError
from cardflow.botify.queries import link_graph_query, page_metadata_query

NO_TOKEN = "No Botify token is saved yet: open “Connect with Botify” in the app menu, paste your token, then come back."
EXPORTS = (("links", "links", "edges.csv"), ("meta", "page metadata", "metadata.csv"))
LABELS = {kind: label for kind, label, _ in EXPORTS}
STATUS_PCT = {"CREATED": 10.0, "PROCESSING": 45.0, JOB_DONE: 100.0}


class BotifyExports:
    poll_interval = 2.0  # first pause between polls, in seconds; it grows 1.5x up to poll_max
    poll_max = 30.0
    export_deadline = 6 * 3600.0
    backoff_base = 0.5  # the client's retry backoff, and ours for a refused (429) create

    async def run_export(self, ctx: Any) -> dict[str, Any]:
        state = self.ctx.pipulate.read_state(ctx.key)  # type: ignore[attr-defined]
        p, slug, d = state["project"], state["analysis"]["analysis"], state["depth"]
        if read_token(self.ctx.settings) is None:  # type: ignore[attr-defined]
            raise RuntimeError(NO_TOKEN)
        spec = {"org": p["org"], "project": p["slug"], "analysis": slug, "depth": d["depth"],
                "export_size": d["export_size"]}
        if not ctx.detail.get("spec"):  # a fresh run (a resumed one has its spec and ids already)
            reused = self._reusable(ctx, spec)
            ctx.save(spec=spec, **{f"{k}_job": v for k, v in reused.items()})
            for kind, job_id in reused.items():
                await ctx.progress(2, "Reusing the last run's exports.", log=f"{LABELS[kind]}: reusing job {job_id}")
        queries = {"links": link_graph_query(slug, d["depth"]), "meta": page_metadata_query(slug, d["depth"])}
        try:
            async with self.client() as bf:  # type: ignore[attr-defined]
                jobs = {kind: await self._create(ctx, bf, kind, spec, queries[kind]) for kind in LABELS}
                urls = await self._poll(ctx, bf, jobs)
        except BotifyError as err:
            raise RuntimeError(explain(err, self.ctx.settings.botify_api)) from None  # type: ignore[attr-defined]
        return {"export": {"links_job": jobs["links"], "meta_job": jobs["meta"],
                           "links_url": urls["links"], "meta_url": urls["meta"]}}

    def _reusable(self, ctx: Any, spec: dict[str, Any]) -> dict[str, str]:
        """Job ids from the previous run of this step, if it failed with the same spec, minus FAILED ones."""
        rows = self.ctx.db.jobs(where="pipeline_key = ? AND step = ? AND id < ?",  # type: ignore[attr-defined]
                                where_args=(ctx.key, ctx.step, ctx.job_id), order_by="id DESC", limit=1)
        if not rows or rows[0].status not in ("failed", "cancelled", "interrupted"):
            return {}
        prev = json.loads(rows[0].detail or "{}")
        if prev.get("spec") != spec:
            return {}
        return {k: str(prev[f"{k}_job"]) for k in LABELS if prev.get(f"{k}_job") and not prev.get(f"{k}_failed")}

    async def _create(self, ctx: Any, bf: BotifyClient, kind: str, spec: dict[str, Any], query: dict) -> str:
        label = LABELS[kind]
        if ctx.detail.get(f"{kind}_job"):  # created before a restart (or by the last run): poll it
            return str(ctx.detail[f"{kind}_job"])
        if ctx.detail.get(f"{kind}_creating"):
            raise RuntimeError(f"Cardflow stopped while Botify was creating the {label} export, so it may exist "
                               "without its id. Retry starts new exports.")
        ctx.save(**{f"{kind}_creating": True})
        for attempt in range(6):
            try:
                created = await bf.create_export(spec["org"], spec["project"], query, export_size=spec["export_size"])
            except BotifyJobCreateError as err:
                if err.job_may_exist or not err.transient or attempt == 5:
                    ctx.save(**{f"{kind}_creating": False})
                    if err.job_may_exist:
                        raise RuntimeError(f"Creating the {label} export failed ({err.status or 'network'}); Botify "
                                           "may have started it anyway, so it was not repeated. Retry starts a new "
                                           "export.") from None
                    raise
                delay = min(30.0, self.backoff_base * 2 ** attempt) * random.uniform(0.5, 1.0)
                await ctx.progress(2, f"Botify is busy ({err.status or 'network'}); retrying in {delay:.1f} s",
                                   log=f"{label}: create refused ({err.status or 'network'}), retry {attempt + 1}")
                await asyncio.sleep(delay)
                continue
            ctx.save(**{f"{kind}_job": created["job_id"], f"{kind}_creating": False})
            await ctx.progress(5, f"Botify created the {label} export (job {created['job_id']}).",
                               log=f"{label}: job {created['job_id']} created")
            return created["job_id"]
        raise AssertionError("unreachable")

    async def _poll(self, ctx: Any, bf: BotifyClient, jobs: dict[str, str]) -> dict[str, str]:
        urls: dict[str, str] = {}
        status = dict.fromkeys(jobs, "CREATED")
        interval, started, polls = self.poll_interval, time.monotonic(), 0
        while len(urls) < len(jobs):
            polls += 1
            note = None
            for kind, job_id in jobs.items():
                if kind in urls:
                    continue
                try:
                    job = await bf.poll_job(job_id)
                except BotifyError as err:
                    if not err.transient:
                        raise
                    note = f"{LABELS[kind]}: {err.hint} Still polling."
                    continue
                if job["job_status"] == JOB_FAILED:
                    ctx.save(**{f"{kind}_failed": True})
                    reason = bf._redact(job["failure_reason"] or "no reason given")
                    raise RuntimeError(f"Botify's {LABELS[kind]} export (job {job_id}) failed: {reason}")
                if job["job_status"] == JOB_DONE:
                    if not job["download_url"]:
                        ctx.save(**{f"{kind}_failed": True})
                        raise RuntimeError(f"Botify's {LABELS[kind]} export (job {job_id}) ended without a file.")
                    urls[kind] = job["download_url"]
                if job["job_status"] != status[kind]:
                    note = f"{LABELS[kind]}: {job['job_status']}"
                status[kind] = job["job_status"]
            pct = 5 + 0.9 * sum(STATUS_PCT.get(s, 25.0) for s in status.values()) / len(status)
            waited = time.monotonic() - started
            await ctx.progress(pct, " · ".join(f"{LABELS[k]}: {s}" for k, s in status.items()) +
                               f" (poll {polls}, {waited:.0f} s)", log=note)
            if len(urls) == len(jobs):
                break
            if waited > self.export_deadline:
                raise RuntimeError(f"The exports were not done after {waited / 3600:.1f} hours. Retry to wait longer.")
            await asyncio.sleep(interval * random.uniform(0.8, 1.2))
            interval = min(self.poll_max, interval * 1.5)
        return urls
