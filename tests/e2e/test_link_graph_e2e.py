"""The Botify link graph in Chromium, against the fake Botify: connect, every step, then the WebGL graph."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer
from tests.fakes.botify import ORG, PROJECT, TOKEN, run_fake_botify

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
    from tests.http.test_link_graph import write_big_graph

    folder = server.data_dir / "linkgraph" / "big-100k"
    write_big_graph(folder)
    ingest(folder / "edges.csv", folder / "metadata.csv", folder / "graph.duckdb")
    tab.goto("/graph_view?graph=big-100k")
    tab.wait_for_function("document.querySelector('.graph-view')?.dataset.ready === 'drawn'", timeout=60_000)
    counts = tab.evaluate("(() => { const p = document.querySelector('.graph-view');"
                          " const g = window.CardflowGraph.views[p.id].graph; return [g.order, g.size]; })()")
    assert counts[0] == 5000 and 10_000 < counts[1] <= 20_000
    assert tab.locator(".graph-status").inner_text().startswith("The 5,000 most-linked of 20,000 pages")
