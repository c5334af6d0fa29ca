"""Botify API client, export download, and BQL query builders.

It speaks Botify's REST API v1 with token auth. The client is split by concept: ``client`` (HTTP
core and read endpoints), ``jobs`` (export jobs), ``waiting`` (the poll loop), ``errors`` and
``projects`` (pure helpers); everything public is importable from here or from ``client``.
"""

from .client import *  # noqa: F403 - the package offers exactly the client's public names
from .client import __all__ as _client_names
from .download import DownloadError, DownloadResult, download_export, sniff_compression

__all__ = [*_client_names, "DownloadError", "DownloadResult", "download_export", "sniff_compression"]
