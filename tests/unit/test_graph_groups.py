"""Colour groups and broken links in the graph view's data (issue 17: a graph people can read)."""

from __future__ import annotations

import csv

import pytest

from cardflow.linkgraph.graphdata import (
    BROKEN_COLOR,
    MAX_GROUPS,
    PAGETYPE_PALETTE,
    broken_pages,
    first_folder,
    graph_for_view,
)
from cardflow.linkgraph.ingest import ingest

S = "https://site.test"
HEADER = ["url", "http_code", "depth", "title", "description", "pagetype", "compliant"]


def build(tmp_path, edges, meta):
    with open(tmp_path / "edges.csv", "w", newline="") as f:
        csv.writer(f).writerows([["source", "target"], *edges])
    with open(tmp_path / "metadata.csv", "w", newline="") as f:
        csv.writer(f).writerows([HEADER, *meta])
    ingest(tmp_path / "edges.csv", tmp_path / "metadata.csv", tmp_path / "graph.duckdb")
    return tmp_path / "graph.duckdb"


def test_first_folder():
    assert first_folder(f"{S}/") == "/"
    assert first_folder(f"{S}/about.html") == "/"  # a file at the top level: no folder of its own
    assert first_folder(f"{S}/blog/") == "/blog/"
    assert first_folder(f"{S}/blog/2024/post?x=1") == "/blog/"


def test_a_crawl_is_coloured_by_first_folder_not_by_file_name(tmp_path):
    # Pagetypes as the crawler writes them (the first path segment): one per file name.
    pages = ["/", "/about.html", "/contact.html", "/faq.html", "/blog/", "/blog/a", "/blog/b", "/shop/x"]
    meta = [(S + p, 200, 1, "", "", p.strip("/").split("/")[0] or "home", "true") for p in pages]
    db = build(tmp_path, [(S + "/", S + p) for p in pages[1:]], meta)
    g = graph_for_view(db)
    assert [(i["label"], i["count"]) for i in g["legend"]] == [("/", 4), ("/blog/", 3), ("/shop/", 1)]
    colour = {n["key"]: n["color"] for n in g["nodes"]}
    assert colour[S + "/about.html"] == colour[S + "/faq.html"] == colour[S + "/"] == PAGETYPE_PALETTE[0]
    assert colour[S + "/blog/a"] == PAGETYPE_PALETTE[1]


def test_at_most_ten_groups_then_other(tmp_path):
    # 15 folders, of sizes 15, 14, ... 1: the 9 largest get colours, the other 6 are "other".
    meta, edges = [], []
    for i in range(15):
        for j in range(15 - i):
            url = f"{S}/f{i:02d}/p{j}"
            meta.append((url, 200, 1, "", "", f"f{i:02d}", "true"))
            edges.append((S + "/", url))
    meta.append((S + "/", 200, 0, "Home", "", "home", "true"))
    g = graph_for_view(build(tmp_path, edges, meta))
    labels = [i["label"] for i in g["legend"]]
    assert len(labels) == MAX_GROUPS and labels[-1] == "other"
    assert labels[:3] == ["/f00/", "/f01/", "/f02/"]
    assert sum(i["count"] for i in g["legend"]) == len(meta)
    assert len({n["color"] for n in g["nodes"]}) == MAX_GROUPS
    assert g["legend"][-1]["count"] == sum(range(1, 7)) + 1  # folders of 6, 5, ... 1 pages, and "/" (home)


def test_botify_segments_win_over_folders(tmp_path):
    meta = [(f"{S}/", 200, 0, "Home", "", "home", "true"),
            (f"{S}/p/1", 200, 1, "", "", "product", "true"),
            (f"{S}/q/2", 200, 1, "", "", "product", "true"),
            (f"{S}/p/3", 200, 1, "", "", "", "true")]
    g = graph_for_view(build(tmp_path, [(f"{S}/", u) for u, *_ in meta[1:]], meta))
    labels = {i["label"]: i["count"] for i in g["legend"]}
    assert labels["product"] == 2 and "/p/" not in labels
    # A page without a segment falls to the ingest's URL rule (its first path segment).
    assert labels["p"] == 1


def test_broken_targets_are_red_counted_and_labelled_by_address(tmp_path):
    meta = [(f"{S}/", 200, 0, "Home", "", "", "true"),
            (f"{S}/a", 200, 1, "A", "", "", "true"),
            (f"{S}/gone", 404, 1, "Error response", "", "", "false"),
            (f"{S}/down", 503, 1, "Error response", "", "", "false"),
            (f"{S}/dns", 0, 1, "", "", "", "false"),
            (f"{S}/moved", 301, 1, "", "", "", "false")]
    edges = [(f"{S}/", f"{S}/gone"), (f"{S}/a", f"{S}/gone"), (f"{S}/", f"{S}/down"), (f"{S}/a", f"{S}/dns"),
             (f"{S}/", f"{S}/a"), (f"{S}/", f"{S}/moved"), (f"{S}/", f"{S}/never-fetched")]
    db = build(tmp_path, edges, meta)
    g = graph_for_view(db)
    n = {x["key"]: x for x in g["nodes"]}
    assert [k for k, x in n.items() if x["broken"]] == [f"{S}/gone", f"{S}/dns", f"{S}/down"]
    assert all(n[k]["color"] == BROKEN_COLOR for k in (f"{S}/gone", f"{S}/down", f"{S}/dns"))
    assert not n[f"{S}/moved"]["broken"] and not n[f"{S}/never-fetched"]["broken"]
    assert n[f"{S}/gone"]["label"] == "/gone (404)" and n[f"{S}/dns"]["label"] == "/dns (unreachable)"
    assert g["broken"] == {"pages": 3, "links": 4}
    assert g["legend"][-1] == {"label": "broken (4xx, 5xx, unreachable)", "color": BROKEN_COLOR, "count": 3}
    assert BROKEN_COLOR not in {i["color"] for i in g["legend"][:-1]}
    b = broken_pages(db)
    assert (b["pages"], b["links"]) == (3, 4)
    assert b["items"][0] == {"url": f"{S}/gone", "title": "Error response", "inlinks": 2, "http_code": 404}
    assert broken_pages(db, 0)["items"] == []


@pytest.mark.parametrize("color_by", ["pagetype", "depth"])
def test_every_node_keeps_a_colour(tmp_path, color_by):
    meta = [(f"{S}/", 200, 0, "Home", "", "", "true"), (f"{S}/x", 404, 1, "", "", "", "false")]
    g = graph_for_view(build(tmp_path, [(f"{S}/", f"{S}/x")], meta), color_by=color_by)
    assert all(n["color"].startswith("#") for n in g["nodes"])
