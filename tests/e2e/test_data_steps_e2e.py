"""Data steps in Chromium: the CSV explorer from upload to summary (page, sort, chart drawn by
Chart.js, markdown shown), and an upload over the server's request limit answered in the card."""

from __future__ import annotations

import pytest

from cardflow.uploads import run_id
from tests.conftest import LiveServer
from tests.e2e.helpers import own_server, tab_on

pytestmark = pytest.mark.e2e
ROWS = 120
CSV = "city,country,population\n" + "".join(f"City {i:03d},C{i % 7},{1000 + i * 37 % 501}\n" for i in range(ROWS))
FIRST_CELLS = "sel => [...document.querySelectorAll(sel + ' tbody tr')].map(tr => tr.cells[0].textContent)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from own_server(tmp_path_factory, "data-e2e", env={"CARDFLOW_MAX_UPLOAD_MB": "1"})


@pytest.fixture
def tab(browser, server):
    yield from tab_on(browser, server, 15_000)


def start(tab, key):
    tab.goto("/csv_explorer")
    tab.fill("#csv_explorer-key-input", key)
    tab.get_by_role("button", name="Start or resume").click()
    tab.locator("#field-data").wait_for()


def test_csv_explorer_upload_page_sort_chart_summary(tab, tmp_path):
    path = tmp_path / "cities <b>.csv"
    path.write_text(CSV)
    start(tab, "e2e cities")
    tab.set_input_files("#field-data", str(path))
    tab.locator("#csv_explorer-data").get_by_role("button", name="Save and continue").click()
    tab.locator("#csv_explorer-data.locked").wait_for()
    assert f"{ROWS} rows · 3 columns" in tab.locator("#csv_explorer-data").inner_text()

    table = "#csv_explorer-preview .data-table"
    tab.locator(table).wait_for()
    assert tab.locator(f"{table} tbody tr").count() == 50
    assert "Rows 1–50 of 120 · page 1 of 3" in tab.locator("#csv_explorer-preview").inner_text()
    tab.locator("#csv_explorer-preview").get_by_role("button", name="Next →").click()
    tab.wait_for_function("document.querySelector('[data-table=preview]').dataset.page === '2'")
    assert tab.evaluate(FIRST_CELLS, table)[0] == "City 050"

    header = tab.locator(f"{table} thead").get_by_role("button", name="city")
    header.click()  # ascending, back to page 1
    tab.wait_for_function("document.querySelector('[data-table=preview]').dataset.sort === 'city'")
    tab.locator(f"{table} thead").get_by_role("button", name="city").click()  # again: descending
    tab.wait_for_function("document.querySelector('[aria-sort=descending]') !== null")
    assert tab.evaluate(FIRST_CELLS, table)[:2] == ["City 119", "City 118"]

    tab.locator("#csv_explorer-preview").get_by_role("button", name="Save and continue").click()
    tab.select_option("#field-chart-x", "country")
    tab.select_option("#field-chart-y", "population")
    tab.select_option("#field-chart-type", "bar")
    tab.locator("#csv_explorer-chart").get_by_role("button", name="Save and continue").click()
    tab.wait_for_function("document.querySelector('#csv_explorer-chart canvas')?.dataset.drawn === '1'")
    drawn = tab.evaluate("""() => { const c = window.Chart.getChart(document.querySelector('#csv_explorer-chart canvas'));
        return {type: c.config.type, labels: c.data.labels, total: c.data.datasets[0].data.reduce((a, b) => a + b, 0)}; }""")
    assert drawn["type"] == "bar" and drawn["labels"] == [f"C{i}" for i in range(7)]
    assert drawn["total"] == sum(1000 + i * 37 % 501 for i in range(ROWS))

    summary = tab.locator("#csv_explorer-summary .markdown-step")
    assert summary.locator("h2").inner_text() == "cities _b_.csv"  # the name made safe, shown as text
    assert "120 rows and 3 columns" in summary.inner_text()
    tab.locator("#csv_explorer-summary").get_by_role("button", name="Save and continue").click()
    tab.locator("#csv_explorer-finalize").wait_for()
    assert tab.locator("#csv_explorer-summary.locked h2").inner_text() == "cities _b_.csv"


def test_upload_over_the_request_limit_is_explained_in_the_card(tab, tmp_path, server: LiveServer):
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"12345,67890\n" * 200_000)  # 2.4 MB, over the 1 MB upload cap
    start(tab, "e2e big")
    tab.set_input_files("#field-data", str(big))
    tab.locator("#csv_explorer-data").get_by_role("button", name="Save and continue").click()
    error = tab.locator("#csv_explorer-data .field-error")
    error.filter(has_text="limit of 1 MB").wait_for()
    kept = [server.data_dir / "uploads" / ".incoming", server.data_dir / "uploads" / "csv_explorer" / run_id("e2e big")]
    assert not [p for d in kept for p in d.rglob("*") if p.is_file()]
    # The card is still there: a file within the limit goes through.
    small = tmp_path / "small.csv"
    small.write_text(CSV)
    tab.set_input_files("#field-data", str(small))
    tab.locator("#csv_explorer-data").get_by_role("button", name="Save and continue").click()
    tab.locator("#csv_explorer-preview .data-table").wait_for()
