"""Botify API client, export download, and BQL query builders.

See /work/shared/botify-api.md for the API facts this package follows.
"""

from .client import (
    DEFAULT_BASE_URL,
    BotifyClient,
    BotifyError,
    BotifyJobCreateError,
    BotifyJobFailed,
    BotifyJobTimeout,
    analysis_sort_key,
    failure_reason,
    owners,
    parse_project_url,
    project_owner,
    propose_depth,
)
from .download import DownloadError, DownloadResult, download_export, sniff_compression

__all__ = [
    "DEFAULT_BASE_URL",
    "BotifyClient",
    "BotifyError",
    "BotifyJobCreateError",
    "BotifyJobFailed",
    "BotifyJobTimeout",
    "DownloadError",
    "DownloadResult",
    "analysis_sort_key",
    "download_export",
    "failure_reason",
    "owners",
    "parse_project_url",
    "project_owner",
    "propose_depth",
    "sniff_compression",
]
