"""Waiting for a workflow step's background job, shared by the tests of the apps that run one."""

from __future__ import annotations

import time
from typing import Any

from cardflow.jobs import ACTIVE


def wait_step(ctx: Any, key: str, step: str, timeout: float = 30.0, poll: float = 0.02) -> Any:
    """Until the step's latest job has ended, or, with no job, its data is saved; returns that job.

    A job saves its step's data before it is marked done, so waiting for the data alone could
    return a job still "running" (seen once in CI: test_429_on_create_and_5xx_on_polls_are_retried).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ctx.jobs.latest(key, step)
        if (job is not None and job.status not in ACTIVE) or (job is None and ctx.pipulate.get_step_data(key, step)):
            return job
        time.sleep(poll)
    raise AssertionError(f"step {step} did not finish: {ctx.jobs.latest(key, step)}")
