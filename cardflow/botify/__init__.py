"""Botify API client, export download, and BQL query builders.

See /work/shared/botify-api.md for the API facts this package follows. The client is split by
concept: ``client`` (HTTP core and read endpoints), ``jobs`` (export jobs), ``errors`` and
``projects`` (pure helpers); everything public is importable from here or from ``client``.
"""

from .client import (
    APP_HOST,
    DEFAULT_BASE_URL,
    JOB_DONE,
    JOB_FAILED,
    JOB_RUNNING,
    BotifyClient,
    BotifyError,
    BotifyJobCreateError,
    BotifyJobFailed,
    BotifyJobTimeout,
    ProgressCallback,
    analysis_sort_key,
    failure_reason,
    owners,
    parse_project_url,
    project_owner,
    propose_depth,
)
from .download import DownloadError, DownloadResult, download_export, sniff_compression

__all__ = [
    "APP_HOST",
    "DEFAULT_BASE_URL",
    "JOB_DONE",
    "JOB_FAILED",
    "JOB_RUNNING",
    "BotifyClient",
    "BotifyError",
    "BotifyJobCreateError",
    "BotifyJobFailed",
    "BotifyJobTimeout",
    "DownloadError",
    "DownloadResult",
    "ProgressCallback",
    "analysis_sort_key",
    "download_export",
    "failure_reason",
    "owners",
    "parse_project_url",
    "project_owner",
    "propose_depth",
    "sniff_compression",
]
