"""Fork a finished run from its first step, change the fork, and compare the two in the browser."""

import pytest

from tests.e2e.test_a11y_e2e import BLOCKING, PHONE, axe_violations, settle

pytestmark = pytest.mark.e2e


def test_fork_from_here_then_compare_the_two_runs(page):
    page.goto("/hello")
    page.fill("#hello-key-input", "ada-run")
    page.get_by_role("button", name="Start or resume").click()
    page.fill("#field-name", "Ada")
    page.get_by_role("button", name="Save and continue").click()
    page.locator("#field-greeting").wait_for()
    page.fill("#field-greeting", "Hello, Ada!")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Finalize", exact=True).wait_for()

    settle(page)
    assert not [v for v in axe_violations(page) if v["impact"] in BLOCKING]  # the locked cards' buttons
    page.get_by_role("button", name="Fork from here: Your name").click()
    page.wait_for_url("**/hello?key=ada-run-fork-1")
    greeting = page.locator("#field-greeting")
    greeting.wait_for()  # the fork opens at its next step, with step 1 copied
    assert "Ada" in page.locator("#hello-name").inner_text()
    assert greeting.input_value() == "Hello, Ada!"
    greeting.fill("Good morning, <em>Ada</em>")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Finalize", exact=True).wait_for()

    page.get_by_role("link", name="Compare two runs").click()
    page.wait_for_url("**/hello/compare?a=ada-run-fork-1&b=ada-run")
    table = page.locator(".compare-table")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    same, differs = rows.nth(0), rows.nth(1)
    assert same.get_attribute("class") is None and "same" in same.inner_text()
    assert differs.get_attribute("class") == "differs" and "differs" in differs.inner_text()
    cells = differs.locator("td")
    assert cells.nth(0).inner_text() == "Good morning, <em>Ada</em>"  # escaped: shown as typed
    assert cells.nth(1).inner_text() == "Hello, Ada!"
    assert page.locator(".compare-table em").count() == 0
    assert page.get_by_text("1 step differs: marked below.").is_visible()
    assert not [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    # The pickers compare any two runs; an unknown key is said at the pickers.
    page.fill("#hello-compare-b", "no-such-run")
    page.get_by_role("button", name="Compare").click()
    page.get_by_text("no saved run with the key “no-such-run”").wait_for()
    assert page.locator("#hello-compare-b").get_attribute("aria-invalid") == "true"
    assert not page.js_errors
