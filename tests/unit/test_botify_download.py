"""download_export against the fake Botify CDN, and against in-memory transports."""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
import os
import zipfile
from pathlib import Path

import httpx
import pytest

from cardflow.botify import BotifyClient, DownloadError, download_export, sniff_compression
from cardflow.botify import queries as q
from tests.fakes.botify import ORG, PROJECT, TOKEN, build_site, expected_edges

SLUG = "20240301-2"


@pytest.fixture
def fake(botify):
    return botify


def run(coro):
    return asyncio.run(coro)


def export_url(fake, query: dict, filetype: str | None = None, size: int = 10_000) -> str:
    async def go():
        async with BotifyClient(TOKEN, fake.base_url, backoff_base=0.001) as bf:
            job = await bf.create_export(ORG, PROJECT, query, export_size=size, filetype=filetype)
            return (await bf.wait_job(job["job_id"], poll_interval=0.001))["download_url"]

    return run(go())


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def only_file(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- against the fake --------------------------------------------------------------------------------


def test_gzip_links_export(fake, tmp_path):
    url = export_url(fake, q.link_graph_query(SLUG, 2))
    assert "?" in url and url.startswith(fake.download_base_url)
    dest = tmp_path / "links.csv"
    progress: list[tuple[int, int | None]] = []
    result = run(download_export(url, dest, on_progress=lambda done, total: progress.append((done, total))))
    rows = read_rows(dest)
    assert rows[0] == ["url", "outlinks_internal.graph.url"]  # sep=, line gone, header kept
    assert [tuple(r) for r in rows[1:]] == expected_edges(2)
    assert result.path == dest and result.rows == len(expected_edges(2)) == len(rows) - 1
    assert result.compression == "gzip"
    assert result.bytes == progress[-1][0] == progress[-1][1] > 0
    assert not dest.read_text().startswith("sep=")
    assert only_file(tmp_path) == ["links.csv"]  # named by dest, not by the pre-signed URL


def test_zip_metadata_export_with_multiline_field(fake, tmp_path):
    url = export_url(fake, q.page_metadata_query(SLUG), filetype="zip")
    dest = tmp_path / "sub" / "meta.csv"
    result = run(download_export(url, dest))
    rows = read_rows(dest)
    assert rows[0] == list(q.METADATA_FIELDS)
    ok_pages = [p for p in build_site() if p.http_code == 200]
    assert result.compression == "zip" and result.rows == len(ok_pages) == len(rows) - 1
    assert len(dest.read_text().splitlines()) > len(rows)  # a quoted newline: rows are CSV records
    assert [r[4] for r in rows if "\n" in r[4]] == ["Two lines\nof description"]
    assert {r[1] for r in rows[1:]} == {"200"}


def test_compression_detected_by_magic_not_name(fake, tmp_path):
    fake.state.misleading_extension = True  # zip served as .csv.gz
    url = export_url(fake, q.link_graph_query(SLUG, 1), filetype="zip")
    assert ".csv.gz?" in url
    result = run(download_export(url, tmp_path / "links.csv"))
    assert result.compression == "zip" and result.rows == len(expected_edges(1))


def test_content_encoding_gzip_not_decoded_twice(fake, tmp_path):
    fake.state.download_content_encoding = True  # S3 object with Content-Encoding: gzip metadata
    url = export_url(fake, q.link_graph_query(SLUG, 1))
    result = run(download_export(url, tmp_path / "links.csv"))
    assert result.compression == "gzip"
    assert [tuple(r) for r in read_rows(result.path)[1:]] == expected_edges(1)


def test_no_authorization_header_reaches_download_host(fake, tmp_path):
    url = export_url(fake, q.link_graph_query(SLUG, 1))
    # The fake CDN really rejects auth:
    assert httpx.get(url, headers={"Authorization": f"Token {TOKEN}"}).status_code == 403
    assert fake.state.download_auth_rejected == 1
    fake.state.download_requests.clear()

    run(download_export(url, tmp_path / "a.csv"))

    # Even a caller's client with a default Authorization header must not leak it:
    async def with_leaky_client():
        async with httpx.AsyncClient(headers={"Authorization": f"Token {TOKEN}"}, auth=("u", "p")) as leaky:
            return await download_export(url, tmp_path / "b.csv", client=leaky)

    assert run(with_leaky_client()).rows == len(expected_edges(1))
    assert [r["authorization"] for r in fake.state.download_requests] == [None, None]
    assert fake.state.download_auth_rejected == 1
    assert all(r["host"].startswith("localhost:") for r in fake.state.download_requests)


def test_api_client_refused(fake, tmp_path):
    async def go():
        async with BotifyClient(TOKEN, fake.base_url) as bf:
            await download_export("http://localhost:1/x.gz", tmp_path / "x.csv", client=bf)  # type: ignore[arg-type]

    with pytest.raises(TypeError):
        run(go())


def test_truncated_download_leaves_nothing(fake, tmp_path):
    url = export_url(fake, q.link_graph_query(SLUG, 3))
    fake.state.truncate_downloads_next = 1
    dest = tmp_path / "links.csv"
    with pytest.raises(DownloadError) as info:
        run(download_export(url, dest))
    assert "X-Amz-Signature" not in str(info.value)  # the pre-signed query stays out of messages
    assert only_file(tmp_path) == []  # no dest, no temp files


def test_failed_download_keeps_previous_file(fake, tmp_path):
    url = export_url(fake, q.link_graph_query(SLUG, 3))
    dest = tmp_path / "links.csv"
    dest.write_text("previous complete download\n")
    fake.state.truncate_downloads_next = 1
    with pytest.raises(DownloadError):
        run(download_export(url, dest))
    assert dest.read_text() == "previous complete download\n"
    assert only_file(tmp_path) == ["links.csv"]


def test_bad_signature_403(fake, tmp_path):
    url = export_url(fake, q.link_graph_query(SLUG, 1))
    with pytest.raises(DownloadError, match="HTTP 403") as info:
        run(download_export(url.split("X-Amz-Signature=")[0] + "X-Amz-Signature=forged", tmp_path / "x.csv"))
    assert "forged" not in str(info.value)
    assert only_file(tmp_path) == []


# -- in-memory transports --------------------------------------------------------------------------


def serve_bytes(body: bytes, status: int = 200, headers: dict | None = None) -> httpx.AsyncClient:
    async def chunks():  # a real stream, as from the network (bytes content would be pre-read)
        for i in range(0, len(body), 7):
            yield body[i : i + 7]

    def handler(request: httpx.Request) -> httpx.Response:
        assert "authorization" not in request.headers
        return httpx.Response(status, content=chunks(), headers=headers or {})

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def fetch(body: bytes, dest: Path, **kw):
    async def go():
        async with serve_bytes(body, **kw) as client:
            return await download_export("https://cdn.example/e.csv?sig=1", dest, client=client)

    return run(go())


CSV = b"sep=,\r\nurl,depth\r\nhttps://a/,0\r\nhttps://a/b,1\r\n"


def zipped(data: bytes, name: str = "export.csv") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "compression"),
    [
        (CSV, "none"),
        (gzip.compress(CSV, mtime=0), "gzip"),
        (zipped(CSV), "zip"),
        (gzip.compress(gzip.compress(CSV, mtime=0), mtime=0), "gzip"),  # a CDN that compressed the .gz again
        (gzip.compress(CSV[:5], mtime=0) + gzip.compress(CSV[5:], mtime=0), "gzip"),  # multi-member gzip
    ],
)
def test_formats(tmp_path, body, compression):
    result = fetch(body, tmp_path / "out.csv")
    assert result.compression == compression and result.rows == 2
    assert (tmp_path / "out.csv").read_bytes() == CSV[len(b"sep=,\r\n") :]


@pytest.mark.parametrize(
    ("body", "first_line", "rows"),
    [
        (b"\xef\xbb\xbfsep=;\nurl;depth\nx;1\n", "url;depth", 1),  # BOM + another delimiter
        (b"url,depth\nx,1\ny,2", "url,depth", 2),  # no sep= line, no final newline
        (b"sep=,\nurl,depth\n", "url,depth", 0),  # header only
        (b"", "", 0),
        (b"sep=,\n", "", 0),
    ],
)
def test_sep_line_and_header(tmp_path, body, first_line, rows):
    result = fetch(gzip.compress(body), tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert text.splitlines()[:1] == ([first_line] if first_line else [])
    assert result.rows == rows


def test_sniff():
    assert sniff_compression(b"\x1f\x8b\x08\x00") == "gzip"
    assert sniff_compression(b"PK\x03\x04") == "zip"
    assert sniff_compression(b"url,") == "none"
    assert sniff_compression(b"PK\x05\x06") == "none"


@pytest.mark.parametrize(
    "body", [b"\x1f\x8b\x08\x00garbage-not-deflate", gzip.compress(CSV * 50, mtime=0)[:-20], b"PK\x03\x04broken"]
)
def test_damaged_archive_leaves_nothing(tmp_path, body):
    with pytest.raises(DownloadError, match="damaged"):
        fetch(body, tmp_path / "out.csv")
    assert only_file(tmp_path) == []


def test_http_error_and_short_body(tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(b"<Error/>", tmp_path / "out.csv", status=404)
    with pytest.raises(DownloadError):
        fetch(CSV, tmp_path / "out.csv", headers={"Content-Length": str(len(CSV) + 10)})
    assert only_file(tmp_path) == []


def test_dest_must_be_a_file(tmp_path):
    with pytest.raises(ValueError):
        run(download_export("https://cdn.example/x", tmp_path))
    with pytest.raises(ValueError):
        run(download_export("ftp://cdn.example/x", tmp_path / "x.csv"))


def test_replace_is_atomic(tmp_path, monkeypatch):
    """The only write to dest is one os.replace from a temp file in the same folder."""
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append((Path(src).parent, Path(src).name, Path(dst)))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    fetch(gzip.compress(CSV), tmp_path / "out.csv")
    assert len(seen) == 1
    parent, name, dst = seen[0]
    assert parent == tmp_path and name.startswith(".out.csv.") and dst == tmp_path / "out.csv"
