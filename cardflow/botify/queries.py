"""BQL query builders and the export-job body of ``POST /v1/jobs`` (``job_type: export``).

Every builder returns plain dicts ready for ``json=``. Depths are always sent as ``int``: one public
client sent a string in one path and an integer in another, and Botify compares them differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

# Botify's default cap for a direct-download export; plans may raise it, so it is a setting
# (``Settings.botify_max_rows``) and this is only its default.
MAX_DIRECT_DOWNLOAD_ROWS = 1_000_000

# The page-metadata export, in column order, before the segment fields (which depend on the project).
# With ``header_format="slug"`` (what ``export_job_body`` asks for) the CSV header is exactly these
# slugs, plus ``segments.{name}.value`` per segment the analysis has.
METADATA_FIELDS: tuple[str, ...] = (
    "url",
    "http_code",
    "depth",
    "metadata.title.content",
    "metadata.description.content",
    "compliant.is_compliant",
)
# Botify refuses an export of more than 10 fields (error 1027): the segments get what is left.
MAX_EXPORT_FIELDS = 10
# Segment names are configured per project; one that could not be a field path segment is skipped.
_SEGMENT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
# The metadata file as the link-graph ingest reads it, by position; then one column per segment.
METADATA_HEADER: tuple[str, ...] = ("url", "http_code", "depth", "title", "description", "pagetype", "compliant")
_SHORT = {"metadata.title.content": "title", "metadata.description.content": "description",
          "compliant.is_compliant": "compliant"}

# The link-graph export's header with ``header_format="slug"``: source, destination.
LINK_COLUMNS: tuple[str, str] = ("url", "outlinks_internal.graph.url")


def as_depth(depth: Any) -> int:
    """Return ``depth`` as a non-negative ``int``; accepts ``"3"`` but never sends it as a string."""
    if isinstance(depth, bool):
        raise ValueError(f"depth must be an integer, got {depth!r}")
    if isinstance(depth, str) and depth.strip().isdigit():
        depth = int(depth.strip())
    if not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
    return depth


def crawl_collection(analysis_slug: str) -> str:
    if not analysis_slug or not isinstance(analysis_slug, str):
        raise ValueError("analysis_slug is required")
    return f"crawl.{analysis_slug}"


def field(analysis_slug: str, name: str) -> str:
    return f"{crawl_collection(analysis_slug)}.{name}"


def depth_filter(analysis_slug: str, depth: Any) -> dict[str, Any]:
    return {"field": field(analysis_slug, "depth"), "predicate": "lte", "value": as_depth(depth)}


def edge_count_query(analysis_slug: str, depth: Any) -> dict[str, Any]:
    """/query body: sum of internal outlinks over pages with depth <= ``depth``."""
    return {
        "collections": [crawl_collection(analysis_slug)],
        "query": {
            "dimensions": [],
            "metrics": [{"function": "sum", "args": [field(analysis_slug, "outlinks_internal.nb.total")]}],
            "filters": depth_filter(analysis_slug, depth),
        },
    }


def link_graph_query(analysis_slug: str, depth: Any) -> dict[str, Any]:
    """Export query: one row per internal source -> destination edge, sources with depth <= ``depth``."""
    return {
        "collections": [crawl_collection(analysis_slug)],
        "query": {
            "dimensions": ["url", field(analysis_slug, "outlinks_internal.graph.url")],
            "metrics": [],
            "filters": depth_filter(analysis_slug, depth),
        },
    }


def segment_names(names: Iterable[Any]) -> list[str]:
    """The usable segment names, in Botify's order, without repeats, as many as fit one export."""
    room = MAX_EXPORT_FIELDS - len(METADATA_FIELDS)
    kept: list[str] = []
    for name in names:
        if isinstance(name, str) and _SEGMENT_NAME.match(name) and name not in kept:
            kept.append(name)
    return kept[:room]


def segment_field(name: str) -> str:
    """The BQL field of a segment's value, by the segment's own name (e.g. ``segments.lang.value``)."""
    return f"segments.{name}.value"


def metadata_columns(segments: Sequence[str]) -> list[tuple[str, str]]:
    """``(column in the saved file, export header it comes from or "")`` for the metadata file.

    The saved file keeps :data:`METADATA_HEADER` (the ingest reads it by position) and adds one
    ``segment:{name}`` column per segment. ``pagetype`` is the segment named so, else the first
    segment, else empty (the ingest then derives it from the URL), so the graph always has a colour key.
    """
    names = segment_names(segments)
    colour = "pagetype" if "pagetype" in names else (names[0] if names else "")
    source = {_SHORT.get(f, f): f for f in METADATA_FIELDS}
    source["pagetype"] = segment_field(colour) if colour else ""
    return [(col, source[col]) for col in METADATA_HEADER] + [(f"segment:{n}", segment_field(n)) for n in names]


def page_metadata_query(analysis_slug: str, depth: Any = None, segments: Sequence[str] = ()) -> dict[str, Any]:
    """Export query: url, http_code, depth, title, description, compliant, then each segment's value,
    for the 200 pages.

    ``segments`` are the analysis's own segment names (``features.segments.names``): a field for a
    segment the project does not have does not exist, and Botify refuses the whole export (1029).
    With ``depth`` the filter becomes ``and[http_code eq 200, depth lte depth]``; without it it is
    exactly the single ``http_code eq 200`` leaf, the filter Botify's own export examples use.
    """
    leaf = {"field": field(analysis_slug, "http_code"), "predicate": "eq", "value": 200}
    filters: dict[str, Any] = leaf if depth is None else {"and": [leaf, depth_filter(analysis_slug, depth)]}
    names = [*METADATA_FIELDS, *(segment_field(n) for n in segment_names(segments))]
    return {
        "collections": [crawl_collection(analysis_slug)],
        "query": {
            "dimensions": [field(analysis_slug, name) for name in names],
            "metrics": [],
            "filters": filters,
        },
    }


def page_count_query(analysis_slug: str, max_depth: Any) -> dict[str, Any]:
    """/query body: the 200 pages per depth up to ``max_depth`` (the metadata export's rows)."""
    leaf = {"field": field(analysis_slug, "http_code"), "predicate": "eq", "value": 200}
    return {
        "collections": [crawl_collection(analysis_slug)],
        "query": {
            "dimensions": [field(analysis_slug, "depth")],
            "metrics": [{"function": "count", "args": [field(analysis_slug, "url")]}],
            "filters": {"and": [leaf, depth_filter(analysis_slug, max_depth)]},
        },
    }


def export_job_body(
    username: str,
    project: str,
    query: dict[str, Any],
    *,
    export_size: int,
    filetype: str | None = None,
    header_format: str = "slug",
    max_rows: int = MAX_DIRECT_DOWNLOAD_ROWS,
) -> dict[str, Any]:
    """The ``POST /v1/jobs`` body for a CSV direct-download export.

    ``filetype``: None or "gzip" (Botify's default, nothing sent) or "zip" (``extra_config.filetype``).
    ``header_format`` defaults to "slug" (Botify's own default is "verbose", whose labels are not
    documented) so the header is the field slugs, e.g. ``url,outlinks_internal.graph.url``.
    ``max_rows`` is the account's direct-download cap (1,000,000 unless the plan raised it).
    """
    if isinstance(export_size, bool) or not isinstance(export_size, int):
        raise ValueError(f"export_size must be an integer, got {export_size!r}")
    if not 1 <= export_size <= max_rows:
        raise ValueError(f"export_size must be between 1 and {max_rows:,}, got {export_size:,}")
    if filetype not in (None, "gzip", "zip"):
        raise ValueError(f"filetype must be None, 'gzip' or 'zip', got {filetype!r}")
    if header_format not in ("verbose", "slug", "collection_slug"):
        raise ValueError(f"header_format must be verbose, slug or collection_slug, got {header_format!r}")
    if not isinstance(query, dict) or "collections" not in query or "query" not in query:
        raise ValueError("query must be a BQL object with 'collections' and 'query'")
    payload: dict[str, Any] = {
        "username": username,
        "project": project,
        "export_size": export_size,
        "formatter": "csv",
        "formatter_config": {
            "delimiter": ",",
            "print_delimiter": True,
            "print_header": True,
            "header_format": header_format,
        },
        "connector": "direct_download",
        "extra_config": {"filetype": "zip"} if filetype == "zip" else {},
        "query": query,
    }
    return {"job_type": "export", "payload": payload}
