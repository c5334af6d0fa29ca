"""Files a user hands to a workflow: streamed into the data dir under a size limit, then checked.

A browser upload is parsed as it arrives (python-multipart's push parser) and written straight to
``<data dir>/uploads/.incoming/``; a local file named over MCP or the CLI is copied there the same
way. Either way the bytes are counted as they are written, so a file over the step's limit is
refused (413) part-way, and the partial file is deleted: nothing over the limit is ever kept. The
checked file is then moved (an atomic rename on the same disk) to
``<data dir>/uploads/<app>/<run id>/<step>/<sha256 prefix>/<name>``: content-addressed, so an
undo that brings back an earlier upload still finds its file.

The type is checked twice: by the name's extension and by the first bytes (gzip and Parquet magic,
no NUL bytes in text); DuckDB parsing the file is the last check (`cardflow.datasteps.query`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from cardflow.errors import Problem
from cardflow.fields import ValidationError

if TYPE_CHECKING:
    from starlette.requests import Request

UPLOADS = "uploads"
INCOMING = ".incoming"
CHUNK = 1 << 16
# Extension -> format. Longest first, so "x.csv.gz" is gzip CSV and not an unknown ".gz".
FORMATS: dict[str, str] = {"csv.gz": "csv.gz", "tsv": "csv", "csv": "csv", "jsonl": "json", "ndjson": "json",
                           "json": "json", "parquet": "parquet"}
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
NAME_MAX = 120


class TooLarge(Problem):
    """The file is over the step's limit; nothing of it was kept."""

    status = 413


@dataclass(frozen=True)
class Received:
    """A file now in the data dir (not yet checked): where, its original name, size and sha256."""

    path: Path
    name: str
    size: int
    sha256: str


# -- where files live ----------------------------------------------------------------------------
def uploads_root(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / UPLOADS


def run_id(key: str) -> str:
    """A folder name for one run: readable, and unique by a hash of the key."""
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:40] or "run"
    return f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def step_dir(data_dir: str | os.PathLike[str], app: str, key: str, step_id: str) -> Path:
    return uploads_root(data_dir) / app / run_id(key) / step_id


def resolve(data_dir: str | os.PathLike[str], rel: str) -> Path:
    """A stored file's path from its data-dir-relative path, refusing anything outside the uploads."""
    root = uploads_root(data_dir).resolve()
    full = (Path(data_dir) / rel).resolve()
    if not full.is_relative_to(root):
        raise Problem("That file is not one of this workflow's uploads.")
    if not full.is_file():
        raise Problem("The uploaded file is gone from the data directory: revert the upload step and upload it again.",
                      404)
    return full


def safe_name(filename: str) -> str:
    """The file's own name, reduced to characters safe in a path (never a directory part)."""
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) < 12 else base[:NAME_MAX]
    return base or "upload"


def format_of(name: str, accept: tuple[str, ...]) -> str:
    """The format the name's extension says, if the step accepts it; else a ValidationError."""
    lower = name.lower()
    for ext in sorted(accept, key=len, reverse=True):
        if lower.endswith("." + ext.lower()):
            return FORMATS.get(ext.lower(), ext.lower())
    listed = ", ".join(f".{e}" for e in accept)
    raise ValidationError(f"“{name}” is not a file this step reads: upload a {listed} file.")


def sniff(path: Path, fmt: str) -> None:
    """Check the first bytes against the format the extension claimed."""
    with open(path, "rb") as f:
        head = f.read(CHUNK)
    if not head:
        raise ValidationError("The file is empty.")
    if fmt == "parquet":
        with open(path, "rb") as f:
            f.seek(-4, os.SEEK_END)
            tail = f.read(4)
        if not head.startswith(PARQUET_MAGIC) or tail != PARQUET_MAGIC:
            raise ValidationError("This is not a Parquet file (it does not start and end with PAR1).")
        return
    if fmt == "csv.gz":
        if not head.startswith(GZIP_MAGIC):
            raise ValidationError("This .gz file is not gzip-compressed.")
        return
    if head.startswith(GZIP_MAGIC):
        raise ValidationError("This file is gzip-compressed: name it .csv.gz, or unpack it first.")
    if head.startswith(PARQUET_MAGIC) or b"\x00" in head:
        raise ValidationError(f"This is a binary file, not {fmt.upper()} text.")
    if fmt == "json" and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        raise ValidationError("This is not JSON: it should start with { or [.")


# -- receiving -----------------------------------------------------------------------------------
class Sink:
    """A file being written under the incoming dir: counts and hashes, refuses past `limit` bytes."""

    def __init__(self, data_dir: str | os.PathLike[str], name: str, limit: int) -> None:
        self.folder = uploads_root(data_dir) / INCOMING / uuid.uuid4().hex
        self.folder.mkdir(parents=True)
        self.name, self.limit = name, limit
        self.path = self.folder / safe_name(name)
        self.size = 0
        self.hash = hashlib.sha256()
        self.file: BinaryIO | None = open(self.path, "wb")  # noqa: SIM115 - closed in close()/abort()

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            self.abort()
            raise TooLarge(f"The file is larger than this step's limit of {self.limit / 2**20:.3g} MB; nothing was kept.")
        assert self.file is not None
        self.file.write(data)
        self.hash.update(data)

    def close(self) -> Received:
        assert self.file is not None
        self.file.close()
        self.file = None
        return Received(self.path, self.name, self.size, self.hash.hexdigest())

    def abort(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        discard(self.folder)


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def copy_in(data_dir: str | os.PathLike[str], source: str, limit: int) -> Received:
    """Copy a local file (named over MCP or the CLI) into the incoming dir, under the same limit."""
    path = Path(source).expanduser()
    if not path.is_file():
        raise ValidationError(f"There is no file at {source}.")
    if path.stat().st_size > limit:
        raise TooLarge(f"The file is larger than this step's limit of {limit / 2**20:.3g} MB; nothing was kept.")
    sink = Sink(data_dir, path.name, limit)
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                sink.write(chunk)
    except OSError as exc:
        sink.abort()
        raise ValidationError(f"Cannot read {source}: {exc.strerror or exc}.") from None
    return sink.close()


async def receive(request: Request, data_dir: str | os.PathLike[str], field: str, limit: int) -> Received:
    """Stream the multipart body's file field `field` to disk; other fields are ignored.

    Past the limit the partial file is deleted and the rest of the body is read and dropped (so the
    browser gets the 413 rather than a reset connection); the global body limit bounds that read.
    """
    from python_multipart.multipart import MultipartParser, parse_options_header
    from starlette.requests import ClientDisconnect

    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ValidationError("Send the file as a multipart form upload.")
    state: dict[str, Any] = {"headers": {}, "field": b"", "value": b"", "sink": None, "done": None}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        _, disp = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        filename = disp.get(b"filename")
        if name == field and filename is not None and state["done"] is None and filename:
            state["sink"] = Sink(data_dir, filename.decode("utf-8", "replace"), limit)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["sink"] is not None:
            state["sink"].write(data[start:end])

    def on_part_end() -> None:
        if state["sink"] is not None:
            state["done"] = state["sink"].close()
            state["sink"] = None
        state["headers"] = {}

    parser = MultipartParser(boundary, {"on_header_field": on_header_field, "on_header_value": on_header_value,
                                        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
                                        "on_part_data": on_part_data, "on_part_end": on_part_end})
    stream = request.stream()
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except TooLarge:
        state["sink"] = None  # it removed its own file
        try:
            async for _ in stream:
                pass
        except ClientDisconnect:
            pass
        raise
    except BaseException as exc:  # a dropped connection, a malformed body: keep nothing
        if state["sink"] is not None:
            state["sink"].abort()
        if state["done"] is not None:
            discard(state["done"].path.parent)
        if isinstance(exc, ClientDisconnect):
            raise TooLarge("The upload stopped before the end (or was over Cardflow's request limit, "
                           "CARDFLOW_MAX_BODY_MB); nothing was kept.") from None
        if isinstance(exc, Exception):
            raise ValidationError("The upload could not be read; try again.") from None
        raise
    if state["done"] is None:
        raise ValidationError("Choose a file to upload.")
    done: Received = state["done"]
    return done


def keep(data_dir: str | os.PathLike[str], received: Received, target: Path) -> Path:
    """Move a checked incoming file to its final folder (same disk: an atomic rename)."""
    target.mkdir(parents=True, exist_ok=True)
    final = target / received.path.name
    os.replace(received.path, final)
    discard(received.path.parent)
    return final


def is_incoming(data_dir: str | os.PathLike[str], path: Path) -> bool:
    return path.resolve().is_relative_to((uploads_root(data_dir) / INCOMING).resolve())
