"""The "Link graph from a crawl" workflow, in process, against FakeSite: start URL to graph view."""

from __future__ import annotations

import json

import pytest

from tests import waiting
from tests.fakes.site import FakeSite, GraphSite

HX = {"HX-Request": "true"}
KEY = "fake site"


@pytest.fixture
def site():
    s = FakeSite()
    with s:
        yield s


def wait_step(ctx, key, step, timeout=30.0):
    return waiting.wait_step(ctx, key, step, timeout)


def test_limits_have_defaults_and_clear_messages(client):
    client.post("/crawl_graph/init", data={"key": KEY}, headers=HX)
    r = client.post("/crawl_graph/step/start_url", params={"key": KEY}, data={"start_url": "ftp://x"}, headers=HX)
    assert "Enter a full address starting with http:// or https://" in r.text
    client.post("/crawl_graph/step/start_url", params={"key": KEY}, data={"start_url": "https://a.example/"}, headers=HX)
    card = client.get("/crawl_graph/step/limits", params={"key": KEY}, headers=HX).text
    assert 'name="max_pages"' in card and 'value="500"' in card and 'value="3"' in card and "checked" in card
    for data, message in (({"max_pages": "0", "max_depth": "3"}, "Max pages is a whole number from 1 to 20,000."),
                          ({"max_pages": "10", "max_depth": "-1"}, "Max depth is a whole number from 0 to 20."),
                          ({"max_pages": "abc", "max_depth": "2"}, "Max pages is a whole number")):
        r = client.post("/crawl_graph/step/limits", params={"key": KEY}, data=data, headers=HX)
        assert message in r.text
    r = client.post("/crawl_graph/step/limits", params={"key": KEY},
                    data={"max_pages": "50", "max_depth": "2"}, headers=HX)
    assert "Up to 50 pages, depth 2, any host" in r.text  # an unticked box means any host


def test_crawl_to_graph_view_end_to_end(client, app, site, data_dir):
    ctx = app.state.ctx
    client.post("/crawl_graph/init", data={"key": KEY}, headers=HX)
    client.post("/crawl_graph/step/start_url", params={"key": KEY}, data={"start_url": site.base_url + "/"}, headers=HX)
    client.post("/crawl_graph/step/limits", params={"key": KEY},
                data={"max_pages": "40", "max_depth": "3", "same_host": "on"}, headers=HX)
    card = client.get("/crawl_graph/step/crawl", params={"key": KEY}, headers=HX).text
    assert "obeying robots.txt" in card and ">Start</button>" in card
    r = client.post("/crawl_graph/step/crawl", params={"key": KEY}, headers=HX)
    assert 'sse-swap="job-' in r.text  # the live progress panel
    job = wait_step(ctx, KEY, "crawl")
    crawl = ctx.pipulate.get_step_data(KEY, "crawl")["crawl"]
    assert crawl, json.loads(job.detail).get("message")
    assert "/private/secret" not in site.paths and "/robots.txt" in site.paths  # robots.txt obeyed
    assert crawl["pages"] <= 40 and crawl["edges"] > 10 and crawl["disallowed"] >= 1
    assert not any(p.startswith("/deep/4") for p in site.paths)  # depth bound
    gid = crawl["graph"]
    folder = data_dir / "linkgraph" / gid
    assert (folder / "edges.csv").read_text().startswith("source,target")
    locked = client.get("/crawl_graph/step/crawl", params={"key": KEY}, headers=HX).text
    assert "edges.csv" in locked and "robots.txt" in locked
    served = client.get("/graph_view/file", params={"path": f"linkgraph/{gid}/metadata.csv"})
    assert served.status_code == 200 and served.text.startswith("url,http_code,depth")

    client.post("/crawl_graph/step/graph", params={"key": KEY}, headers=HX)
    job = wait_step(ctx, KEY, "graph")
    graph = ctx.pipulate.get_step_data(KEY, "graph")["graph"]
    assert graph, json.loads(job.detail).get("message")
    assert 0 < graph["edges"] <= crawl["edges"] and graph["nodes"] >= crawl["pages"]  # self-links dropped
    data = client.get("/graph_view/data", params={"graph": gid, "color": "depth"}).json()
    assert len(data["nodes"]) == graph["nodes"] and data["color_by"] == "depth"
    assert data["legend"][0]["label"] == "depth 0"
    home = site.base_url + "/"
    links = client.get("/graph_view/links", params={"graph": gid, "url": home}, headers=HX).text
    assert "Links to" in links and f"{site.base_url}/a" in links
    page = client.get("/graph_view", params={"graph": gid}).text
    assert "Link graph from a crawl · fake site" in page and 'class="graph-canvas"' in page
    assert gid in client.get("/graph_view").text  # listed among the graphs
    final = client.get("/crawl_graph/step/graph", params={"key": KEY}, headers=HX).text
    assert "Finalize" in final and 'data-graph-src="/graph_view/data?graph=' in final
    # Deleting the run removes its files too.
    client.post("/crawl_graph/delete", params={"key": KEY}, headers=HX)
    assert not ctx.pipulate.exists(KEY) and not folder.exists()
    assert gid not in client.get("/graph_view").text


def test_limits_take_an_optional_address_list(client):
    key = "listed"
    client.post("/crawl_graph/init", data={"key": key}, headers=HX)
    client.post("/crawl_graph/step/start_url", params={"key": key}, data={"start_url": "https://a.example/"}, headers=HX)
    card = client.get("/crawl_graph/step/limits", params={"key": key}, headers=HX).text
    assert 'name="urls"' in card and 'name="sitemap"' in card and "cannot find pages that nothing links to" in card
    r = client.post("/crawl_graph/step/limits", params={"key": key}, headers=HX,
                    data={"max_pages": "5", "max_depth": "1", "urls": "https://a.example/x\nnot an address"})
    assert "Line 2 is not an http:// or https:// address: not an address" in r.text
    r = client.post("/crawl_graph/step/limits", params={"key": key}, headers=HX,
                    data={"max_pages": "5", "max_depth": "1", "sitemap": "on",
                          "urls": "https://a.example/x\n\nhttps://a.example/y\nhttps://a.example/x\n"})
    assert "sitemap.xml read, 2 listed addresses" in r.text
    saved = client.app.state.ctx.pipulate.get_step_data(key, "limits")
    assert saved["urls"] == ["https://a.example/x", "https://a.example/y"] and saved["sitemap"] is True


def test_sitemap_orphans_and_broken_links_reach_the_view(client, app):
    """GraphSite: 13 pages by links, 3 orphans only in its sitemap, 4 links to 3 broken pages."""
    ctx, key = app.state.ctx, "graph site"
    with GraphSite() as base:
        client.post("/crawl_graph/init", data={"key": key}, headers=HX)
        client.post("/crawl_graph/step/start_url", params={"key": key}, data={"start_url": base + "/"}, headers=HX)
        client.post("/crawl_graph/step/limits", params={"key": key}, headers=HX,
                    data={"max_pages": "50", "max_depth": "5", "same_host": "on", "sitemap": "on"})
        client.post("/crawl_graph/step/crawl", params={"key": key}, headers=HX)
        job = wait_step(ctx, key, "crawl")
        crawl = ctx.pipulate.get_step_data(key, "crawl")["crawl"]
        assert crawl, json.loads(job.detail).get("message")
    assert (crawl["pages"], crawl["listed"], crawl["unlinked"]) == (16, 6, 3)
    locked = client.get("/crawl_graph/step/crawl", params={"key": key}, headers=HX).text
    assert "6 addresses listed" in locked and "3 of them were reached by no link" in locked

    client.post("/crawl_graph/step/graph", params={"key": key}, headers=HX)
    job = wait_step(ctx, key, "graph")
    graph = ctx.pipulate.get_step_data(key, "graph")["graph"]
    assert graph, json.loads(job.detail).get("message")
    assert (graph["orphans"], graph["broken_links"], graph["broken_pages"]) == (3, 4, 3)
    card = client.get("/crawl_graph/step/graph", params={"key": key}, headers=HX).text
    assert "4 broken links · 3 orphans" in card and "full=1" in card

    gid = graph["graph"]
    data = client.get("/graph_view/data", params={"graph": gid}).json()
    assert data["broken"] == {"pages": 3, "links": 4} and data["orphans"] == 3
    broken = {n["key"].removeprefix(base) for n in data["nodes"] if n["broken"]}
    assert broken == {"/missing", "/gone", "/server-error"}
    legend = [i["label"] for i in data["legend"]]
    assert legend[:3] == ["/", "/blog/", "/products/"] and legend[-1].startswith("broken")
    tables = client.get("/graph_view/tables", params={"graph": gid}, headers=HX).text
    assert "Broken links: 4 (to 3 pages)" in tables and "broken · HTTP 404" in tables
    assert "graph-broken-row" in tables  # /missing (2 inlinks) is among the most-linked: flagged
    assert "Orphans: 3" in tables and "cannot find a page that nothing links to" in tables
    for orphan in GraphSite.ORPHANS:
        assert base + orphan in tables
    page = client.get("/graph_view", params={"graph": gid, "full": "1"}).text
    assert 'data-graph-full="1"' in page and "4 broken links" in page
