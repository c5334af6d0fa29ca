"""Job fragments: a live progress bar with message, log lines and controls."""

from __future__ import annotations

import json
from typing import Any

from fasthtml.common import FT, Button, Div, Pre, Small, Strong

from cardflow.db import Job
from cardflow.ui.components import ProgressBar

STATUS_TEXT = {"running": "running", "queued": "queued", "done": "done", "failed": "failed",
               "cancelled": "cancelled", "interrupted": "interrupted"}


def job_progress(job: Job) -> FT:
    """The inner part that every progress event replaces."""
    detail = json.loads(job.detail or "{}")
    log = detail.get("log", [])[-12:]
    active = job.status in ("running", "queued")
    cancel = Button("Cancel", cls="secondary outline", hx_post=f"/jobs/{job.id}/cancel", hx_swap="none",
                    aria_label=f"Cancel job {job.id}") if active else None
    return Div(
        Div(Strong(STATUS_TEXT.get(job.status, job.status), cls=f"job-status job-{job.status}"), " ",
            Small(f"{job.progress:.0f}%"), cls="job-head"),
        ProgressBar(job.progress if job.status != "queued" else None, label=detail.get("message", "")),
        Div(detail["text"], cls="stream-text step-value") if detail.get("text") else None,
        Pre("\n".join(log), cls="log-lines") if log else None,
        cancel,
        cls="job-progress", data_status=job.status,
    )


def job_live(job: Job, *, reload_url: str | None = None, target: str | None = None) -> FT:
    """A self-updating job panel: progress over SSE, and (optionally) a reload when the job ends."""
    attrs: dict[str, Any] = {}
    if reload_url and job.status in ("running", "queued"):
        # The end event reloads the card at once. A job that ends before this card is even in the
        # page (a fast remote job) would leave it spinning, so it also checks every few seconds.
        attrs = {"hx_get": reload_url, "hx_trigger": f"sse:job-{job.id}-end, every 3s", "hx_swap": "outerHTML",
                 "hx_target": target or "this"}
    # hx-target="this": without it the progress swap would inherit the reload target of the parent.
    return Div(Div(job_progress(job), sse_swap=f"job-{job.id}", hx_swap="innerHTML", hx_target="this"),
               id=f"job-{job.id}", cls="job", **attrs)
