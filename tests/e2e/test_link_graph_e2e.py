"""The link graph in Chromium: the Botify workflow against the fake Botify (connect, every step, then
the WebGL graph), and the crawl workflow against a generated local site (arrows, broken links,
sitemap orphans, full screen)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.fakes.botify import ORG, PROJECT, TOKEN, run_fake_botify
from tests.fakes.site import GraphSite

pytestmark = pytest.mark.e2e
PROJECT_URL = f"https://app.botify.com/{ORG}/{PROJECT}/"


@pytest.fixture(scope="module")
def fake():
    with run_fake_botify() as running:
        yield running


@pytest.fixture(scope="module")
def server(fake, tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("lg-e2e") / "data", env={"CARDFLOW_BOTIFY_API": fake.base_url})
    live.data_dir.mkdir()
    live.start()
    yield live
    live.stop()


@pytest.fixture
def tab(browser, server, fake):
    fake.reset(status_sequence=[])  # each export is DONE at its first poll
    context = browser.new_context(base_url=server.url)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: d.accept())
    pg.js_errors = errors
    yield pg
    context.close()
    assert not errors, errors


def connect(pg):
    pg.goto("/connect_botify")
    pg.fill("#botify-token", TOKEN)
    pg.get_by_role("button", name="Check and save").click()
    assert pg.locator("#botify-user").inner_text() == "alice"
    assert TOKEN not in pg.content()


def through_depth(pg, key):
    pg.goto("/link_graph")
    pg.fill("#link_graph-key-input", key)
    pg.get_by_role("button", name="Start or resume").click()
    pg.fill("#field-project", PROJECT_URL)
    pg.get_by_role("button", name="Save and continue").click()
    pg.locator("#field-analysis").wait_for()
    options = pg.locator("#field-analysis option").evaluate_all("els => els.map(e => e.value)")
    assert options == ["20240301-2", "20240301", "20240215", "20240201", "20240105"]
    pg.get_by_role("button", name="Save and continue").click()
    pg.locator("#field-depth").wait_for()  # counted by BQL after the card loaded
    assert "← proposed" in pg.locator("#link_graph-depth").inner_text()
    pg.get_by_role("button", name="Save and continue").click()
    pg.locator("#link_graph-export").get_by_role("button", name="Start").click()


def test_botify_workflow_to_a_drawn_graph(tab, fake):
    connect(tab)
    through_depth(tab, "e2e botify")
    # Export done -> the download and the graph start by themselves -> the graph is drawn.
    panel = tab.locator("#link_graph-graph .graph-view")
    panel.wait_for()
    tab.wait_for_function("document.querySelector('#link_graph-graph .graph-view').dataset.ready === 'drawn'")
    assert tab.locator("#link_graph-graph .graph-canvas canvas").count() >= 1
    order = tab.evaluate("(() => { const p = document.querySelector('#link_graph-graph .graph-view');"
                         " return window.CardflowGraph.views[p.id].graph.order; })()")
    assert order > 20 and panel.locator("[data-graph-count=nodes]").inner_text() == str(order)
    assert panel.locator(".graph-status").inner_text().startswith("All ")
    assert "page metadata" in tab.locator("#link_graph-download").inner_text()
    assert fake.state.jobs_created == 2 and fake.state.download_auth_rejected == 0

    panel.locator("input[type=search]").fill("cat-2")
    panel.locator(".graph-hits button").first.click()
    panel.locator(".graph-page-links").wait_for()
    assert "Linked from" in panel.locator(".graph-links").inner_text()
    panel.get_by_label("depth").check()
    tab.wait_for_function("document.querySelector('#link_graph-graph .graph-legend').innerText.includes('depth 0')")
    panel.locator(".graph-tables summary").first.wait_for()
    assert "Orphans" in panel.locator(".graph-tables").inner_text()

    tab.reload()  # resume by key: every card locked, the graph drawn again
    tab.wait_for_function("document.querySelector('#link_graph-graph .graph-view')?.dataset.ready === 'drawn'")
    assert TOKEN not in tab.content()


def test_failed_export_shows_the_reason_and_retry_works(tab, fake):
    connect(tab)
    fake.state.fail_next_jobs = 1
    through_depth(tab, "e2e failing")
    card = tab.locator("#link_graph-export")
    card.get_by_text("Export failed: the query timed out").wait_for()
    card.get_by_role("button", name="Retry").click()
    tab.locator("#link_graph-graph .graph-view").wait_for()
    assert fake.state.jobs_created == 3  # only the failed export was made again


def test_graph_view_draws_a_100k_edge_graph(tab, server):
    from cardflow.linkgraph.ingest import ingest
    from tests.http.test_link_graph_view import write_big_graph

    folder = server.data_dir / "linkgraph" / "big-100k"
    write_big_graph(folder)
    summary = ingest(folder / "edges.csv", folder / "metadata.csv", folder / "graph.duckdb")
    tab.goto("/graph_view?graph=big-100k")
    tab.wait_for_function("document.querySelector('.graph-view')?.dataset.ready === 'drawn'", timeout=120_000)
    counts = tab.evaluate("(() => { const p = document.querySelector('.graph-view');"
                          " const g = window.CardflowGraph.views[p.id].graph; return [g.order, g.size]; })()")
    # Under the 50,000-page / 200,000-link caps: the whole graph (it was the top 5,000 before).
    assert counts == [20_000, summary.edge_count] and summary.edge_count > 99_000
    assert tab.locator(".graph-status").inner_text() == f"All 20,000 pages and all {summary.edge_count:,} links."


PANEL = "#crawl_graph-graph .graph-view"


def in_view(pg, body: str, arg=None):
    """Run ``body`` with ``v`` (the panel's view: graph, renderer, data), ``g`` (its graph) and ``arg``."""
    return pg.evaluate(f"""arg => {{ const v = window.CardflowGraph.views[document.querySelector('{PANEL}').id];
        const g = v.graph; {body} }}""", arg)


def test_crawled_graph_is_readable(tab):
    """GraphSite: 13 pages by links, a loop, 4 links to 3 broken pages, 3 orphans only in sitemap.xml."""
    out = Path(__file__).resolve().parents[2] / "test-output"
    out.mkdir(exist_ok=True)
    with GraphSite() as base:
        tab.goto("/crawl_graph")
        tab.fill("#crawl_graph-key-input", "e2e readable")
        tab.get_by_role("button", name="Start or resume").click()
        tab.fill("#field-start_url", base + "/")
        tab.get_by_role("button", name="Save and continue").click()
        tab.locator("#field-max-depth").fill("5")
        assert tab.locator("#field-sitemap").is_checked()  # sitemap.xml is read unless unticked
        tab.get_by_role("button", name="Save and continue").click()
        tab.locator("#crawl_graph-crawl").get_by_role("button", name="Start").click()
        # The crawl ends, the graph step starts by itself and draws.
        tab.wait_for_function(f"document.querySelector('{PANEL}')?.dataset.ready === 'drawn'", timeout=30_000)
    # By id: in full screen the panel moves out of its card (to <body>).
    pid = tab.locator(PANEL).get_attribute("id")
    panel = tab.locator(f"#{pid}")

    # 1. Directed edges drawn with sigma's arrow program; the loop is two arrows.
    assert panel.get_attribute("data-edge-type") == "arrow"
    arrows = in_view(tab, """return {all: g.everyEdge((e, a) => a.type === 'arrow'), size: g.size,
        program: typeof v.renderer.getSetting('edgeProgramClasses').arrow,
        loop: g.hasDirectedEdge(arg + '/blog/post-1', arg + '/blog/post-2') &&
              g.hasDirectedEdge(arg + '/blog/post-2', arg + '/blog/post-1')};""", base)
    assert arrows == {"all": True, "size": 20, "program": "function", "loop": True}

    # 2. Broken targets are red and counted under the graph; flagged in the most-linked table.
    colours = in_view(tab, "const out = {}; g.forEachNode((k, a) => { out[k] = a.color; }); return out;")
    assert {colours[base + p] for p in ("/missing", "/gone", "/server-error")} == {"#d62728"}
    assert "#d62728" not in {c for k, c in colours.items() if k.removeprefix(base) not in GraphSite.ERRORS}
    assert "4 broken links (to 3 pages)" in panel.locator(".graph-summary").inner_text()
    assert "3 orphans" in panel.locator(".graph-summary").inner_text()
    assert "broken (4xx, 5xx, unreachable) (3)" in panel.locator(".graph-legend").inner_text()
    legend = panel.locator(".graph-legend li").all_inner_texts()
    assert len(legend) <= 11 and legend[0].startswith("/ (")  # folders, not one colour per file name
    panel.locator(".graph-top tr.graph-broken-row").first.wait_for()
    assert "broken · HTTP 404" in panel.locator(".graph-top").inner_text()

    # 3. The most-linked pages carry labels; the rest wait for a hover.
    forced = in_view(tab, "return g.filterNodes((k, a) => a.forceLabel).length;")
    assert 0 < forced <= 20

    # 4. Orphans from the sitemap are listed, with why a crawl alone cannot see them.
    panel.locator(".graph-orphans summary").click()
    orphans = panel.locator(".graph-orphans").inner_text()
    assert "Orphans: 3" in orphans and "cannot find a page that nothing links to" in orphans
    assert all(base + p in orphans for p in GraphSite.ORPHANS)
    panel.locator(".graph-canvas").screenshot(path=str(out / "graph-inline.png"))

    # 5. Full screen: the panel covers the viewport; Escape brings it back.
    panel.get_by_role("button", name="Full screen").click()
    tab.wait_for_function(f"document.getElementById('{pid}').classList.contains('is-full')")
    assert tab.evaluate(f"document.elementFromPoint(innerWidth - 5, innerHeight / 2).closest('#{pid}') !== null")
    box, viewport = panel.bounding_box(), tab.viewport_size
    assert box["x"] == 0 and box["y"] == 0 and box["width"] == viewport["width"]
    assert panel.locator(".graph-canvas").bounding_box()["height"] > 0.75 * viewport["height"]
    tab.screenshot(path=str(out / "graph-fullscreen.png"))
    tab.keyboard.press("Escape")
    tab.wait_for_function(f"!document.getElementById('{pid}').classList.contains('is-full')")
    assert tab.locator(f"#crawl_graph-graph #{pid}").count() == 1  # back in its card
    assert panel.get_by_role("button", name="Full screen").get_attribute("aria-pressed") == "false"

    # The full view link opens the viewer page already full-screen.
    tab.locator("#crawl_graph-graph").get_by_role("link", name="Open the full graph view").click()
    tab.wait_for_function("document.querySelector('.graph-view')?.classList.contains('is-full')")
    assert "4 broken links" in tab.locator(".graph-page").inner_text()


def test_graph_view_page_full_screen_passes_axe(tab, server):
    """The viewer page of a crawled graph, opened full-screen by its link: nothing serious for axe."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from cardflow.linkgraph.crawl import crawl
    from cardflow.linkgraph.ingest import ingest

    folder = server.data_dir / "linkgraph" / "graph-site"
    # The crawl runs in a thread: Playwright's sync API holds this thread's event loop.
    with GraphSite() as base, ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, crawl(base + "/", max_depth=5, sitemap=True)).result()
    edges, meta = result.write(folder)
    ingest(edges, meta, folder / "graph.duckdb")
    tab.goto("/graph_view?graph=graph-site&full=1")
    tab.wait_for_function("document.querySelector('.graph-view')?.dataset.ready === 'drawn'")
    assert tab.locator(".graph-view.is-full").count() == 1
    assert "4 broken links (to 3 pages) · 3 orphans" in tab.locator(".graph-summary").inner_text()
    tab.locator(".graph-tables summary").first.wait_for()
    tab.add_script_tag(path=str(Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"))
    bad = tab.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ' ' + v.nodes[0].target)""")
    assert not bad, bad
    tab.screenshot(path=str(Path(__file__).resolve().parents[2] / "test-output" / "graph-view-full.png"))
