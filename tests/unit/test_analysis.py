"""The whole-graph analyses (analysis, ranking) on small hand-made graphs with known answers.

The main graph (S = https://shop.test):

    home -> cat1, cat2, gone, down, deep      cat1 -> p1, p2, p3      cat2 -> p3, p4, dead
    p1, p2, p3, p4 -> top     top -> home     (dead, gone, down, deep link nowhere)

metadata: home depth 0; cat1, cat2, gone (404), down (500) depth 1; p1-p4, dead, deep depth 2;
top depth 2; lonely (depth 1, code 0 = no answer) that nothing links to.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cardflow.linkgraph.analysis import (
    broken_links,
    dead_ends,
    depth_distribution,
    inlink_distribution,
    orphans,
    segment_flow,
)
from cardflow.linkgraph.graphdata import graph_for_view, links_for
from cardflow.linkgraph.ingest import GraphSummary, ingest
from cardflow.linkgraph.ranking import hits, pagerank

S = "https://shop.test"
HOME, CAT1, CAT2, GONE, DOWN, DEEP, DEAD, TOP, LONELY = (
    f"{S}/", f"{S}/cat/1", f"{S}/cat/2", f"{S}/gone", f"{S}/down", f"{S}/deep", f"{S}/dead", f"{S}/top",
    f"{S}/lonely",
)
P = [f"{S}/p/{i}" for i in range(1, 5)]
EDGES = [
    (HOME, CAT1), (HOME, CAT2), (HOME, GONE), (HOME, DOWN), (HOME, DEEP),
    (CAT1, P[0]), (CAT1, P[1]), (CAT1, P[2]), (CAT2, P[2]), (CAT2, P[3]), (CAT2, DEAD),
    (P[0], TOP), (P[1], TOP), (P[2], TOP), (P[3], TOP), (TOP, HOME),
]
META = [
    (HOME, 200, 0, "home"), (CAT1, 200, 1, "category"), (CAT2, 200, 1, "category"), (GONE, 404, 1, "other"),
    (DOWN, 500, 1, "other"), (LONELY, 0, 1, "other"), (DEAD, 200, 2, "product"), (DEEP, 200, 2, "other"),
    (TOP, 200, 2, "product"), *[(p, 200, 2, "product") for p in P],
]


def write(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def build(d: Path, edges: list[tuple[str, str]], meta: list[tuple[object, ...]] | None = None) -> GraphSummary:
    e = write(d / "edges.csv", ["source", "target"], list(edges))
    m = write(d / "meta.csv", ["url", "http_code", "depth", "title", "description", "pagetype"],
              [(u, c, dep, f"T {u}", "", t) for u, c, dep, t in meta]) if meta else None
    return ingest(e, m, d / "graph.duckdb")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> GraphSummary:
    return build(tmp_path_factory.mktemp("shop"), EDGES, META)


def reference_pagerank(edges: list[tuple[str, str]], nodes: list[str], d: float = 0.85) -> dict[str, float]:
    """Plain power iteration, the textbook definition, for comparison."""
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        out[s].append(t)
    n = len(nodes)
    r = dict.fromkeys(nodes, 1 / n)
    for _ in range(500):
        dangling = sum(r[x] for x in nodes if not out[x])
        nxt = dict.fromkeys(nodes, (1 - d) / n + d * dangling / n)
        for s in nodes:
            for t in out[s]:
                nxt[t] += d * r[s] / len(out[s])
        r = nxt
    return r


def test_pagerank_sums_to_one_and_matches_the_definition(shop: GraphSummary) -> None:
    res = pagerank(shop.db_path, limit=1000, tol=1e-12)
    assert res.total == shop.node_count == 13 and len(res.rows) == 13
    scores = {r["url"]: r["pagerank"] for r in res.rows}
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-9)  # dangling mass redistributed
    ref = reference_pagerank(EDGES, list(scores))
    for url, value in scores.items():
        assert value == pytest.approx(ref[url], abs=1e-9), url
    # The page all the product pages point to ranks first; home, which it links to, second.
    assert [r["url"] for r in res.rows[:2]] == [TOP, HOME]
    assert res.rows == sorted(res.rows, key=lambda r: -r["pagerank"])
    assert res.extra["damping"] == 0.85 and 1 < res.extra["iterations"] < 100
    assert res.explanation.endswith(".") and "PageRank" in res.explanation
    page = pagerank(shop.db_path, limit=2, offset=1, tol=1e-12)
    assert [r["url"] for r in page.rows] == [r["url"] for r in res.rows[1:3]]


def test_pagerank_stops_at_max_iter_and_on_an_empty_graph(tmp_path: Path) -> None:
    s = build(tmp_path, [("https://a.test/", "https://a.test/b")])
    assert pagerank(s.db_path, max_iter=2).extra["iterations"] <= 2
    empty = tmp_path / "empty"
    empty.mkdir()
    e = build(empty, [])
    res = pagerank(e.db_path)
    assert (res.total, res.rows) == (0, [])


def test_hits_on_a_star(tmp_path: Path) -> None:
    centre = "https://star.test/"
    leaves = [f"https://star.test/{i}" for i in range(4)]
    s = build(tmp_path, [(leaf, centre) for leaf in leaves])
    auth = hits(s.db_path, "authority")
    assert auth.rows[0]["url"] == centre and auth.rows[0]["authority"] == pytest.approx(1.0)
    assert all(r["authority"] == pytest.approx(0.0) for r in auth.rows[1:])
    hub = hits(s.db_path, "hub")
    assert {r["url"] for r in hub.rows[:4]} == set(leaves)
    assert all(r["hub"] == pytest.approx(0.25) for r in hub.rows[:4])
    assert hub.rows[4]["url"] == centre and hub.rows[4]["hub"] == 0
    assert auth.total == hub.total == 5
    with pytest.raises(ValueError):
        hits(s.db_path, "both")


def reference_hits(edges: list[tuple[str, str]], nodes: list[str], iterations: int) -> tuple[dict[str, float], ...]:
    hub, auth = dict.fromkeys(nodes, 1.0), dict.fromkeys(nodes, 0.0)
    for _ in range(iterations):
        auth = dict.fromkeys(nodes, 0.0)
        for s, t in edges:
            auth[t] += hub[s]
        total = sum(auth.values())
        auth = {k: v / total for k, v in auth.items()}
        hub = dict.fromkeys(nodes, 0.0)
        for s, t in edges:
            hub[s] += auth[t]
        total = sum(hub.values())
        hub = {k: v / total for k, v in hub.items()}
    return hub, auth


def test_hits_matches_the_definition(shop: GraphSummary) -> None:
    res = hits(shop.db_path, limit=100, iterations=30)
    assert sum(r["hub"] for r in res.rows) == pytest.approx(1.0)
    assert sum(r["authority"] for r in res.rows) == pytest.approx(1.0)
    hub, auth = reference_hits(EDGES, [r["url"] for r in res.rows], 30)
    for r in res.rows:
        assert (r["hub"], r["authority"]) == (pytest.approx(hub[r["url"]]), pytest.approx(auth[r["url"]]))
    # home links to five pages, more than any other page: it is the hub, and the five pages it
    # co-cites the authorities (the largest eigenvalue of the co-citation matrix is 5, against 4).
    assert hits(shop.db_path, "hub", iterations=30).rows[0]["url"] == HOME
    assert {r["url"] for r in res.rows[:5]} == {CAT1, CAT2, GONE, DOWN, DEEP}


def test_depth_and_inlink_distributions(shop: GraphSummary) -> None:
    depth = depth_distribution(shop.db_path)
    assert [(r["depth"], r["pages"]) for r in depth.rows] == [(0, 1), (1, 5), (2, 7)]
    assert sum(r["pages"] for r in depth.rows) == shop.node_count  # every page is in the metadata
    inl = inlink_distribution(shop.db_path)
    # inlinks: lonely 0; home, cat1, cat2, gone, down, deep, dead, p1, p2, p4 1; p3 2; top 4
    assert [(r["label"], r["pages"]) for r in inl.rows] == [("0", 1), ("1", 10), ("2–3", 1), ("4–7", 1)]
    assert sum(r["pages"] for r in inl.rows) == shop.node_count
    assert depth.explanation and inl.explanation


def test_orphans_and_dead_ends_agree_with_the_summary(shop: GraphSummary) -> None:
    o, d = orphans(shop.db_path), dead_ends(shop.db_path)
    assert (o.total, [r["url"] for r in o.rows]) == (shop.orphan_count, shop.orphans) == (1, [LONELY])
    assert (d.total, [r["url"] for r in d.rows]) == (shop.dead_end_count, shop.dead_ends)
    assert [r["url"] for r in d.rows] == [DEAD, DEEP]  # gone/down are errors, not dead ends
    assert [r["url"] for r in dead_ends(shop.db_path, limit=1, offset=1).rows] == [DEEP]
    assert dead_ends(shop.db_path, limit=5, offset=9).rows == []


def test_orphans_and_dead_ends_past_the_sample(tmp_path: Path) -> None:
    home = "https://big.test/"
    pages = [f"https://big.test/{i:03}" for i in range(150)]
    meta = [(home, 200, 0, "home"), *[(p, 200, 1, "page") for p in pages]]
    # pages[0] links back, so depth 1 is within the export and pages without links count.
    s = build(tmp_path, [(home, p) for p in pages[:20]] + [(pages[0], home)], meta)
    assert (s.orphan_count, len(s.orphans)) == (130, 100)  # the summary keeps a sample
    o = orphans(s.db_path, limit=1000)
    assert o.total == 130 and [r["url"] for r in o.rows] == pages[20:]
    assert [r["url"] for r in orphans(s.db_path, limit=50, offset=100).rows] == pages[120:]
    d = dead_ends(s.db_path, limit=1000)
    assert d.total == s.dead_end_count == 149 and [r["url"] for r in d.rows] == pages[1:]


def test_broken_links_list_their_sources(shop: GraphSummary) -> None:
    b = broken_links(shop.db_path)
    assert b.total == 2 and b.extra["broken_pages"] == 2  # lonely (code 0) has no inlinks
    assert {(r["source"], r["target"], r["http_code"]) for r in b.rows} == {(HOME, GONE, 404), (HOME, DOWN, 500)}
    assert "2 broken pages" in b.explanation
    assert len(broken_links(shop.db_path, limit=1).rows) == 1


def test_broken_links_many_sources(tmp_path: Path) -> None:
    gone = "https://b.test/gone"
    srcs = [f"https://b.test/{i}" for i in range(5)]
    meta = [(gone, 0, 1, "x"), *[(u, 200, 1, "x") for u in srcs]]
    s = build(tmp_path, [(u, gone) for u in srcs] + [(srcs[0], srcs[1])], meta)
    b = broken_links(s.db_path)
    assert b.total == 5 and b.extra["broken_pages"] == 1
    assert sorted(r["source"] for r in b.rows) == srcs and {r["target"] for r in b.rows} == {gone}


def test_segment_flow_matrix(shop: GraphSummary) -> None:
    f = segment_flow(shop.db_path)
    cells = {(r["source_segment"], r["target_segment"]): r["links"] for r in f.rows}
    assert cells == {
        ("home", "category"): 2, ("home", "other"): 3, ("category", "product"): 6,
        ("product", "product"): 4, ("product", "home"): 1,
    }
    assert sum(cells.values()) == shop.edge_count
    segs, m = f.extra["segments"], f.extra["matrix"]
    assert segs == ["category", "home", "product", "other"]  # by links sent, then name
    assert m[segs.index("category")][segs.index("product")] == 6
    assert m[segs.index("other")] == [0, 0, 0, 0]
    assert sum(map(sum, m)) == shop.edge_count


def test_analyses_read_a_file_from_before_the_links_table(tmp_path: Path, shop: GraphSummary) -> None:
    import duckdb

    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    try:
        con.execute(f"ATTACH '{shop.db_path}' AS new (READ_ONLY)")
        con.execute("CREATE TABLE nodes AS SELECT * FROM new.nodes")
        con.execute("CREATE TABLE edges AS SELECT * FROM new.edges")  # the old layout: a table
    finally:
        con.close()
    assert segment_flow(old).rows == segment_flow(shop.db_path).rows
    assert graph_for_view(old)["total_edges"] == shop.edge_count
    assert links_for(old, TOP)["inlink_count"] == 4


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        orphans(tmp_path / "nope.duckdb")
