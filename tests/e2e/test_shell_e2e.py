import pytest

from cardflow.db import Database

pytestmark = pytest.mark.e2e


def test_home_switch_profile_and_app_then_reload_keeps_choices(page, live_server):
    Database(live_server.data_dir / "cardflow.db").profiles.insert(name="Acme Corp", active=True, priority=1)
    page.goto("/")
    assert page.locator("#current-app").inner_text() == "Home"
    assert page.locator("#app-list a").count() >= 2
    page.locator("#profile-menu summary").click()
    page.get_by_role("button", name="Acme Corp").click()
    page.wait_for_load_state()
    assert page.locator("#current-profile").inner_text() == "Acme Corp"
    page.locator("#app-menu summary").click()
    page.locator("#app-menu a", has_text="Hello workflow").click()
    page.wait_for_url("**/hello")
    assert page.locator("#current-app").inner_text() == "Hello workflow"
    page.reload()
    assert page.locator("#current-profile").inner_text() == "Acme Corp"
    page.goto("/")  # the root lands on the last app chosen
    assert page.locator("#current-app").inner_text() == "Hello workflow"
    assert not page.js_errors


def test_poke_shows_a_message_pushed_over_sse(page):
    page.goto("/")
    page.wait_for_function("() => document.body.getAttribute('sse-connect') && window.htmx")
    page.wait_for_timeout(300)  # let the EventSource open
    page.locator("#poke").click()
    toast = page.locator("#toasts .toast")
    toast.first.wait_for()
    assert "Poke #1" in toast.first.inner_text()


def test_theme_toggle_persists(page):
    page.goto("/")
    assert page.locator("html").get_attribute("data-theme") == "light"
    with page.expect_response("**/theme"):
        page.locator("#theme-toggle").click()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"
