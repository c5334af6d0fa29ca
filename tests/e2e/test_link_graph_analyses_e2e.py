"""The graph viewer's Analyses section in Chromium, after the crawl workflow ran in the browser
against a generated local site (GraphSite: a loop, 4 links to 3 broken pages, 3 orphans that only
its sitemap lists): arrows and red broken pages on the canvas, then every analysis with its table,
its drawn chart, and a CSV download that holds the rows the table shows."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cardflow.linkgraph.reports import NAMES
from tests.e2e.helpers import own_server, tab_on
from tests.fakes.site import GraphSite
from tests.http.test_graph_analyses import same

pytestmark = pytest.mark.e2e
RED = "#d62728"
TABLE_ROWS = """name => [...document.querySelectorAll(`table[data-analysis="${name}"] tbody tr`)].map(tr =>
    [...tr.querySelectorAll('td, th')].map(td => ({text: td.textContent.trim(), value: td.dataset.value ?? null,
        items: [...td.querySelectorAll('li')].map(li => li.textContent.trim())})))"""
FETCH_CSV = """async name => { const a = document.querySelector(`#analysis-${name} a[data-csv]`);
    const r = await fetch(a.href, {credentials: 'same-origin'});
    return {status: r.status, type: r.headers.get('content-type'), body: await r.text()}; }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from own_server(tmp_path_factory, "lga-e2e")


@pytest.fixture
def tab(browser, server):
    yield from tab_on(browser, server, 20_000)


def crawl_in_the_browser(tab, base: str) -> str:
    """The crawl workflow, step by step as a user does it; returns the graph id."""
    tab.goto("/crawl_graph")
    tab.fill("#crawl_graph-key-input", "e2e analyses")
    tab.get_by_role("button", name="Start or resume").click()
    tab.fill("#field-start_url", base + "/")
    tab.get_by_role("button", name="Save and continue").click()
    tab.locator("#field-max-depth").fill("5")
    assert tab.locator("#field-sitemap").is_checked()
    tab.get_by_role("button", name="Save and continue").click()
    tab.locator("#crawl_graph-crawl").get_by_role("button", name="Start").click()
    tab.wait_for_function("document.querySelector('#crawl_graph-graph .graph-view')?.dataset.ready === 'drawn'",
                          timeout=40_000)
    href = tab.locator("#crawl_graph-graph").get_by_role("link", name="Open the full graph view").get_attribute("href")
    return parse_qs(urlsplit(href).query)["graph"][0]


def test_analyses_of_a_crawled_site(tab, server):
    out = Path(__file__).resolve().parents[2] / "test-output"
    out.mkdir(exist_ok=True)
    with GraphSite() as base:
        gid = crawl_in_the_browser(tab, base)
    tab.goto(f"/graph_view?graph={gid}")
    tab.wait_for_function("document.querySelector('.graph-view')?.dataset.ready === 'drawn'")

    # The canvas: links are arrows (the loop is two of them); broken pages are red and counted.
    drawn = tab.evaluate("""base => { const p = document.querySelector('.graph-view');
        const g = window.CardflowGraph.views[p.id].graph; const colour = {};
        g.forEachNode((k, a) => { colour[k] = a.color; });
        return {arrows: g.everyEdge((e, a) => a.type === 'arrow'), colour,
                loop: g.hasDirectedEdge(base + '/blog/post-1', base + '/blog/post-2') &&
                      g.hasDirectedEdge(base + '/blog/post-2', base + '/blog/post-1')}; }""", base)
    assert drawn["arrows"] and drawn["loop"]
    assert {drawn["colour"][base + p] for p in GraphSite.ERRORS} == {RED}
    assert RED not in {c for k, c in drawn["colour"].items() if k.removeprefix(base) not in GraphSite.ERRORS}
    assert "4 broken links (to 3 pages)" in tab.locator(".graph-summary").inner_text()

    # The section: every analysis arrives (computed off the event loop, then kept).
    section = tab.locator("section#analyses")
    for name in NAMES:
        section.locator(f"#analysis-{name}[data-ready='1'] table[data-analysis='{name}']").wait_for(timeout=60_000)
        text = section.locator(f"#analysis-{name}").inner_text()
        assert section.locator(f"#analysis-{name} .analysis-explanation").inner_text().strip(), name
        assert "Download CSV" in text

    # Orphans: the three sitemap-only pages, and why a crawl needs the sitemap to see them.
    orphans = section.locator("#analysis-orphans").inner_text()
    assert all(base + p in orphans for p in GraphSite.ORPHANS)
    assert "cannot find a page that nothing links to" in orphans and "sitemap.xml" in orphans
    # Broken: the three pages, most-linked first, with their status and their sources.
    broken = tab.evaluate(TABLE_ROWS, "broken")
    assert [r[0]["text"] for r in broken] == [base + "/missing", base + "/gone", base + "/server-error"]
    assert [r[1]["value"] for r in broken] == ["404", "410", "500"] and broken[0][2]["value"] == "2"
    assert sorted(broken[0][3]["items"]) == [base + "/", base + "/contact.html"]
    assert section.locator("#analysis-broken .analysis-bad").first.evaluate("e => getComputedStyle(e).color") \
        == "rgb(214, 39, 40)"
    # PageRank: every crawled page ranked; the blog loop (post-1 <-> post-2) hoards it. The segment
    # matrix has its shades.
    pagerank = tab.evaluate(TABLE_ROWS, "pagerank")
    assert len(pagerank) == 16
    assert {pagerank[0][0]["text"], pagerank[1][0]["text"]} == {base + "/blog/post-1", base + "/blog/post-2"}
    matrix = section.locator("table[data-analysis='segments']")
    assert "blog" in matrix.locator("thead").inner_text()
    assert matrix.locator("td[style*='--share']").count() > 0

    # Charts are drawn by Chart.js from each canvas's data, with a text label.
    tab.wait_for_function("""() => [...document.querySelectorAll('#analyses canvas[data-chart]')]
        .every(c => c.dataset.chartDrawn === '1')""")
    charts = tab.evaluate("""() => [...document.querySelectorAll('#analyses canvas[data-chart]')].map(c =>
        ({id: c.closest('article').id, chart: !!window.Chart.getChart(c), w: c.width, label: c.getAttribute('aria-label')}))""")
    assert {c["id"] for c in charts} >= {"analysis-pagerank", "analysis-segments", "analysis-depth", "analysis-broken"}
    assert all(c["chart"] and c["w"] > 0 and c["label"] for c in charts)

    # Every CSV, fetched from the page's own link, holds the rows its table shows, in order.
    for name in NAMES:
        got = tab.evaluate(FETCH_CSV, name)
        assert got["status"] == 200 and got["type"].startswith("text/csv"), (name, got)
        header, *rows = list(csv.reader(io.StringIO(got["body"])))
        shown = tab.evaluate(TABLE_ROWS, name)
        assert shown and len(rows) >= len(shown), name
        for table_row, csv_row in zip(shown, rows, strict=False):
            assert len(table_row) == len(header), (name, table_row, header)
            assert all(same(c, v) for c, v in zip(table_row, csv_row, strict=True)), (name, table_row, csv_row)
    section.screenshot(path=str(out / "graph-analyses.png"))

    # Nothing serious for axe in the section (the shaded matrix cells included).
    tab.add_script_tag(path=str(Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"))
    bad = tab.evaluate("""async () => (await axe.run('#analyses', {resultTypes: ['violations']})).violations
        .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ' ' + v.nodes[0].target)""")
    assert not bad, bad

    # A second visit is served from the stored reports: none is computed again.
    stored = server.data_dir / "linkgraph" / gid / "analyses"
    before = {p.name: p.stat().st_mtime_ns for p in stored.iterdir()}
    assert len(before) == 2 * len(NAMES)  # a JSON and a CSV each
    tab.reload()
    for name in NAMES:
        section.locator(f"#analysis-{name}[data-ready='1']").wait_for()
    assert {p.name: p.stat().st_mtime_ns for p in stored.iterdir()} == before
