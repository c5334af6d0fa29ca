"""The errors the Botify client raises, and how a FAILED export job's reason is found.

None of them ever contains the API token: messages are redacted before they get here, and they
do not chain httpx errors (whose request objects carry the Authorization header).
"""

from __future__ import annotations

import json
from typing import Any

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
    "1058": "Botify is already running an advanced export for this account; the next one waits its turn.",
    "1060": "The Botify export failed.",
}
# Botify's error-code list: "1058 | An advanced export is already running" (a 4xx; the status is not
# given). A create refused so made nothing and costs nothing: it can be tried again when one finishes.
EXPORT_ALREADY_RUNNING = "1058"
_STATUS_CODES = {401: "1001", 403: "1002", 429: "1053"}


class BotifyError(Exception):
    """An error from Botify (or from reaching it). Never contains the token.

    ``status`` is the HTTP status (None for network errors), ``code`` Botify's ``error_code``
    (as a string) when the body had one, ``message`` its message. ``transient`` is True for
    429, 5xx and network errors: retrying later may succeed.
    """

    def __init__(self, status: int | None, code: str | None, message: str, *, transient: bool = False) -> None:
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

    def __init__(self, status: int | None, code: str | None, message: str, *, transient: bool = False,
                 job_may_exist: bool = False) -> None:
        self.job_may_exist = job_may_exist
        super().__init__(status, code, message, transient=transient)


class BotifyJobFailed(BotifyError):
    """The export job ended FAILED (``reason`` is Botify's, redacted), or DONE without a download
    URL (``no_file``)."""

    def __init__(self, job_id: str, reason: str, *, no_file: bool = False) -> None:
        self.job_id = job_id
        self.reason = reason
        self.no_file = no_file
        super().__init__(None, "1060", f"Export job {job_id} failed: {reason}")

    def _text(self) -> str:
        return self.message


class BotifyJobTimeout(BotifyError):
    """The job did not finish before the deadline. It may still finish: poll ``job_id`` again later."""

    def __init__(self, job_id: str, last_status: str | None, waited: float) -> None:
        self.job_id = job_id
        self.last_status = last_status
        self.waited = waited
        super().__init__(
            None,
            None,
            f"Export job {job_id} still {last_status or 'unknown'} after {waited:.0f}s",
            transient=True,
        )

    def _text(self) -> str:
        return self.message


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
