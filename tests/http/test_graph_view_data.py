"""/graph_view/data?format=bin: the canvas's typed arrays. Whole graphs up to 50,000 pages and
200,000 links, sampled above (shown by lowering max_nodes here; the E2E test crosses the real
caps); bad parameters are clamped, a damaged file is a clear 409, never a 500. The
graph_view.view_sample action gives MCP and the CLI the same counts and sentence."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys

import pytest

from bench.graph_firstframe import write_site
from cardflow.apps.graph_view import EDGE_CAP, NODE_CAP
from cardflow.errors import Problem
from cardflow.linkgraph.ingest import ingest
from cardflow.linkgraph.viewpack import unpack
from tests.conftest import ROOT


def build(data_dir, gid, pages, links):
    folder = data_dir / "linkgraph" / gid
    write_site(folder, pages, links)
    return ingest(folder / "edges.csv", folder / "metadata.csv", folder / "graph.duckdb")


def test_binary_view_is_the_whole_mid_size_graph(client, data_dir):
    summary = build(data_dir, "mid", 6000, 25_000)
    r = client.get("/graph_view/data", params={"graph": "mid", "format": "bin"}, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-encoding"] == "gzip" and int(r.headers["content-length"]) < len(r.content) / 2
    got = unpack(r.content)
    assert (got["n"], got["m"]) == (6000, 25_000) == (summary.node_count, summary.edge_count)
    assert got["rule"] == "All 6,000 pages and all 25,000 links."
    assert got["orphans"] == summary.orphan_count and got["dead_ends"] == summary.dead_end_count
    assert got["broken"]["pages"] == 12 and len(got["keys"]) == len(set(got["keys"])) == 6000
    assert {lab["label"] for lab in got["legends"]["depth"]} >= {"depth 0", "depth 12"}
    # The JSON form for scripts keeps its lighter default.
    data = client.get("/graph_view/data", params={"graph": "mid"}).json()
    assert len(data["nodes"]) == 5000 and data["rule"].startswith("The 5,000 most-linked of 6,000 pages")


def test_above_the_limit_it_samples_and_says_how(client, data_dir):
    build(data_dir, "mid", 6000, 25_000)
    r = client.get("/graph_view/data", params={"graph": "mid", "format": "bin", "max_nodes": "4000",
                                               "max_edges": "9000"})
    got = unpack(r.content)
    assert (got["n"], got["m"]) == (4000, 9000)
    assert got["rule"].startswith("The 4,000 most-linked of 6,000 pages (by inlinks, ties by URL); 9,000 of the ")
    assert got["rule"].endswith("capped at 9,000 (of 25,000 links in all).")


def test_bad_parameters_are_clamped_not_errors(client, data_dir):
    build(data_dir, "small", 300, 900)
    for params in ({"max_nodes": "lots"}, {"max_nodes": "-5", "max_edges": "-1"},
                   {"max_nodes": str(10**12), "max_edges": str(10**12)}, {"max_nodes": "1e9"}):
        r = client.get("/graph_view/data", params={"graph": "small", "format": "bin", **params})
        assert r.status_code == 200, params
        got = unpack(r.content)
        assert 1 <= got["n"] <= min(300, NODE_CAP) and got["m"] <= min(900, EDGE_CAP)
    assert unpack(client.get("/graph_view/data", params={"graph": "small", "format": "bin",
                                                          "max_edges": "-1"}).content)["m"] == 0


def test_missing_or_damaged_graphs_answer_clearly(client, data_dir):
    r = client.get("/graph_view/data", params={"graph": "nope", "format": "bin"})
    assert r.status_code == 404 and r.json() == {"error": "There is no such graph. Build it first."}
    folder = data_dir / "linkgraph" / "broken"
    folder.mkdir(parents=True)
    (folder / "graph.duckdb").write_bytes(gzip.compress(b"not a database"))
    r = client.get("/graph_view/data", params={"graph": "broken", "format": "bin"})
    assert r.status_code == 409 and r.json()["error"].startswith("The graph could not be read")
    assert "Traceback" not in r.text


def test_view_sample_action_says_what_the_page_draws(client, data_dir):
    build(data_dir, "mid", 6000, 25_000)
    actions = client.app.state.ctx.actions

    def run(params):
        return asyncio.run(actions.run("graph_view.view_sample", params, actor="cli")).result

    whole = run({"graph": "mid"})
    assert whole == {"graph": "mid", "drawn_pages": 6000, "drawn_links": 25_000, "total_pages": 6000,
                     "total_links": 25_000, "sampled": False, "rule": "All 6,000 pages and all 25,000 links."}
    part = run({"graph": "mid", "max_nodes": 100})
    assert part["sampled"] and part["drawn_pages"] == 100 and part["rule"].startswith("The 100 most-linked of 6,000")
    with pytest.raises(Problem, match="no link graph"):
        run({"graph": "nope"})
    with pytest.raises(Problem):
        run({"graph": "mid", "max_nodes": NODE_CAP + 1})
    # The same from the CLI, bad input included: a sentence and exit code 2, no traceback.
    cli = [sys.executable, "-m", "cardflow", "call", "graph_view.view_sample", "graph=mid"]
    done = subprocess.run([*cli, "max_edges=10", "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"]["drawn_links"] == 10
    bad = subprocess.run([*cli, "max_nodes=many", "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and "“max_nodes” must be a whole number" in bad.stderr
    assert "Traceback" not in bad.stderr
