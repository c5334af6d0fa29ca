"""Batch runs in the browser: the Hello acceptance (20 rows, 2 refused names), the live grid, the export."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import LiveServer
from tests.e2e.helpers import wait_for_live_link

pytestmark = pytest.mark.e2e

INVALID = {4, 13}  # these rows' names are over Hello's 100 characters


def hello_csv() -> str:
    lines = ["key,name"]
    for i in range(20):
        lines.append(f"person-{i:02d},{'N' * 120 if i in INVALID else f'Person {i}'}")
    return "\n".join(lines) + "\n"


def test_hello_batch_of_20_with_two_invalid_names(page, live_server, tmp_path):
    page.goto("/hello")
    page.locator("#batch-link").click()
    page.wait_for_url("**/hello/batch")
    path = tmp_path / "people.csv"
    path.write_text(hello_csv(), encoding="utf-8")
    page.set_input_files("#batch-file", str(path))
    page.locator("#batch-run").click()
    page.wait_for_url("**/hello/batch?id=1")
    grid = page.locator("#batch-1-grid")
    grid.and_(page.locator("[data-status='done']")).wait_for()
    assert "18 done" in page.locator("#batch-1-counts").inner_text()
    assert "2 stopped" in page.locator("#batch-1-counts").inner_text()
    done = page.locator("#batch-1-grid tbody tr[data-status='done']")
    stopped = page.locator("#batch-1-grid tbody tr[data-status='stopped']")
    assert done.count() == 18 and stopped.count() == 2
    for i in INVALID:
        row = page.locator(f"tr[data-key='person-{i:02d}']")
        name_cell = row.locator("td[data-step='name']")
        assert "stopped" in name_cell.inner_text()
        assert "Keep it under 100 characters (this is 120)." in name_cell.inner_text()
    assert "Hello, Person 0!" in page.locator("tr[data-key='person-00'] td[data-step='greeting']").inner_text()

    with page.expect_download() as info:
        page.locator("#batch-export").click()
    exported = list(csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8"))))
    with live_server.client() as c:
        for line in exported:
            state = c.get("/hello/export", params={"key": line["key"]}).json()["state"]
            assert line["name"] == state.get("name", {}).get("name", "")
            assert line["greeting"] == state.get("greeting", {}).get("greeting", "")
            assert (line["status"] == "done") == bool(state.get("finalize", {}).get("finalized"))
    assert sorted(line["key"] for line in exported if line["status"] == "stopped") == ["person-04", "person-13"]

    # A stopped row is finished in the normal page: its key links there.
    page.locator("tr[data-key='person-04'] a").click()
    page.wait_for_url("**/hello?key=person-04")
    page.locator("#field-name").wait_for()
    assert not page.js_errors


def test_the_grid_updates_live_while_job_rows_run(browser, data_dir):
    server = LiveServer(data_dir, env={"CARDFLOW_SCRIPTED_DELAY": "0.15", "CARDFLOW_BATCH_CONCURRENCY": "2",
                                       "CARDFLOW_SCRIPTED_REPLIES": '["a short poem of eight words in rain"]'})
    server.start()
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto("/poetflow/batch")
        page.fill("#batch-text", "key,topic\n" + "\n".join(f"p{i},rain {i}" for i in range(4)))
        page.locator("#batch-run").click()
        page.wait_for_url("**/poetflow/batch?id=1")
        wait_for_live_link(page)
        page.evaluate("""() => { window.batchEvents = [];
            document.body.addEventListener('htmx:sseMessage', e => window.batchEvents.push(e.detail.type)); }""")
        page.locator("#batch-1-grid[data-status='done']").wait_for()
        assert page.locator("#batch-1-grid tbody tr[data-status='done']").count() == 4
        events = page.evaluate("window.batchEvents")
        assert "batch-1" in events  # rows arrived over SSE, not only by reloading the grid
        assert "a short poem of eight words in rain" in page.locator(
            "tr[data-key='p0'] td[data-step='poem']").inner_text()
        assert not page.locator("#batch-cancel").count()  # nothing left to cancel
    finally:
        context.close()
        server.stop()
