"""The browser's binary copy of a sampled graph (cardflow/linkgraph/viewpack.py) says the same as
graph_for_view: same pages in the same order, same links, places, sizes, colours, legends, rule."""

from __future__ import annotations

import math
import struct

import pytest

from cardflow.linkgraph.graphdata import graph_for_view
from cardflow.linkgraph.ingest import ingest
from cardflow.linkgraph.viewpack import MAGIC, pack, unpack

S = "https://site.test"


@pytest.fixture
def db(tmp_path):
    edges = tmp_path / "edges.csv"
    meta = tmp_path / "metadata.csv"
    pages = [f"{S}/", f"{S}/blog/", f"{S}/blog/a", f"{S}/blog/b", f"{S}/shop/x", f"{S}/gone", f"{S}/about"]
    links = [(0, 1), (0, 4), (0, 6), (1, 2), (1, 3), (2, 3), (3, 2), (2, 5), (4, 5), (6, 0), (4, 0), (3, 0)]
    edges.write_text("source,target\n" + "".join(f"{pages[a]},{pages[b]}\n" for a, b in links))
    meta.write_text("url,http_code,depth,title,description,pagetype,compliant\n" + "".join(
        f"{u},{404 if u.endswith('gone') else 200},{min(i, 3)},Title “{i}” <b>,d,,true\n" for i, u in enumerate(pages)))
    out = tmp_path / "graph.duckdb"
    ingest(edges, meta, out)
    return out


@pytest.mark.parametrize(("max_nodes", "max_edges"), [(50_000, 200_000), (4, 3), (7, 0)])
def test_pack_matches_graph_for_view(db, max_nodes, max_edges):
    got = unpack(pack(db, max_nodes=max_nodes, max_edges=max_edges, extra={"orphans": 2}))
    assert got["orphans"] == 2
    for mode in ("pagetype", "depth"):
        view = graph_for_view(db, max_nodes=max_nodes, max_edges=max_edges, color_by=mode)
        nodes = view["nodes"]
        assert got["n"] == len(nodes) and got["keys"] == [n["key"] for n in nodes]
        assert got["labels"] == [n["label"] for n in nodes]
        index = {n["key"]: i for i, n in enumerate(nodes)}
        assert got["edges"] == [(index[e["source"]], index[e["target"]]) for e in view["edges"]]
        assert got["m"] == len(view["edges"])
        assert [got["palette"][c] for c in got["section" if mode == "pagetype" else "depth"]] == [
            n["color"] for n in nodes]
        assert got["legends"][mode] == view["legend"]
        for i, n in enumerate(nodes):  # float32 on the wire
            assert math.isclose(got["x"][i], n["x"], abs_tol=1e-3) and math.isclose(got["y"][i], n["y"], abs_tol=1e-3)
            assert math.isclose(got["size"][i], n["size"], abs_tol=1e-3)
            assert got["inlinks"][i] == n["inlinks"] and got["flags"][i] == (1 if n["broken"] else 0)
        assert (got["rule"], got["total_nodes"], got["total_edges"], got["broken"]) == (
            view["rule"], view["total_nodes"], view["total_edges"], view["broken"])


def test_layout_is_aligned_for_typed_arrays(db):
    body = pack(db, max_nodes=50_000, max_edges=200_000)
    assert body[:4] == MAGIC
    (h,) = struct.unpack("<I", body[4:8])
    assert h % 4 == 0  # every array starts on a 4-byte boundary, as Float32Array/Uint32Array need
    got = unpack(body)
    n, m = got["n"], got["m"]
    assert len(body) == 8 + h + 4 * n * 4 + (3 * n + (-3 * n) % 4) + 8 * m


def test_sampled_rule_says_how(db):
    got = unpack(pack(db, max_nodes=4, max_edges=3))
    assert got["n"] == 4 and got["m"] == 3
    assert got["rule"].startswith("The 4 most-linked of 7 pages (by inlinks, ties by URL); 3 of the ")
    assert "capped at 3 (of 12 links in all)" in got["rule"]


def test_unpack_refuses_other_bytes():
    with pytest.raises(ValueError, match="not a packed link graph"):
        unpack(b'{"nodes": []}')


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        pack(tmp_path / "nope.duckdb", max_nodes=10, max_edges=10)
