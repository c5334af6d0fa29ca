"""Download a finished Botify export to a CSV file, atomically.

- The GET goes to the CDN's pre-signed URL WITHOUT any Authorization header: this module uses its
  own httpx client (or strips the header and client auth from one that is passed in) and refuses
  the API client outright.
- Compression is detected from the first bytes (gzip ``1f 8b``, zip ``PK\\x03\\x04``), never from the
  name, and the raw bytes are read with ``aiter_raw()`` so a ``Content-Encoding: gzip`` header can
  not make httpx decompress first (no double decompression).
- The body goes to a temp file beside ``dest``; the CSV is written to a second temp file with a
  leading ``sep=,`` line removed, then ``os.replace``-d onto ``dest``. A failure at any point
  removes both temp files and leaves ``dest`` untouched (absent, or the previous complete file).
- The file name is ``dest``: nothing is taken from the URL, whose query string is a signature and
  is kept out of messages and logs.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import inspect
import io
import itertools
import os
import tempfile
import zipfile
import zlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast
from urllib.parse import urlsplit

import httpx
from loguru import logger

from .client import BotifyClient

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 16

ProgressCallback = Callable[[int, int | None], Awaitable[None] | None]


class DownloadError(Exception):
    """The export could not be downloaded or decoded; nothing was written at ``dest``."""


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    rows: int  # data rows, header excluded
    bytes: int  # bytes received from the download host (compressed size)
    compression: str  # "gzip", "zip" or "none"
    csv_bytes: int = 0  # size of the CSV written at path


def sniff_compression(head: bytes) -> str:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    return "none"


def safe_url(url: str) -> str:
    """The URL without its query string (a pre-signed URL's signature) for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


async def _report(on_progress: ProgressCallback | None, done: int, total: int | None) -> None:
    if on_progress is None:
        return
    result = on_progress(done, total)
    if inspect.isawaitable(result):
        await result


def _unlink(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _temp_path(dest: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=suffix)
    os.close(fd)
    return Path(name)


@contextlib.contextmanager
def _open_decompressed(raw: Path, compression: str) -> Iterator[IO[bytes]]:
    """A binary stream of the CSV inside ``raw`` (at most one nested level of gzip/zip)."""
    with contextlib.ExitStack() as stack:
        stream: IO[bytes] = stack.enter_context(raw.open("rb"))
        for _ in range(2):
            if compression == "gzip":
                # A GzipFile reads like any IO[bytes]; typeshed just does not declare it one.
                stream = cast(IO[bytes], stack.enter_context(gzip.GzipFile(fileobj=stream, mode="rb")))
            elif compression == "zip":
                archive = stack.enter_context(zipfile.ZipFile(stream))
                members = [
                    m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")
                ]
                if not members:
                    raise DownloadError("The zip export contains no file")
                csvs = [m for m in members if m.filename.lower().endswith(".csv")] or members
                stream = stack.enter_context(archive.open(max(csvs, key=lambda m: m.file_size)))
            else:
                break
            # A CDN may have wrapped an already-compressed file once more: peek and unwrap.
            compression = sniff_compression(stream.peek(4)[:4])  # type: ignore[attr-defined]
        yield stream


def _reshape(rows: Iterator[list[str]], columns: Sequence[tuple[str, str]]) -> Iterator[list[str]]:
    """The header row becomes ``columns``' names; each data row their sources' cells ("" when absent)."""
    header = next(rows, None)
    if header is None:
        return
    where = {name: i for i, name in enumerate(header)}
    picks = [where.get(source, -1) if source else -1 for _, source in columns]
    yield [name for name, _ in columns]
    for row in rows:
        if row:
            yield [row[i] if 0 <= i < len(row) else "" for i in picks]


def _write_csv(
    source: IO[bytes], out_path: Path, columns: Sequence[tuple[str, str]] | None = None
) -> tuple[int, int]:
    """Copy ``source`` to ``out_path`` dropping a first ``sep=`` line. Returns (data rows, bytes).

    With ``columns`` (name, source header) the file is rewritten in that column order instead of
    copied line by line: slower, so only for exports whose columns vary (the page metadata).
    """
    with (
        io.TextIOWrapper(source, encoding="utf-8", errors="surrogateescape", newline="") as text,
        out_path.open("w", encoding="utf-8", errors="surrogateescape", newline="") as out,
    ):
        first = text.readline()
        probe = first.lstrip("\ufeff").rstrip("\r\n")
        if probe.lower().startswith("sep=") and len(probe) <= 6:
            first = ""

        if columns is not None:
            rest = itertools.chain([first] if first else [], text)
            writer = csv.writer(out, lineterminator="\r\n")
            records = 0
            for row in _reshape(csv.reader(rest), columns):
                writer.writerow(row)
                records += 1
            out.flush()
            os.fsync(out.fileno())
            return max(0, records - 1), out.tell()

        def lines() -> Iterator[str]:
            if first:
                out.write(first)
                yield first
            for line in text:
                out.write(line)
                yield line

        records = sum(1 for row in csv.reader(lines()) if row)
        out.flush()
        os.fsync(out.fileno())
        size = out.tell()
    return max(0, records - 1), size


async def download_export(
    url: str,
    dest: Path | str,
    *,
    client: httpx.AsyncClient | None = None,
    on_progress: ProgressCallback | None = None,
    timeout: float = 300.0,
    columns: Sequence[tuple[str, str]] | None = None,
) -> DownloadResult:
    """Download ``url`` (a Botify ``download_url``) and write the CSV atomically at ``dest``.

    ``client``: an optional plain ``httpx.AsyncClient`` (tests, proxies); its Authorization
    header and auth are stripped for this request. ``on_progress(bytes_done, total_or_None)``
    may be sync or async. ``columns``: ``(name, export header)`` pairs to save the CSV in that
    shape (see :func:`cardflow.botify.queries.metadata_columns`). Raises :class:`DownloadError`;
    ``dest`` is then left as it was.
    """
    if isinstance(client, BotifyClient):
        raise TypeError(
            "download_export must not use the Botify API client: the token must not reach the CDN"
        )
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("download_url must be an absolute http(s) URL")
    dest = Path(dest)
    if dest.is_dir():
        raise ValueError(f"dest must be a file path, not a folder: {dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shown = safe_url(url)

    own_client = client is None
    http = client or httpx.AsyncClient(timeout=timeout, follow_redirects=True, trust_env=True)
    raw_path: Path | None = None
    csv_path: Path | None = None
    try:
        raw_path = _temp_path(dest, ".download")
        request = http.build_request("GET", url, headers={"Accept-Encoding": "identity"})
        request.headers.pop("Authorization", None)
        received = 0
        try:
            response = await http.send(request, stream=True, auth=None, follow_redirects=True)
            try:
                if response.status_code != 200:
                    raise DownloadError(f"Download from {shown} answered HTTP {response.status_code}")
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                with raw_path.open("wb") as fh:
                    async for chunk in response.aiter_raw(CHUNK):
                        fh.write(chunk)
                        received += len(chunk)
                        await _report(on_progress, received, total)
                    fh.flush()
                    os.fsync(fh.fileno())
                if total is not None and received != total:
                    raise DownloadError(f"Download from {shown} was cut short: {received} of {total} bytes")
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise DownloadError(f"Download from {shown} failed: {type(exc).__name__}") from None

        with raw_path.open("rb") as fh:
            compression = sniff_compression(fh.read(4))
        csv_path = _temp_path(dest, ".csv.part")
        try:
            with _open_decompressed(raw_path, compression) as stream:
                rows, csv_size = _write_csv(stream, csv_path, columns)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, csv.Error) as exc:
            raise DownloadError(f"The {compression} export from {shown} is damaged: {exc}") from None
        os.replace(csv_path, dest)
        csv_path = None
        logger.info("Botify export saved to {} ({} rows, {} bytes, {})", dest, rows, received, compression)
        return DownloadResult(
            path=dest, rows=rows, bytes=received, compression=compression, csv_bytes=csv_size
        )
    finally:
        _unlink(raw_path)
        _unlink(csv_path)
        if own_client:
            await http.aclose()


__all__ = ["DownloadError", "DownloadResult", "download_export", "safe_url", "sniff_compression"]
