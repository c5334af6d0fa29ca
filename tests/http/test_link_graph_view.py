"""The graph view: opens fast on a 100k-edge graph, refuses graph ids it does not know."""

from __future__ import annotations

import gzip
import math
import time
from pathlib import Path

from tests.http._link_graph_helpers import (
    bf_fixture,  # noqa: F401 - the fixture "bf"
    lg_fixture,  # noqa: F401 - the fixture "lg"
)


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
