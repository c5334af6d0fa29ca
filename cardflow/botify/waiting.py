"""The one loop that waits for Botify export jobs: poll until every job is DONE.

Both the client's :meth:`~cardflow.botify.client.BotifyClient.wait_job` and the link-graph
export job use it, so the pacing and the error rules live here once:

- The pause between rounds starts at ``interval`` and grows 1.5x up to ``max_interval``, with
  ±20% jitter so that parallel waiters drift apart.
- A poll that fails transiently (429, 5xx, a timeout: already retried by the client's GET) is
  tolerated until the deadline; any other error is raised.
- FAILED, or DONE without a download URL, raises :class:`BotifyJobFailed` at once: the other
  jobs' results would be of no use. Running out of time raises :class:`BotifyJobTimeout`.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import BotifyError, BotifyJobFailed, BotifyJobTimeout

JOB_RUNNING = ("CREATED", "PROCESSING")
JOB_DONE = "DONE"
JOB_FAILED = "FAILED"


@dataclass(frozen=True)
class PollRound:
    """What the callback sees after each round: one poll of every job not yet done."""

    statuses: dict[str, str | None]  # by name; None until Botify has answered once
    errors: dict[str, BotifyError]  # the transient errors of this round, by name
    polls: int  # rounds so far, this one included
    elapsed: float  # seconds since the wait began


Poll = Callable[[str], Awaitable[dict[str, Any]]]
RoundCallback = Callable[[PollRound], Awaitable[None] | None]
Sleep = Callable[[float], Awaitable[Any]]


async def wait_jobs(
    poll: Poll,
    jobs: Mapping[str, str],
    *,
    on_round: RoundCallback | None = None,
    deadline: float | None = 3600.0,
    interval: float = 2.0,
    max_interval: float = 30.0,
    sleep: Sleep = asyncio.sleep,
) -> dict[str, dict[str, Any]]:
    """Poll ``jobs`` (name → Botify job id) until all are DONE; return each one's last poll by name.

    ``poll`` is the client's ``poll_job`` (its answers carry a redacted ``failure_reason``);
    ``deadline`` is a budget in seconds (None: no limit). ``on_round`` (sync or async) is called
    after every round that ended without a failure, the last one included.
    """
    started = time.monotonic()
    pause_for = max(0.0, interval)
    statuses: dict[str, str | None] = dict.fromkeys(jobs)
    done: dict[str, dict[str, Any]] = {}
    polls = 0
    while True:
        polls += 1
        errors: dict[str, BotifyError] = {}
        for name, job_id in jobs.items():
            if name in done:
                continue
            try:
                job = await poll(job_id)
            except BotifyError as err:
                if not err.transient:
                    raise
                errors[name] = err
                continue
            statuses[name] = job["job_status"]
            if job["job_status"] == JOB_FAILED:
                raise BotifyJobFailed(job_id, job["failure_reason"] or "no reason given")
            if job["job_status"] == JOB_DONE:
                if not job["download_url"]:
                    raise BotifyJobFailed(job_id, "Botify reported DONE without a download URL", no_file=True)
                done[name] = job
        elapsed = time.monotonic() - started
        if on_round is not None:
            result = on_round(PollRound(dict(statuses), errors, polls, elapsed))
            if inspect.isawaitable(result):
                await result
        if len(done) == len(jobs):
            return done
        remaining = None if deadline is None else deadline - elapsed
        if remaining is not None and remaining <= 0:
            late = next(name for name in jobs if name not in done)
            raise BotifyJobTimeout(jobs[late], statuses[late], elapsed)
        pause = random.uniform(pause_for * 0.8, pause_for * 1.2) if pause_for else 0.0
        await sleep(pause if remaining is None else min(pause, remaining))
        pause_for = min(max_interval, pause_for * 1.5)
