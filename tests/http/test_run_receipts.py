"""Run receipts: a run as a zip with a SHA-256 manifest; `cardflow verify` names what does not match."""

import asyncio
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from cardflow.cli import main
from cardflow.errors import Problem
from cardflow.runzip import verify
from cardflow.uploads import run_id

HX = {"HX-Request": "true"}


def finish_hello(client, key):
    client.post("/hello/init", data={"key": key}, headers=HX)
    client.post(f"/hello/step/name?key={key}", data={"name": "Ada"}, headers=HX)
    client.post(f"/hello/step/greeting?key={key}", data={"greeting": "Hello, Ada!"}, headers=HX)


def download(client, key, tmp_path, app="hello"):
    r = client.get(f"/{app}/receipt?key={key}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith(f'attachment; filename="{app}-')
    path = tmp_path / "receipt.zip"
    path.write_bytes(r.content)
    return path


def rewrite(src, dst, change):
    """A copy of the zip with `change(name, data)` applied to each member (None drops it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def test_receipt_holds_state_files_and_a_manifest_and_verifies(client, app, settings, tmp_path, capsys):
    finish_hello(client, "r1")
    csv_name = f"files/uploads/hello/{run_id('r1')}/name/data.csv"
    uploads = settings.data_dir / "uploads" / "hello" / run_id("r1") / "name"  # where upload steps keep them
    uploads.mkdir(parents=True)
    (uploads / "data.csv").write_text("a,b\n1,2\n")
    (settings.data_dir / "report.txt").write_text("made by the run")
    (settings.data_dir / "botify_token").write_text("secret")
    ctx = app.state.ctx
    # A step value naming a file in the data dir takes it along; never the database or a secret.
    ctx.pipulate.set_step_data("r1", "greeting", {"greeting": "Hello, Ada!", "file": "report.txt",
                                                  "db": str(settings.data_dir / "cardflow.db"),
                                                  "token": str(settings.data_dir / "botify_token"),
                                                  "outside": "/etc/hostname"})
    path = download(client, "r1", tmp_path)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert names == {"state.json", "model_calls.json", "manifest.json", csv_name,
                         "files/report.txt"}
        assert json.loads(zf.read("state.json")) == ctx.pipulate.read_state("r1")
        assert json.loads(zf.read("model_calls.json")) == []
        manifest = json.loads(zf.read("manifest.json"))
        csv = zf.read(csv_name)
    assert manifest["app"] == "hello" and manifest["key"] == "r1" and manifest["format"] == "cardflow-receipt/1"
    assert manifest["cardflow_version"] and manifest["created"]
    entry = next(e for e in manifest["files"] if e["path"] == csv_name)
    assert entry == {"path": csv_name, "sha256": hashlib.sha256(csv).hexdigest(),
                     "size": len(csv)}
    assert verify(path).ok and verify(path).checked == 4
    assert main(["verify", str(path)]) == 0
    assert capsys.readouterr().out.startswith("OK: 4 files match the manifest of hello “r1”")


def test_a_tampered_receipt_names_the_file(client, tmp_path, capsys):
    finish_hello(client, "t1")
    path = download(client, "t1", tmp_path)

    def edit_state(name, data):
        return data.replace(b"Ada", b"Eve") if name == "state.json" else data

    tampered = rewrite(path, tmp_path / "edited.zip", edit_state)
    assert main(["verify", str(tampered)]) == 1
    out = capsys.readouterr()
    assert out.out.strip() == "CHANGED state.json: its SHA-256 or size does not match the manifest"
    assert "does not match its manifest" in out.err
    # One byte flipped inside the zip itself (the member's stored bytes): still named, no traceback.
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("model_calls.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start] ^= 0xFF
    flipped = tmp_path / "flipped.zip"
    flipped.write_bytes(bytes(raw))
    assert main(["verify", str(flipped)]) == 1
    assert "CHANGED model_calls.json" in capsys.readouterr().out


def test_missing_extra_and_unsafe_members_are_named(client, tmp_path):
    finish_hello(client, "t2")
    path = download(client, "t2", tmp_path)
    dropped = rewrite(path, tmp_path / "dropped.zip", lambda n, d: None if n == "model_calls.json" else d)
    assert verify(dropped).missing == ["model_calls.json"]
    extra = rewrite(path, tmp_path / "extra.zip", lambda n, d: d)
    with zipfile.ZipFile(extra, "a") as zf:
        zf.writestr("files/added.txt", "not in the manifest")
        zf.writestr("../../escape.txt", "zip slip")
    verdict = verify(extra)
    assert verdict.extra == ["files/added.txt"] and verdict.unsafe == ["../../escape.txt"] and not verdict.ok
    assert "UNSAFE ../../escape.txt: a path that leaves the receipt's folder" in verdict.lines()


def test_not_a_receipt_gets_one_line(tmp_path, capsys):
    text = tmp_path / "notes.zip"
    text.write_text("hello")
    assert main(["verify", str(text)]) == 2
    assert capsys.readouterr().err.strip() == f"cardflow verify: {text} is not a zip file, so it is not a Cardflow receipt."
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(bare, "w") as zf:
        zf.writestr("state.json", "{}")
    assert main(["verify", str(bare)]) == 2
    assert "has no manifest.json: it is not a Cardflow receipt." in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "absent.zip")]) == 2
    assert "no such file" in capsys.readouterr().err
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("manifest.json", "{not json")
    with pytest.raises(Problem, match="cannot be read"):
        verify(broken)


def test_receipt_of_an_unknown_key_is_refused(client, app):
    assert client.get("/hello/receipt?key=ghost").status_code == 404
    with pytest.raises(Problem, match="ghost"):
        asyncio.run(app.state.ctx.actions.run("hello.receipt", {"key": "ghost"}, actor="mcp"))


async def poem_run(ctx, key):
    await ctx.actions.run("poetflow.start", {"key": key}, actor="cli")
    await ctx.actions.run("poetflow.submit", {"key": key, "step": "topic", "value": "rain on tin"}, actor="cli")
    await ctx.actions.run("poetflow.job_start", {"key": key, "step": "poem"}, actor="cli")
    await asyncio.wait(list(ctx.jobs.tasks.values()), timeout=60)
    return await ctx.actions.run("poetflow.receipt", {"key": key}, actor="mcp")


def test_a_poetflow_receipt_holds_the_model_call(app, settings, tmp_path):
    ctx = app.state.ctx
    out = asyncio.run(poem_run(ctx, "poem-1"))
    path = out.result["path"]
    assert path.startswith(str(settings.data_dir / "receipts" / "poetflow-poem-1-"))
    assert ctx.pipulate.read_state("poem-1")["poem"] == {"poem": "This is the scripted demo backend."}
    with zipfile.ZipFile(path) as zf:
        calls = json.loads(zf.read("model_calls.json"))
    assert len(calls) == 1
    call = calls[0]
    assert call["step"] == "poem" and call["backend"] == "scripted" and call["app"] == "poetflow"
    assert call["messages"][1] == {"role": "user", "content": "Topic: rain on tin"}
    assert call["reply"] == "This is the scripted demo backend." and call["created"]
    assert verify(Path(path)).ok
