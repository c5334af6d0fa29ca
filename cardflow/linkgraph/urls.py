"""URL helpers for the crawler: normalisation, host and pagetype.

URLs are normalised before comparison: resolved against the page (or ``<base>``), fragment
dropped, scheme and host lowercased, default port dropped, dot segments removed, empty path
made ``/``; the query string is kept as is.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(href: str, base: str | None = None) -> str | None:
    """Return the absolute, normalised form of ``href`` (resolved against ``base``), or None
    when it is not an http(s) URL (``mailto:``, ``javascript:``, garbage)."""
    href = (href or "").strip()
    if not href and base is None:
        return None
    try:
        url = urljoin(base, href) if base else href
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower()  # .hostname lowercases and strips brackets and userinfo
        if ":" in host:
            host = f"[{host}]"
        port = parts.port
    except ValueError:  # a bad port or an unbalanced IPv6 bracket
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    if "/." in path:  # remove dot segments, keeping a trailing slash
        trailing = path.endswith(("/", "/.", "/.."))
        path = posixpath.normpath(path)
        path = "/" + path.lstrip("/")
        if trailing and not path.endswith("/"):
            path += "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def pagetype_of(url: str) -> str:
    """First path segment, or ``home`` for the root (the same rule ingest applies to URLs
    without metadata)."""
    segment = urlsplit(url).path.lstrip("/").split("/", 1)[0]
    return segment or "home"
