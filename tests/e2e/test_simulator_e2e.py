import pytest

pytestmark = pytest.mark.e2e


def progress_value(page, job_id):
    return float(page.locator(f"#job-{job_id} progress").get_attribute("value") or 0)


def test_reload_mid_run_reconnects_and_cancel_shows_cancelled(page):
    page.goto("/stream_simulator")
    page.fill("#sim-duration", "5")
    page.fill("#sim-updates", "25")
    page.locator("#sim-start").click()
    page.locator("#job-1").wait_for()
    # Mid-run: a fifth of the way is reached after about a second of the five.
    page.wait_for_function("() => Number(document.querySelector('#job-1 progress').value) >= 20")
    before = progress_value(page, 1)
    assert 20 <= before <= 80, before
    page.reload()
    after_reload = progress_value(page, 1)
    assert after_reload >= before  # the page shows where the job is, not a fresh bar
    page.wait_for_function(f"() => Number(document.querySelector('#job-1 progress').value) > {after_reload}")
    page.locator("#job-1 .job-status", has_text="done").wait_for(timeout=8000)
    assert progress_value(page, 1) == 100

    page.fill("#sim-duration", "20")
    page.locator("#sim-start").click()
    page.locator("#job-2").wait_for()
    page.wait_for_function("() => Number(document.querySelector('#job-2 progress').value) > 0")  # running
    page.get_by_role("button", name="Cancel job 2").click()
    page.locator("#job-2 .job-status", has_text="cancelled").wait_for()
    page.reload()
    assert page.locator("#job-2 .job-status").inner_text() == "cancelled"
