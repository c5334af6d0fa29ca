"""Pure helpers about Botify projects and analyses: the project URL, owners, newest-first order."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

APP_HOST = "app.botify.com"

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


def analysis_segments(analysis: Any) -> list[str]:
    """The segment names of an analysis detail (``GET /v1/analyses/{user}/{project}/{slug}``).

    Botify's docs put them at ``features.segments.names`` (e.g. ``["pagetype", "lang"]``), with
    ``features.segments`` null when the project has no segments. The spec types ``features`` as a
    string, so a JSON-encoded one is read too. Anything else means no segments.
    """
    features = analysis.get("features") if isinstance(analysis, dict) else None
    if isinstance(features, str):
        try:
            features = json.loads(features)
        except ValueError:
            return []
    segments = features.get("segments") if isinstance(features, dict) else None
    names = segments.get("names") if isinstance(segments, dict) else None
    return [n for n in names if isinstance(n, str) and n] if isinstance(names, list) else []
