"""Connect with Botify, the Botify link-graph workflow and the graph view, in process, against the fake."""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import stat
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cardflow.config import Settings
from cardflow.errors import Problem
from tests import waiting
from tests.fakes.botify import (
    ORG,
    PROJECT,
    READONLY_TOKEN,
    TOKEN,
    build_site,
    expected_edge_count,
)

HX = {"HX-Request": "true"}
KEY = "acme shop"
PROJECT_URL = f"https://app.botify.com/{ORG}/{PROJECT}/"
SUCCESSFUL_NEWEST_FIRST = ["20240301-2", "20240301", "20240215", "20240201", "20240105"]


@pytest.fixture
def bf(botify):
    return botify


def make_client(data_dir: Path, api: str) -> TestClient:
    from cardflow.app import build_app

    app = build_app(Settings(data_dir=data_dir, port=5001, open_browser=False, llm="scripted",
                             ollama_host="http://127.0.0.1:9", botify_api=api))
    c = TestClient(app, base_url="http://127.0.0.1:5001", raise_server_exceptions=False)
    c.headers.update({"Origin": "http://127.0.0.1:5001", **HX})
    c.ctx = app.state.ctx
    c.seen = []  # every response body, to prove the token never comes back

    def record(response, *args, **kwargs):
        response.read()
        c.seen.append(response.text)

    c.event_hooks["response"] = [record]
    return c


@pytest.fixture
def lg(bf, data_dir, monkeypatch):
    from cardflow.apps.link_graph import LinkGraph

    monkeypatch.setattr(LinkGraph, "poll_interval", 0.02)
    monkeypatch.setattr(LinkGraph, "poll_max", 0.2)
    monkeypatch.setattr(LinkGraph, "backoff_base", 0.01)
    with make_client(data_dir, bf.base_url) as c:
        yield c


def connect(c, token=TOKEN):
    return c.post("/connect_botify/save", data={"token": token})


def wait_step(c, key, step, timeout=30.0):
    """Until the step's job has ended (tests/waiting.py); returns it."""
    return waiting.wait_step(c.ctx, key, step, timeout)


def through_depth(c, key=KEY, depth=None):
    assert c.post("/link_graph/init", data={"key": key}).status_code == 200
    r = c.post("/link_graph/step/project", params={"key": key}, data={"project": PROJECT_URL})
    assert c.ctx.pipulate.get_step_data(key, "project"), r.text
    assert "field-analysis" in c.get("/link_graph/step/analysis", params={"key": key}).text
    c.post("/link_graph/step/analysis", params={"key": key}, data={"analysis": SUCCESSFUL_NEWEST_FIRST[0]})
    r = c.post("/link_graph/counts", params={"key": key})
    assert "field-depth" in r.text, r.text
    counts = c.ctx.pipulate.get_step_data(key, "analysis")["counts"]
    chosen = depth or max(int(d) for d in counts)
    r = c.post("/link_graph/step/depth", params={"key": key}, data={"depth": str(chosen), "export_size": "1000000"})
    assert c.ctx.pipulate.get_step_data(key, "depth")["depth"] == chosen, r.text
    return chosen


def run_step(c, step, key=KEY):
    c.post(f"/link_graph/step/{step}", params={"key": key})
    job = wait_step(c, key, step)
    assert c.ctx.pipulate.get_step_data(key, step), json.loads(job.detail).get("message")
    return job


def detail(job):
    return json.loads(job.detail)


# -- Connect with Botify ------------------------------------------------------------------------
def test_token_is_checked_saved_0600_and_never_shown(lg, bf, data_dir):
    assert "Paste your Botify API token first." in connect(lg, "  ").text
    bf.state.echo_token_in_errors = True  # a hostile server repeating the token in its errors
    r = connect(lg, "tok-wrong-1234")
    assert "rejected the token (401" in r.text and "tok-wrong-1234" not in r.text
    r = connect(lg, READONLY_TOKEN)
    assert "403" in r.text and READONLY_TOKEN not in r.text
    assert not (data_dir / "botify_token").exists()
    r = connect(lg, TOKEN)
    assert "Connected to Botify as" in r.text and ">alice<" in r.text
    path = data_dir / "botify_token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == TOKEN
    assert not list(data_dir.glob(".botify_token*"))  # no temp file left behind
    assert "alice" in lg.get("/connect_botify").text
    assert "still works" in lg.post("/connect_botify/check").text
    r = connect(lg, "tok-wrong-5678")  # a bad replacement keeps the good token
    assert "The token saved before is kept" in r.text and path.read_text() == TOKEN
    assert "forgotten" in lg.post("/connect_botify/forget").text and not path.exists()
    assert "Not connected" in lg.get("/connect_botify").text
    assert all(TOKEN not in text and "tok-wrong" not in text for text in lg.seen)


def test_timeouts_and_unreachable_botify_get_clear_messages(lg, bf, data_dir, monkeypatch, tmp_path):
    from cardflow.apps.connect_botify import ConnectBotify

    monkeypatch.setattr(ConnectBotify, "verify_timeout", 0.2)
    bf.state.slow_next, bf.state.slow_seconds = 2, 0.6
    r = connect(lg, TOKEN)
    assert "did not answer" in r.text and not (data_dir / "botify_token").exists()
    with make_client(tmp_path / "other", "http://127.0.0.1:9") as c:
        r = connect(c, TOKEN)
        assert "did not answer at http://127.0.0.1:9" in r.text and TOKEN not in r.text


# -- the workflow --------------------------------------------------------------------------------
def test_project_step_messages_at_the_field(lg, bf):
    lg.post("/link_graph/init", data={"key": KEY})
    r = lg.post("/link_graph/step/project", params={"key": KEY}, data={"project": PROJECT_URL})
    assert "No Botify token is saved yet" in r.text and 'aria-invalid="true"' in r.text
    connect(lg)
    for url, message in (("https://example.com/acme/shop/", "the host must be app.botify.com"),
                         ("https://app.botify.com/acme/", "needs both the organisation and the project"),
                         (f"https://app.botify.com/{ORG}/nope/", f"Botify does not know the project {ORG}/nope")):
        r = lg.post("/link_graph/step/project", params={"key": KEY}, data={"project": url})
        assert message in r.text, r.text
        assert 'aria-invalid="true"' in r.text
    bf.state.forbidden_projects = {(ORG, "blog")}
    r = lg.post("/link_graph/step/project", params={"key": KEY}, data={"project": f"https://app.botify.com/{ORG}/blog/"})
    assert "refused access to the project acme/blog (403" in r.text
    assert lg.ctx.pipulate.get_step_data(KEY, "project") == {}


def test_analysis_list_reads_every_page_newest_first_successful_only(lg, bf):
    bf.state.max_page_size = 2  # 5 successful analyses: three pages
    connect(lg)
    lg.post("/link_graph/init", data={"key": KEY})
    lg.post("/link_graph/step/project", params={"key": KEY}, data={"project": PROJECT_URL})
    r = lg.get("/link_graph/step/analysis", params={"key": KEY})
    options = re.findall(r'<option value="([^"]+)"', r.text)
    assert options == SUCCESSFUL_NEWEST_FIRST
    assert len([q for q in bf.state.requests if q[1].endswith("/light")]) == 3
    r = lg.post("/link_graph/step/analysis", params={"key": KEY}, data={"analysis": "20240310"})  # failed crawl
    assert "Choose one of the listed analyses." in r.text


def test_depth_is_proposed_from_edge_counts_and_can_be_overridden(lg, bf):
    from cardflow.botify.client import propose_depth

    connect(lg)
    through_depth(lg, depth=2)
    counts = {int(d): n for d, n in lg.ctx.pipulate.get_step_data(KEY, "analysis")["counts"].items()}
    assert counts[1] == expected_edge_count(1) and counts[3] == expected_edge_count(3)
    pages = sum(1 for p in build_site() if p.http_code == 200 and p.depth <= 2)  # the metadata rows
    assert lg.ctx.pipulate.get_step_data(KEY, "depth") == {"depth": 2, "edges": expected_edge_count(2),
                                                           "export_size": 1_000_000, "truncated": False,
                                                           "pages": pages,
                                                           "credits": round(expected_edge_count(2) * 0.1 + pages, 1)}
    lg.post("/link_graph/revert/depth", params={"key": KEY})
    r = lg.get("/link_graph/step/depth", params={"key": KEY})  # counts are cached: no second round of BQL
    proposed = propose_depth(counts, 1_000_000)
    assert f'<option value="{proposed}" selected>' in r.text and "← proposed" in r.text
    r = lg.post("/link_graph/step/depth", params={"key": KEY}, data={"depth": "2", "export_size": "0"})
    assert "from 1 to 1,000,000" in r.text
    r = lg.post("/link_graph/step/depth", params={"key": KEY}, data={"depth": "99", "export_size": "5"})
    assert "Choose one of the listed depths." in r.text


def test_whole_flow_export_download_graph(lg, bf, data_dir):
    connect(lg)
    depth = through_depth(lg)
    job = run_step(lg, "export")
    assert bf.state.jobs_created == 2 and bf.state.job_posts == 2  # links + metadata, once each
    saved, export = detail(job), lg.ctx.pipulate.get_step_data(KEY, "export")["export"]
    assert (saved["links_job"], saved["meta_job"]) == (export["links_job"], export["meta_job"])
    assert export["links_url"].startswith(bf.download_base_url)
    run_step(lg, "download")
    files = lg.ctx.pipulate.get_step_data(KEY, "download")["download"]["files"]
    assert [f["name"] for f in files] == ["edges.csv", "metadata.csv"]
    assert files[0]["rows"] == expected_edge_count(depth)
    assert files[1]["rows"] == sum(1 for p in build_site() if p.http_code == 200 and p.depth <= depth)
    assert all(d["authorization"] is None for d in bf.state.download_requests) and bf.state.download_auth_rejected == 0
    page = lg.get("/link_graph/step/download", params={"key": KEY}).text
    assert "graph_view/file?path=linkgraph%2Flink-graph-acme-shop-" in page and f"{files[0]['rows']:,}" in page
    gid = lg.ctx.pipulate.get_step_data(KEY, "download")["download"]["graph"]
    csv = lg.get("/graph_view/file", params={"path": f"linkgraph/{gid}/edges.csv"})
    assert csv.status_code == 200 and csv.text.startswith("url,") and "sep=" not in csv.text
    assert "attachment" in csv.headers["content-disposition"]
    run_step(lg, "graph")
    card = lg.get("/link_graph/step/graph", params={"key": KEY}).text
    assert 'data-graph-src="/graph_view/data?graph=' in card and "Open the full graph view" in card
    data = lg.get("/graph_view/data", params={"graph": gid}).json()
    assert len(data["nodes"]) == data["total_nodes"] > 20 and len(data["edges"]) == data["total_edges"]
    assert data["rule"].startswith("All ")
    tables = lg.get("/graph_view/tables", params={"graph": gid}).text
    assert "Most-linked pages" in tables and "https://www.example.com/" in tables
    links = lg.get("/graph_view/links", params={"graph": gid, "url": "https://www.example.com/"}).text
    assert "Linked from" in links and "cat-1/" in links
    assert "cat-2" in lg.get("/graph_view/search", params={"graph": gid, "q": "cat-2"}).text
    assert lg.get("/link_graph", params={"key": KEY}).status_code == 200
    assert all(TOKEN not in text for text in lg.seen)
    for f in (data_dir / "linkgraph" / gid).iterdir():
        assert TOKEN.encode() not in f.read_bytes()
    assert all(TOKEN not in (j.detail or "") for j in lg.ctx.db.jobs())


def test_failed_export_shows_botify_reason_then_retry_works(lg, bf):
    connect(lg)
    through_depth(lg)
    bf.state.fail_next_jobs, bf.state.fail_style = 1, "failure_reason"
    lg.post("/link_graph/step/export", params={"key": KEY})
    job = wait_step(lg, KEY, "export")
    assert job.status == "failed"
    card = lg.get("/link_graph/step/export", params={"key": KEY}).text
    assert "Export failed: the query timed out" in card and ">Retry</button>" in card
    first = detail(job)
    job = run_step(lg, "export")
    assert bf.state.jobs_created == 3  # Retry exports again only what failed
    assert detail(job)["meta_job"] == first["meta_job"] and detail(job)["links_job"] != first["links_job"]
    assert any("reusing job" in line for line in detail(job)["log"])


def test_429_on_create_and_5xx_on_polls_are_retried(lg, bf):
    connect(lg)
    through_depth(lg)
    # The first create is refused twice: nothing was created, so retry. (POSTs only: the export
    # jobs are looked up first, and a 429 on that GET is retried like any read.)
    bf.state.rate_limit_job_posts_next = 2
    bf.state.status_sequence = ["PROCESSING"] * 10_000
    lg.post("/link_graph/step/export", params={"key": KEY})
    deadline = time.monotonic() + 20
    while bf.state.jobs_created < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    bf.state.server_error_next = 3  # polls now meet 500s: the client backs off and polls again
    while bf.state.server_error_next and time.monotonic() < deadline:
        time.sleep(0.02)
    bf.state.status_sequence = []
    job = wait_step(lg, KEY, "export")
    assert job.status == "done", detail(job)["message"]
    assert bf.state.job_posts == 4 and bf.state.jobs_created == 2
    assert any("create refused (429)" in line for line in detail(job)["log"])


def test_a_create_that_may_have_reached_botify_is_never_repeated(lg, bf):
    connect(lg)
    through_depth(lg)
    # Botify may or may not have made the job: no automatic second try. The lookup that follows
    # finds nothing (the 500 came before anything was made), so the step fails and says why.
    bf.state.server_error_job_posts_next = 1
    lg.post("/link_graph/step/export", params={"key": KEY})
    job = wait_step(lg, KEY, "export")
    assert job.status == "failed" and "may have started it anyway" in detail(job)["message"]
    assert bf.state.job_posts == 1
    card = lg.get("/link_graph/step/export", params={"key": KEY}).text
    assert "may have started it anyway" in card and ">Retry</button>" in card


def test_a_create_cut_short_by_a_crash_is_not_repeated_on_resume(lg, bf):
    import asyncio

    wf = lg.ctx.registry.by_name("link_graph")

    class Resumed:
        detail = {"links_creating": True}

        def save(self, **values):
            self.detail.update(values)

    with pytest.raises(Problem, match="may exist without its id"):
        asyncio.run(wf.exports.create(Resumed(), None, "links", {}, {}))
    assert bf.state.job_posts == 0


def test_a_cut_download_fails_clearly_keeps_no_partial_file_and_retry_works(lg, bf, data_dir):
    connect(lg)
    through_depth(lg)
    run_step(lg, "export")
    bf.state.truncate_downloads_next, bf.state.download_content_encoding = 1, True
    lg.post("/link_graph/step/download", params={"key": KEY})
    job = wait_step(lg, KEY, "download")
    assert job.status == "failed" and "The links download failed" in detail(job)["message"]
    assert not list((data_dir / "linkgraph").glob("*/edges.csv")) and not list((data_dir / "linkgraph").glob("*/.*"))
    assert ">Retry</button>" in lg.get("/link_graph/step/download", params={"key": KEY}).text
    run_step(lg, "download")
    assert lg.ctx.pipulate.get_step_data(KEY, "download")["download"]["files"][0]["rows"] > 0


# -- serving files -------------------------------------------------------------------------------
def test_a_downloaded_csv_cannot_run_formulas_but_the_file_keeps_the_sites_text(lg, data_dir):
    graph = data_dir / "linkgraph" / "g2"
    graph.mkdir(parents=True)
    kept = ('url,title,depth\r\nhttps://a.example/,"=HYPERLINK(""http://evil.example"",""x"")",-3\r\n'
            'https://a.example/b,"@SUM(1+1)",+1.5e3\r\nhttps://a.example/c,"Plain, with a comma",2\r\n')
    (graph / "metadata.csv").write_text(kept, newline="")
    r = lg.get("/graph_view/file", params={"path": "linkgraph/g2/metadata.csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"] and "metadata.csv" in r.headers["content-disposition"]
    import csv as csv_module
    import io

    assert list(csv_module.reader(io.StringIO(r.text))) == [
        ["url", "title", "depth"],
        ["https://a.example/", "'=HYPERLINK(\"http://evil.example\",\"x\")", "-3"],  # numbers stay numbers
        ["https://a.example/b", "'@SUM(1+1)", "+1.5e3"],
        ["https://a.example/c", "Plain, with a comma", "2"],
    ]
    assert (graph / "metadata.csv").read_bytes() == kept.encode()  # ingest and analyses read it unchanged


def test_a_large_csv_streams_in_chunks_with_every_row(tmp_path):
    from cardflow.csv_safe import stream_file

    path = tmp_path / "edges.csv"
    path.write_text("source,target\n" + "".join(f"=a{i},b{i}\n" for i in range(4999)))
    chunks = list(stream_file(path, chunk_rows=1000))
    assert len(chunks) == 5 and "".join(chunks).splitlines()[1:3] == ["'=a0,b0", "'=a1,b1"]
    assert len("".join(chunks).splitlines()) == 5000


def test_file_route_refuses_traversal(lg, data_dir):
    graph = data_dir / "linkgraph" / "g1"
    graph.mkdir(parents=True)
    (graph / "edges.csv").write_text("source,target\na,b\n")
    (graph / "notes.txt").write_text("not a csv")
    (data_dir / "botify_token").write_text("SECRET-TOKEN")
    (data_dir / "secret.csv").write_text("SECRET,CSV")
    (graph / "evil.csv").symlink_to(data_dir / "botify_token")
    assert lg.get("/graph_view/file", params={"path": "linkgraph/g1/edges.csv"}).text == "source,target\na,b\n"
    for path in ("../cardflow.db", "/etc/passwd", "linkgraph/../botify_token", "linkgraph/g1/../../botify_token",
                 "linkgraph/g1/../../secret.csv", "secret.csv", "botify_token", "cardflow.db", "\\etc\\passwd",
                 "linkgraph/g1/evil.csv", "linkgraph/g1/notes.txt", "~/x.csv", "", "linkgraph/g1",
                 "C:/windows/x.csv", str(data_dir / "secret.csv")):
        r = lg.get("/graph_view/file", params={"path": path})
        assert r.status_code in (400, 404), (path, r.status_code)
        assert "SECRET" not in r.text and "SQLite" not in r.text
    r = lg.get("/graph_view/file?path=linkgraph%2Fg1%2F%2e%2e%2F%2e%2e%2Fsecret.csv")
    assert r.status_code == 400 and "SECRET" not in r.text


# -- the graph view with 100k edges ----------------------------------------------------------------
def write_big_graph(folder: Path, pages: int = 20_000, per_page: int = 5) -> int:
    folder.mkdir(parents=True)
    site = "https://big.example"
    with open(folder / "edges.csv", "w") as f:
        f.write("source,target\n")
        for i in range(pages):
            for t in {(i + 1) % pages, (i + 2) % pages, (i * 3 + 7) % pages, i // 5, (i * 11 + 13) % pages} - {i}:
                f.write(f"{site}/p/{i},{site}/p/{t}\n")
    with open(folder / "metadata.csv", "w") as f:
        f.write("url,http_code,depth,title,description,pagetype,compliant\n")
        for i in range(pages):
            f.write(f"{site}/p/{i},200,{int(math.log2(i + 1))},Page {i},About {i},type{i % 7},true\n")
    return sum(1 for _ in open(folder / "edges.csv")) - 1


def test_graph_view_opens_with_100k_edges(lg, data_dir, capsys):
    from cardflow.linkgraph.ingest import ingest

    folder = data_dir / "linkgraph" / "big-100k"
    rows = write_big_graph(folder)
    summary = ingest(folder / "edges.csv", folder / "metadata.csv", folder / "graph.duckdb")
    assert rows >= 99_000 and summary.edge_count >= 99_000
    page = lg.get("/graph_view", params={"graph": "big-100k"}, headers={"HX-Request": ""}).text
    assert 'data-graph-src="/graph_view/data?graph=big-100k"' in page and 'class="graph-canvas"' in page
    assert "/static/graph.js" in page
    started = time.perf_counter()
    r = lg.get("/graph_view/data", params={"graph": "big-100k"}, headers={"Accept-Encoding": "gzip"})
    seconds = time.perf_counter() - started
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    wire = int(r.headers["content-length"])
    raw = int(r.headers["x-graph-raw-bytes"])
    assert len(gzip.compress(r.content)) > 0 and wire < raw / 3
    data = r.json()
    assert len(data["nodes"]) == 5000 and 10_000 < len(data["edges"]) <= 20_000
    assert data["total_edges"] == summary.edge_count and data["total_nodes"] == summary.node_count
    assert data["rule"].startswith("The 5,000 most-linked of 20,000 pages")
    assert max(max(e) for e in data["edges"]) < len(data["nodes"])
    assert seconds < 15  # generous: a shared 2-core machine; typically well under a second
    with capsys.disabled():
        print(f"\n100k-edge view: {summary.edge_count:,} edges, {summary.node_count:,} pages -> "
              f"{len(data['nodes']):,} nodes + {len(data['edges']):,} edges, JSON {raw / 1e6:.2f} MB, "
              f"gzip {wire / 1e6:.2f} MB, {seconds * 1000:.0f} ms (server {r.headers['x-graph-ms']} ms)\n"
              f"rule: {data['rule']}")
    hits = lg.get("/graph_view/search", params={"graph": "big-100k", "q": "/p/1234"}).text
    assert "big.example/p/1234" in hits
    assert "Orphans" in lg.get("/graph_view/tables", params={"graph": "big-100k"}).text


def test_graph_routes_refuse_unknown_or_bad_graph_ids(lg):
    for gid in ("", "nope", "../x", "a/b", "A" * 300):
        assert lg.get("/graph_view/data", params={"graph": gid}).status_code == 404
        assert lg.get("/graph_view/links", params={"graph": gid, "url": "x"}).status_code == 404
    assert "There is no graph" in lg.get("/graph_view", params={"graph": "nope"}, headers={"HX-Request": ""}).text


def test_token_file_is_private_even_with_a_wide_umask(lg, data_dir):
    old = os.umask(0)
    try:
        connect(lg)
    finally:
        os.umask(old)
    assert stat.S_IMODE((data_dir / "botify_token").stat().st_mode) == 0o600
