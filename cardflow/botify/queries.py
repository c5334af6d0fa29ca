"""BQL query builders and the export-job body of ``POST /v1/jobs`` (``job_type: export``).

Every builder returns plain dicts ready for ``json=``. Depths are always sent as ``int``: one public
client sent a string in one path and an integer in another, and Botify compares them differently.
"""

from __future__ import annotations

from typing import Any

MAX_DIRECT_DOWNLOAD_ROWS = 1_000_000

# The page-metadata export, in column order. With ``header_format="slug"`` (what ``export_job_body``
# asks for) the CSV header is exactly these slugs; METADATA_COLUMNS maps them to short names.
METADATA_FIELDS: tuple[str, ...] = (
    "url",
    "http_code",
    "depth",
    "metadata.title.content",
    "metadata.description.content",
    "segments.pagetype.value",
    "compliant.is_compliant",
)
METADATA_COLUMNS: dict[str, str] = {
    "url": "url",
    "http_code": "http_code",
    "depth": "depth",
    "metadata.title.content": "title",
    "metadata.description.content": "description",
    "segments.pagetype.value": "pagetype",
    "compliant.is_compliant": "compliant",
}
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


def page_metadata_query(analysis_slug: str, depth: Any = None) -> dict[str, Any]:
    """Export query: url, http_code, depth, title, description, pagetype, compliant for 200 pages.

    With ``depth`` the filter becomes ``and[http_code eq 200, depth lte depth]``; without it it is
    exactly the single ``http_code eq 200`` leaf, the filter Botify's own export examples use.
    """
    leaf = {"field": field(analysis_slug, "http_code"), "predicate": "eq", "value": 200}
    filters: dict[str, Any] = leaf if depth is None else {"and": [leaf, depth_filter(analysis_slug, depth)]}
    return {
        "collections": [crawl_collection(analysis_slug)],
        "query": {
            "dimensions": [field(analysis_slug, name) for name in METADATA_FIELDS],
            "metrics": [],
            "filters": filters,
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
) -> dict[str, Any]:
    """The ``POST /v1/jobs`` body for a CSV direct-download export.

    ``filetype``: None or "gzip" (Botify's default, nothing sent) or "zip" (``extra_config.filetype``).
    ``header_format`` defaults to "slug" (Botify's own default is "verbose", whose labels are not
    documented) so the header is the field slugs, e.g. ``url,outlinks_internal.graph.url``.
    """
    if isinstance(export_size, bool) or not isinstance(export_size, int):
        raise ValueError(f"export_size must be an integer, got {export_size!r}")
    if not 1 <= export_size <= MAX_DIRECT_DOWNLOAD_ROWS:
        raise ValueError(
            f"export_size must be between 1 and {MAX_DIRECT_DOWNLOAD_ROWS:,}, got {export_size:,}"
        )
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
