"""The Botify link-graph workflow, step by step, in process, against the fake: failures and retries too."""

from __future__ import annotations

import re
import time

import pytest

from cardflow.errors import Problem
from tests.fakes.botify import ORG, TOKEN, build_site, expected_edge_count
from tests.http._link_graph_helpers import (
    KEY,
    PROJECT_URL,
    SUCCESSFUL_NEWEST_FIRST,
    bf_fixture,  # noqa: F401 - the fixture "bf"
    connect,
    detail,
    lg_fixture,  # noqa: F401 - the fixture "lg"
    make_client,  # noqa: F401 - test_link_graph_botify_api imports it from here
    run_step,
    through_depth,
    wait_step,
)


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
