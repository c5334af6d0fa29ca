"""Data steps over HTTP and through the actions: upload (streamed, limited, checked), paged and sorted
preview, chart, markdown; and every kind of bad input gets a message, never a 500, and keeps nothing."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cardflow.app import build_app
from cardflow.config import Settings
from cardflow.datasteps import Upload
from cardflow.steps import Step
from cardflow.workflow import Workflow
from tests.http.test_docs_data_steps import chart_spec

HX = {"HX-Request": "true"}
ROWS = 120
CSV = "city,country,population\n" + "".join(f"City {i:03d},C{i % 7},{1000 + i * 37 % 501}\n" for i in range(120))


def upload(client, key: str, name: str, body: bytes, step: str = "data", app: str = "csv_explorer"):
    return client.post(f"/{app}/upload/{step}?key={key}", files={step: (name, body, "text/csv")}, headers=HX)


def start(client, key: str, app: str = "csv_explorer") -> None:
    assert client.post(f"/{app}/init", data={"key": key}, headers=HX).status_code == 200


def kept_files(data_dir: Path) -> list[Path]:
    root = data_dir / "uploads"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def state(client, key: str) -> dict:
    return client.app.state.ctx.pipulate.read_state(key)


def test_upload_page_sort_chart_summary(client, data_dir):
    start(client, "k1")
    r = upload(client, "k1", "cities.csv", CSV.encode())
    assert r.status_code == 200
    assert "120 rows" in r.text and "3 columns" in r.text
    value = state(client, "k1")["data"]["data"]
    assert value["rows"] == 120 and value["columns"] == ["city", "country", "population"]
    assert value["format"] == "csv" and len(value["sha256"]) == 64
    stored = data_dir / value["path"]
    assert stored.read_text() == CSV and stored.is_relative_to(data_dir / "uploads" / "csv_explorer")
    assert not list((data_dir / "uploads" / ".incoming").iterdir())  # nothing left behind

    page = client.get("/csv_explorer/part/preview?key=k1", headers=HX).text
    assert page.count("<tr>") == 51 and "Rows 1–50 of 120" in page and "City 000" in page
    page3 = client.get("/csv_explorer/part/preview?key=k1&page=3", headers=HX).text
    assert "Rows 101–120 of 120" in page3 and "City 119" in page3
    top = client.get("/csv_explorer/part/preview?key=k1&sort=population&desc=1", headers=HX).text
    highest = max(1000 + i * 37 % 501 for i in range(120))
    first_row = top.split("<tbody>")[1].split("</tr>")[0]
    assert f"<td>{highest}</td>" in first_row and 'aria-sort="descending"' in top

    assert client.post("/csv_explorer/step/preview?key=k1", headers=HX).status_code == 200
    chart_form = client.get("/csv_explorer/step/chart?key=k1", headers=HX).text
    assert 'name="x"' in chart_form and '<option value="population" selected' in chart_form
    client.post("/csv_explorer/step/chart?key=k1", data={"x": "country", "y": "population", "type": "bar"},
                headers=HX)
    drawn = client.get("/csv_explorer/part/chart?key=k1", headers=HX).text
    spec = chart_spec(drawn)
    assert spec["labels"] == [f"C{i}" for i in range(7)] and spec["type"] == "bar"
    assert sum(spec["values"]) == sum(1000 + i * 37 % 501 for i in range(120))

    r = client.post("/csv_explorer/step/summary?key=k1", headers=HX)
    assert "<h2><code>cities.csv</code></h2>" in r.text and "120 rows and 3 columns" in r.text


def test_preview_action_and_cli_style_file(client, tmp_path, data_dir):
    ctx = client.app.state.ctx
    src = tmp_path / "local.csv"
    src.write_text(CSV)
    import asyncio

    async def go():
        await ctx.actions.run("csv_explorer.start", {"key": "cli"}, actor="cli")
        await ctx.actions.run("csv_explorer.submit", {"key": "cli", "step": "data", "file": str(src)}, actor="cli")
        out = await ctx.actions.run("csv_explorer.preview", {"key": "cli", "step": "data", "page": 2,
                                                             "sort": "city", "desc": True}, actor="cli")
        return out.result

    result = asyncio.run(go())
    assert result["total"] == 120 and result["page"] == 2 and result["rows"][0][0] == "City 069"
    assert src.exists()  # copied in, never moved
    assert len(kept_files(data_dir)) == 1


def test_over_the_step_limit_is_413_and_keeps_nothing(client, data_dir, monkeypatch):
    from cardflow.apps.csv_explorer import CsvExplorer

    start(client, "big")
    small = Step("data", "Your file", kind=Upload(accept=("csv",), max_mb=0.01))  # about 10 KB
    monkeypatch.setattr(CsvExplorer, "steps", [small, *CsvExplorer.steps[1:]])
    r = upload(client, "big", "big.csv", b"a,b\n" + b"1,2\n" * 10_000)
    assert r.status_code == 413
    assert "larger than this step's limit of 0.01 MB" in r.text and "nothing was kept" in r.text
    assert 'data-step="data"' in r.text  # the card again, with the message at the field
    assert kept_files(data_dir) == [] and "data" not in state(client, "big")


@pytest.mark.parametrize(("name", "body", "message"), [
    ("notes.txt", b"a,b\n1,2\n", "is not a file this step reads"),
    ("data.parquet", b"a,b\n1,2\n", "not a Parquet file"),
    ("data.csv", b"", "The file is empty"),
    ("data.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
    ("data.csv.gz", b"a,b\n1,2\n", "not gzip-compressed"),
    ("data.csv", gzip.compress(b"a,b\n1,2\n", mtime=0), "gzip-compressed: name it .csv.gz"),
    ("data.json", b"a,b\n1,2\n", "This is not JSON"),
    ("data.json", b"{\"a\": 1,,,", "not readable as JSON"),
    ("data.csv", b"a,b\n1,2\n3,4,5,6,7\n8\n", "lines do not all have the same columns"),
    ("data.csv", b"a,b\n" + b"1,2\n" * 30_000 + b"3,4,5\n", "not readable as CSV: Invalid Input Error: CSV Error on Line: 30002"),
])
def test_bad_files_get_a_message_and_keep_nothing(client, data_dir, name, body, message):
    start(client, "bad")
    r = upload(client, "bad", name, body)
    assert r.status_code == 200, r.text
    assert message in r.text and "field-error" in r.text
    assert kept_files(data_dir) == [] and "data" not in state(client, "bad")


def test_bad_sort_column_and_page(client):
    start(client, "s")
    upload(client, "s", "c.csv", CSV.encode())
    r = client.get('/csv_explorer/part/preview?key=s&sort=x"; DROP TABLE t; --', headers=HX)
    assert r.status_code == 200 and "There is no column" in r.text and "DROP" in r.text  # quoted back, escaped
    r = client.get("/csv_explorer/part/preview?key=s&page=abc", headers=HX)
    assert "The page is a whole number" in r.text
    ctx = client.app.state.ctx
    import asyncio

    from cardflow.errors import Problem
    with pytest.raises(Problem, match="There is no column"):
        asyncio.run(ctx.actions.run("csv_explorer.preview", {"key": "s", "step": "data", "sort": "nope"}, actor="cli"))


def test_submit_without_a_file_and_file_on_a_plain_step(client, tmp_path):
    start(client, "n")
    r = client.post("/csv_explorer/step/data?key=n", data={"x": "1"}, headers=HX)
    assert r.status_code == 200 and "multipart" in r.text
    import asyncio

    from cardflow.errors import Problem
    ctx = client.app.state.ctx
    with pytest.raises(Problem, match="There is no file"):
        asyncio.run(ctx.actions.run("csv_explorer.submit", {"key": "n", "step": "data", "file": str(tmp_path / "x.csv")},
                                    actor="cli"))


def test_html_in_a_file_name_and_cells_is_escaped(client):
    start(client, "x")
    body = b'name,note\n"<script>alert(1)</script>",<b>bold</b>\n'
    r = upload(client, "x", "<img src=x onerror=alert(1)>.csv", body)
    assert "<img" not in r.text
    page = client.get("/csv_explorer/part/preview?key=x", headers=HX).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_upload_routes_stream_past_the_form_limit_but_not_past_the_upload_cap(tmp_path):
    """CARDFLOW_MAX_BODY_MB guards form handlers, which read bodies into memory; an upload step
    streams to disk, so only its own limit (capped by CARDFLOW_MAX_UPLOAD_MB) applies to it."""
    settings = Settings(data_dir=tmp_path / "d", open_browser=False, llm="scripted", max_body_mb=0.05,
                        max_upload_mb=0.1, ollama_host="http://127.0.0.1:9")
    from starlette.testclient import TestClient
    with TestClient(build_app(settings), base_url="http://127.0.0.1:5001") as c:
        c.headers["Origin"] = "http://127.0.0.1:5001"
        start(c, "g")
        fits = upload(c, "g", "g.csv", b"a,b\n" + b"1,2\n" * 15_000)  # 60 KB: over the form limit only
        assert fits.status_code == 200 and "g.csv" in fits.text
        start(c, "h")
        r = upload(c, "h", "h.csv", b"a,b\n" + b"1,2\n" * 50_000)  # 200 KB: over the upload cap
        assert r.status_code == 413 and "limit of 0.1 MB" in r.text and "nothing was kept" in r.text
        # Any other POST still meets the form limit.
        big_form = c.post("/csv_explorer/init", data={"pipeline_id": "x" * 80_000})
        assert big_form.status_code == 413 and "CARDFLOW_MAX_BODY_MB" in big_form.text
    assert [p.name for p in kept_files(tmp_path / "d")] == ["g.csv"]


class _Unused(Workflow):  # a kind fills only the hooks a step leaves unset
    name = "unused"
    steps = [Step("data", "File", kind=Upload(), locked=lambda wf, call: "mine")]


def test_explicit_hooks_win_over_the_kind():
    step = _Unused.steps[0]
    assert step.locked is not None and step.locked(None, None) == "mine"
    assert step.submit is not None and step.render is not None


def test_upload_route_is_behind_the_origin_check(client, data_dir):
    start(client, "o")
    r = client.post("/csv_explorer/upload/data?key=o", files={"data": ("c.csv", CSV.encode(), "text/csv")},
                    headers={**HX, "Origin": "http://evil.example"})
    assert r.status_code == 403 and kept_files(data_dir) == []


def test_cli_call_submits_a_local_file_and_previews(tmp_path, data_dir):
    import subprocess
    import sys

    src = tmp_path / "cities.csv"
    src.write_text(CSV)

    def call(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "cardflow", "call", *args, "--data-dir", str(data_dir)],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)["result"]

    call("csv_explorer.start", "key=cli run")
    saved = call("csv_explorer.submit", "key=cli run", "step=data", f"file={src}")
    assert saved["steps"][0]["value"]["rows"] == ROWS
    page = call("csv_explorer.preview", "key=cli run", "step=data", "page=3", "sort=population")
    assert page["page"] == 3 and len(page["rows"]) == ROWS - 100
    bad = subprocess.run([sys.executable, "-m", "cardflow", "call", "csv_explorer.preview", "key=cli run", "step=data",
                          "sort=nope", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "There is no column “nope”" in bad.stderr and "Traceback" not in bad.stderr
