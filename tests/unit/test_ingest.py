"""Ingest and the read side (graphdata) on a small hand-made graph with known answers.

H = https://site.test/ (depth 0)
H -> a, b, c, f      a -> b, c, e      b -> a      c -> x, g
plus one repeated row (H -> a) and one self-link (b -> b)

metadata: H(0) a(1) b(1) c(1) d(1, linked from nowhere) e(2) f(1, 404) g(1); x has none

inlinks:  a 2, b 2, c 2, e 1, f 1, g 1, x 1, H 0, d 0
outlinks: H 4, a 3, b 1, c 2, the rest 0
orphans:  d (H is the start page)
dead ends: d, g (e is deeper than any page with outlinks: cut off by the export, not a
           dead end; f is a 404; x was never crawled)
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import duckdb
import pytest

from cardflow.linkgraph.crawl import CrawlResult, Page
from cardflow.linkgraph.graphdata import DEPTH_PALETTE, graph_for_view, links_for, search_urls
from cardflow.linkgraph.ingest import default_db_path, ingest

S = "https://site.test"
H, A, B, C, D, E, F, G, X = (
    f"{S}/",
    f"{S}/a",
    f"{S}/b",
    f"{S}/c",
    f"{S}/d",
    f"{S}/e",
    f"{S}/f",
    f"{S}/g",
    f"{S}/x",
)

EDGES = [(H, A), (H, B), (H, C), (H, F), (A, B), (A, C), (A, E), (B, A), (C, X), (C, G), (H, A), (B, B)]
META = [
    (H, 200, 0, "Home", "The home page", "home", "true"),
    (A, 200, 1, "Page A, with a comma", 'Say "hi"', "section", "true"),
    (B, 200, 1, "Page B", "", "section", "true"),
    (C, 200, 1, "Page C", "", "section", "true"),
    (D, 200, 1, "Orphan D", "", "other", "true"),
    (E, 200, 2, "Deep E", "", "leaf", "true"),
    (F, 404, 1, "Gone", "", "", "false"),
    (G, 200, 1, "Page G", "", "leaf", "true"),
]


def write_csv(path, header, rows, *, gz=False, sep_line=False):
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="", encoding="utf-8") as f:
        if sep_line:
            f.write("sep=,\r\n")
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    d = tmp_path_factory.mktemp("graph")
    e = write_csv(d / "edges.csv", ["source", "target"], EDGES)
    m = write_csv(
        d / "metadata.csv",
        ["url", "http_code", "depth", "title", "description", "pagetype", "compliant"],
        META,
    )
    return ingest(e, m)


def test_summary_known_answers(graph):
    s = graph
    assert (s.node_count, s.edge_count, s.edge_rows, s.self_links, s.metadata_rows) == (9, 10, 12, 1, 8)
    assert [(t["url"], t["inlinks"]) for t in s.top[:3]] == [(A, 2), (B, 2), (C, 2)]
    assert s.top[0]["title"] == "Page A, with a comma"
    assert (s.orphan_count, s.orphans) == (1, [D])
    assert (s.dead_end_count, s.dead_ends) == (2, [D, G])


def test_tables_persisted(graph, tmp_path):
    assert graph.db_path.endswith("edges.duckdb")
    con = duckdb.connect(graph.db_path, read_only=True)
    try:
        rows = con.execute(
            "SELECT url, inlinks, outlinks, depth, pagetype, http_code, title FROM nodes"
        ).fetchall()
        by_url = {r[0]: r[1:] for r in rows}
        assert by_url[H] == (0, 4, 0, "home", 200, "Home")
        assert by_url[A] == (2, 3, 1, "section", 200, "Page A, with a comma")
        assert by_url[F][4] == 404 and by_url[F][3] == "f"  # empty pagetype: derived from the URL
        assert by_url[X] == (1, 0, None, "x", None, None)  # not crawled: no metadata
        assert con.execute("SELECT count(*) FROM edges WHERE source = target").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM edges").fetchone()[0] == 10
        keys = {k for (k,) in con.execute("SELECT key FROM summary").fetchall()}
        assert {"node_count", "edge_count", "orphans", "edges_file"} <= keys
    finally:
        con.close()


def test_gzip_sep_line_and_verbose_headers_give_the_same_graph(graph, tmp_path):
    e = write_csv(
        tmp_path / "links.bin",  # no telling extension: compression is found by magic bytes
        ["Full URL", "Outlinks (internal) > URL", "ignored third column"],
        [(s, t, "x") for s, t in EDGES],
        gz=True,
        sep_line=True,
    )
    m = write_csv(
        tmp_path / "meta.csv.gz",
        ["URL", "HTTP Code", "Depth", "Title", "Description", "Pagetype", "Compliant"],
        META,
        gz=True,
        sep_line=True,
    )
    s = ingest(e, m, tmp_path / "g.duckdb")
    assert s.db_path == str(tmp_path / "g.duckdb")
    a, b = s.to_dict(), graph.to_dict()
    for k in ("db_path", "seconds"):
        a.pop(k), b.pop(k)
    assert a == b
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.duckdb", "links.bin", "meta.csv.gz"]


def test_edges_only_and_header_only(tmp_path):
    e = write_csv(tmp_path / "edges.csv", ["source", "target"], EDGES)
    s = ingest(e)
    assert (s.node_count, s.edge_count, s.metadata_rows, s.orphan_count) == (8, 10, 0, 0)
    assert s.dead_ends == [E, F, G, X]  # without metadata, every URL without outlinks
    empty = write_csv(tmp_path / "empty.csv", ["source", "target"], [])
    s = ingest(empty)
    assert (s.node_count, s.edge_count, s.edge_rows) == (0, 0, 0)
    assert graph_for_view(s.db_path)["nodes"] == []
    (tmp_path / "blank.csv").write_bytes(b"")
    assert ingest(tmp_path / "blank.csv").edge_count == 0
    holes = tmp_path / "holes.csv"
    holes.write_text(f"source,target\n{H},{A}\n{H},\n,{A}\n\n{A},{B}\n")
    s = ingest(holes)
    assert (s.edge_rows, s.edge_count, s.node_count) == (4, 2, 3)


def test_bad_inputs(tmp_path):
    z = tmp_path / "edges.zip"
    z.write_bytes(b"PK\x03\x04rest-of-a-zip")
    with pytest.raises(ValueError, match="zip"):
        ingest(z)
    one = tmp_path / "one.csv"
    one.write_text("url\nhttps://x/\n")
    with pytest.raises(ValueError, match="at least 2 columns"):
        ingest(one)


def test_reingest_replaces_the_file(tmp_path):
    e = write_csv(tmp_path / "edges.csv", ["source", "target"], EDGES[:2])
    assert ingest(e).edge_count == 2
    write_csv(e, ["source", "target"], EDGES)
    s = ingest(e)
    assert s.edge_count == 10
    e.unlink()  # the view reads the database, never the CSV again
    assert graph_for_view(s.db_path)["total_edges"] == 10
    assert default_db_path(tmp_path / "x" / "links.csv.gz") == tmp_path / "x" / "links.duckdb"


def test_crawler_output_ingests(tmp_path):
    r = CrawlResult(start_url=H, host="site.test")
    r.pages = {
        H: Page(H, 200, 0, "Home", content_type="text/html"),
        A: Page(A, 200, 1, "A", content_type="text/html"),
    }
    r.links = [(H, A), (A, H), (A, f"{S}/old")]
    r.redirects = {f"{S}/old": (301, B)}
    s = ingest(*r.write(tmp_path))
    assert (s.node_count, s.edge_count, s.metadata_rows) == (3, 3, 2)
    assert links_for(s.db_path, A)["outlinks"] == [
        {"url": H, "title": "Home", "inlinks": 1, "http_code": 200},
        {"url": B, "title": None, "inlinks": 1, "http_code": None},
    ]


def test_graph_for_view_everything(graph):
    g = graph_for_view(graph.db_path)
    assert (g["total_nodes"], g["total_edges"]) == (9, 10)
    assert len(g["nodes"]) == 9 and len(g["edges"]) == 10
    assert g["rule"].startswith("All 9 pages and all 10 links")
    n = {x["key"]: x for x in g["nodes"]}
    for x in g["nodes"]:
        assert {"key", "label", "size", "color", "x", "y", "depth", "pagetype", "inlinks"} <= x.keys()
        assert x["color"].startswith("#") and isinstance(x["x"], float) and isinstance(x["y"], float)
    assert (n[H]["x"], n[H]["y"]) == (0.0, 0.0)  # the start page in the centre
    assert len({(x["x"], x["y"]) for x in g["nodes"]}) == 9
    assert n[A]["size"] > n[E]["size"] > n[H]["size"]  # log of inlinks
    assert n[A]["label"] == "Page A, with a comma" and n[X]["label"] == "/x"
    assert n[A]["color"] == n[B]["color"] != n[E]["color"]  # same pagetype, same colour
    assert sum(item["count"] for item in g["legend"]) == 9
    assert g == graph_for_view(graph.db_path)  # deterministic


def test_graph_for_view_sampling_rule_and_caps(graph):
    g = graph_for_view(graph.db_path, max_nodes=4, max_edges=3)
    # Top 4 by inlinks, ties by URL: a, b, c (2 each), then e (1; e < f < g < x).
    assert [x["key"] for x in g["nodes"]] == [A, B, C, E]
    # Links among them: a<->b (ranks 1,2), then a->c (3), then a->e (4); capped at 3.
    assert [(x["source"], x["target"]) for x in g["edges"]] == [(A, B), (B, A), (A, C)]
    assert "4 most-linked of 9 pages" in g["rule"] and "3 of the 4 links between them" in g["rule"]
    assert "capped at 3" in g["rule"]
    keys = {x["key"] for x in g["nodes"]}
    assert all(x["source"] in keys and x["target"] in keys for x in g["edges"])

    g = graph_for_view(graph.db_path, max_edges=2)
    assert len(g["nodes"]) == 9 and len(g["edges"]) == 2
    assert g["rule"].startswith("All 9 pages; 2 of the 10 links between them")


def test_graph_for_view_color_by_depth(graph):
    g = graph_for_view(graph.db_path, color_by="depth")
    n = {x["key"]: x for x in g["nodes"]}
    assert n[H]["color"] == DEPTH_PALETTE[0] and n[E]["color"] == DEPTH_PALETTE[2]
    assert n[X]["color"] not in DEPTH_PALETTE and n[X]["depth"] is None
    assert [item["label"] for item in g["legend"]] == ["depth 0", "depth 1", "depth 2", "unknown depth"]
    with pytest.raises(ValueError):
        graph_for_view(graph.db_path, color_by="size")


def test_links_for(graph):
    r = links_for(graph.db_path, A)
    assert [x["url"] for x in r["inlinks"]] == [B, H]  # most-linked first
    assert [x["url"] for x in r["outlinks"]] == [B, C, E]
    assert (r["inlink_count"], r["outlink_count"]) == (2, 3)
    assert r["node"]["title"] == "Page A, with a comma"
    r = links_for(graph.db_path, A, limit=1)
    assert len(r["inlinks"]) == len(r["outlinks"]) == 1 and r["outlink_count"] == 3
    r = links_for(graph.db_path, f"{S}/nowhere")
    assert r["node"] is None and r["inlinks"] == r["outlinks"] == []


def test_search_urls(graph):
    assert [x["url"] for x in search_urls(graph.db_path, "SITE.TEST/A")] == [A]
    hits = search_urls(graph.db_path, "site.test", limit=4)
    assert [x["url"] for x in hits] == [A, B, C, E]
    assert search_urls(graph.db_path, "%") == [] and search_urls(graph.db_path, "_") == []
    assert len(search_urls(graph.db_path, "")) == 9


def test_reads_are_read_only(graph):
    # Speed lives in bench/linkgraph.py; here, that reading never writes to the graph file.
    before = Path(graph.db_path).stat()
    for _ in range(3):
        graph_for_view(graph.db_path)
        links_for(graph.db_path, A)
        search_urls(graph.db_path, "a")
    after = Path(graph.db_path).stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    # Several readers at once are fine, which a read-write open would not allow.
    con = duckdb.connect(graph.db_path, read_only=True)
    try:
        assert links_for(graph.db_path, B)["inlink_count"] == 2
    finally:
        con.close()


def test_disk_too_small_is_refused_before_starting(tmp_path, monkeypatch):
    import errno
    import shutil
    from types import SimpleNamespace

    from cardflow.linkgraph.ingest import DiskFullError

    e = write_csv(tmp_path / "edges.csv", ["source", "target"], EDGES)
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: SimpleNamespace(total=10**6, used=10**6, free=100))
    with pytest.raises(DiskFullError, match="Not enough disk space to build the link graph") as info:
        ingest(e, db_path=tmp_path / "g.duckdb")
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    assert "[Errno" not in str(info.value) and "run this step again" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edges.csv"]


def test_disk_filling_up_midway_keeps_the_old_graph(graph, tmp_path, monkeypatch):
    import cardflow.linkgraph.ingest as ingest_mod

    e = write_csv(tmp_path / "edges.csv", ["source", "target"], EDGES)
    db = tmp_path / "g.duckdb"
    assert ingest(e, db_path=db).edge_count == 10
    before = db.read_bytes()

    def full(con, *_args):
        con.execute("CREATE TABLE scratch.partial AS SELECT 1 AS x")  # something to clean up
        raise duckdb.IOException('Could not write file "g.duckdb.scratch": No space left on device')

    monkeypatch.setattr(ingest_mod, "_build", full)
    with pytest.raises(ingest_mod.DiskFullError, match="the disk filled up while it ran") as info:
        ingest(e, db_path=db)
    assert isinstance(info.value.__cause__, duckdb.IOException)
    assert db.read_bytes() == before  # the previous graph is still there, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edges.csv", "g.duckdb"]
    # Other errors pass through unchanged.
    monkeypatch.setattr(ingest_mod, "_build", lambda *_a: (_ for _ in ()).throw(duckdb.ParserException("bad")))
    with pytest.raises(duckdb.ParserException):
        ingest(e, db_path=db)


def test_hash_collision_is_resolved_with_a_salt(graph, tmp_path, monkeypatch):
    import cardflow.linkgraph.ingest as ingest_mod

    real_key = ingest_mod._key
    # Unsalted, every URL of the same length shares a key: the ingest must notice and re-key.
    monkeypatch.setattr(
        ingest_mod, "_key", lambda col, salt: f"CASE WHEN {col} <> '' THEN hash(length({col})) END"
        if salt == 0 else real_key(col, salt)
    )
    e = write_csv(tmp_path / "edges.csv", ["source", "target"], EDGES)
    m = write_csv(tmp_path / "metadata.csv", ["url", "http_code", "depth", "title", "description", "pagetype",
                                              "compliant"], META)
    a, b = ingest(e, m).to_dict(), graph.to_dict()
    for k in ("db_path", "seconds"):
        a.pop(k), b.pop(k)
    assert a == b
    monkeypatch.setattr(ingest_mod, "_key", lambda col, salt: f"CASE WHEN {col} <> '' THEN 1::UBIGINT END")
    with pytest.raises(RuntimeError, match="distinct key"):
        ingest(e, m)


def test_out_of_memory_is_retried_on_one_thread():
    from cardflow.linkgraph.ingest import _Retrying

    class Flaky:
        def __init__(self, error):
            self.calls, self.error = [], error

        def execute(self, sql, params=None):
            self.calls.append(sql)
            if len(self.calls) == 1:
                raise self.error
            return "ok"

    con = Flaky(duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block of size 256.0 KiB"))
    assert _Retrying(con, 2).execute("CREATE TABLE t AS SELECT 1") == "ok"
    assert con.calls == ["CREATE TABLE t AS SELECT 1", "SET threads = 1", "CREATE TABLE t AS SELECT 1",
                         "SET threads = 2"]
    full = Flaky(duckdb.OutOfMemoryException("failed to offload data block: max_temp_directory_size reached"))
    with pytest.raises(duckdb.OutOfMemoryException):
        _Retrying(full, 2).execute("CREATE TABLE t AS SELECT 1")
    assert len(full.calls) == 1  # a full disk is not retried


def test_edges_view_and_links_table(graph):
    con = duckdb.connect(graph.db_path, read_only=True)
    try:
        view = con.execute("SELECT source, target, src, dst FROM edges ORDER BY src, dst").fetchall()
        links = con.execute("SELECT src, dst FROM links ORDER BY src, dst").fetchall()
        urls = dict(con.execute("SELECT id, url FROM nodes").fetchall())
    finally:
        con.close()
    assert [(s, t) for _, _, s, t in view] == links and len(links) == 10
    assert all(urls[s] == source and urls[t] == target for source, target, s, t in view)
    assert (A, B) in {(s, t) for s, t, _, _ in view} and (H, A) in {(s, t) for s, t, _, _ in view}
