"""The graph view at scale, in Chromium: a graph larger than the old 5,000-page default is drawn
whole and stays usable (hover shows the address, a click lists the links and turns that page's
links into arrows, search focuses a page, the colour toggle needs no request); a graph above the
caps (50,000 pages, 200,000 links) is sampled, and the sentence under the canvas says how."""

from __future__ import annotations

import re

import pytest

from bench.graph_firstframe import write_site
from cardflow.linkgraph.ingest import ingest

pytestmark = pytest.mark.e2e


def build(data_dir, gid, pages, links):
    folder = data_dir / "linkgraph" / gid
    write_site(folder, pages, links)
    return ingest(folder / "edges.csv", folder / "metadata.csv", folder / "graph.duckdb")


def drawn(pg, timeout=180_000):
    pg.wait_for_function("document.querySelector('.graph-view')?.dataset.ready === 'drawn'", timeout=timeout)
    pg.wait_for_function("window.cardflowGraphFirstFrame !== undefined", timeout=timeout)


def view(pg, body, arg=None):
    return pg.evaluate(f"""arg => {{ const p = document.querySelector('.graph-view');
        const v = window.CardflowGraph.views[p.id]; const g = v.graph; {body} }}""", arg)


def test_mid_size_graph_is_drawn_whole_and_usable(page, live_server):
    build(live_server.data_dir, "mid", 6000, 25_000)
    data_requests: list[str] = []
    page.on("request", lambda r: "/graph_view/data" in r.url and data_requests.append(r.url))
    page.goto("/graph_view?graph=mid")
    drawn(page)
    panel = page.locator(".graph-view")
    assert (panel.get_attribute("data-nodes"), panel.get_attribute("data-edges")) == ("6000", "25000")
    assert panel.locator("[data-graph-count=nodes]").inner_text() == "6,000"
    assert panel.locator("[data-graph-count=edges]").inner_text() == "25,000"
    assert panel.locator(".graph-status").inner_text() == "All 6,000 pages and all 25,000 links."
    assert view(page, "return [g.order, g.size, v.renderer.getSetting('hideEdgesOnMove')];") == [6000, 25_000, True]

    # Hover: the address of the page under the pointer.
    top = view(page, "return g.nodes()[0];")
    point = view(page, "const d = v.renderer.graphToViewport(v.renderer.getNodeDisplayData(arg));"
                       " return [d.x, d.y];", top)
    box = panel.locator(".graph-canvas").bounding_box()
    page.mouse.move(box["x"] + point[0], box["y"] + point[1])
    hover = panel.locator(".graph-hover")
    hover.wait_for(state="visible")
    assert hover.inner_text().startswith(top + " · ") and "inlinks" in hover.inner_text()

    # Click: the page's links are listed, and its own links become arrows.
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    panel.locator(".graph-page-links").wait_for()
    assert "Linked from" in panel.locator(".graph-links").inner_text()
    page.wait_for_function(f"document.querySelector('.graph-view').dataset.focus === {top!r}")
    arrows = view(page, "return [g.filterEdges(arg, (e, a) => a.type === 'arrow').length, g.degree(arg)];", top)
    assert arrows[0] == arrows[1] > 0

    # Search focuses another page.
    panel.locator("input[type=search]").fill("/page-4321")
    panel.locator(".graph-hits button").first.click()
    page.wait_for_function("document.querySelector('.graph-view').dataset.focus.endsWith('/page-4321')")
    assert view(page, "return g.filterEdges(arg, (e, a) => a.type === 'arrow').length;", top) == 0

    # Colouring by depth uses the data already there.
    asked = len(data_requests)
    panel.get_by_label("depth").check()
    page.wait_for_function("document.querySelector('.graph-legend').innerText.includes('depth 0')")
    assert len(data_requests) == asked == 1
    assert not page.js_errors, page.js_errors


def test_graph_above_the_caps_is_sampled_and_says_how(page, live_server):
    summary = build(live_server.data_dir, "huge", 52_000, 210_000)
    page.goto("/graph_view?graph=huge")
    drawn(page)
    panel = page.locator(".graph-view")
    assert (panel.get_attribute("data-nodes"), panel.get_attribute("data-edges")) == ("50000", "200000")
    rule = panel.locator(".graph-status").inner_text()
    assert rule.startswith("The 50,000 most-linked of 52,000 pages (by inlinks, ties by URL); 200,000 of the ")
    between = int(re.search(r"200,000 of the ([\d,]+) links between them", rule)[1].replace(",", ""))
    assert 200_000 < between < summary.edge_count == 210_000
    assert rule.endswith("capped at 200,000 (of 210,000 links in all).")
    # The summary counts the whole graph, not only what is drawn.
    assert panel.locator(".graph-summary").inner_text().startswith("52,000 pages · 210,000 links")
    assert not page.js_errors, page.js_errors
