"""Link graph from a file in Chromium: a Screaming-Frog-style "All Inlinks" CSV uploaded in the browser,
its columns recognised, the graph built, then the same graph view and analyses as a crawl gives."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes.edgelists import GONE, SITE, write_sf_inlinks

pytestmark = pytest.mark.e2e
TABLE_ROWS = """name => [...document.querySelectorAll(`table[data-analysis="${name}"] tbody tr`)].map(tr =>
    [...tr.querySelectorAll('td, th')].map(td => ({text: td.textContent.trim(), value: td.dataset.value ?? null})))"""


@pytest.fixture
def tab(page):
    page.set_default_timeout(20_000)
    yield page
    assert not page.js_errors, page.js_errors


def test_screaming_frog_inlinks_to_the_same_analyses(tab, tmp_path):
    export = write_sf_inlinks(tmp_path / "all_inlinks.csv")
    tab.goto("/import_graph")
    tab.fill("#import_graph-key-input", "e2e sf")
    tab.get_by_role("button", name="Start or resume").click()
    tab.set_input_files("#field-edges", str(export))
    tab.locator("#import_graph-edges").get_by_role("button", name="Save and continue").click()
    tab.locator("#import_graph-edges.locked").wait_for()

    columns = tab.locator("#import_graph-columns")
    columns.get_by_text("Recognised from the headers").wait_for()
    assert tab.locator("#field-columns-source").input_value() == "Source"
    assert tab.locator("#field-columns-destination").input_value() == "Destination"
    assert tab.locator("#field-columns-status").input_value() == "Status Code"
    columns.get_by_role("button", name="Save and continue").click()

    # The build job starts by itself, then the graph is drawn in the card.
    tab.wait_for_function("document.querySelector('#import_graph-graph .graph-view')?.dataset.ready === 'drawn'",
                          timeout=60_000)
    card = tab.locator("#import_graph-graph").inner_text()
    assert f"{SITE['hyperlinks']} links read" in card and f"{SITE['images']} rows of other types skipped" in card
    assert "1 nofollow (kept)" in card
    href = tab.locator("#import_graph-graph").get_by_role("link", name="Open the full graph view").get_attribute("href")
    gid = parse_qs(urlsplit(href).query)["graph"][0]

    tab.goto(f"/graph_view?graph={gid}")
    tab.wait_for_function("document.querySelector('.graph-view')?.dataset.ready === 'drawn'")
    assert "2 broken links (to 1 page)" in tab.locator(".graph-summary").inner_text()
    section = tab.locator("section#analyses")
    for name in ("pagerank", "broken", "inlinks", "hubs"):
        section.locator(f"#analysis-{name}[data-ready='1'] table[data-analysis='{name}']").wait_for(timeout=60_000)
    pagerank = tab.evaluate(TABLE_ROWS, "pagerank")
    assert pagerank[0][0]["text"] == SITE["top_pagerank"]
    broken = tab.evaluate(TABLE_ROWS, "broken")
    assert [r[0]["text"] for r in broken] == [GONE]
    assert broken[0][1]["value"] == "404" and broken[0][2]["value"] == "2"
