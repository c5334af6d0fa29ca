import re

import pytest

from cardflow.db import Database
from tests.e2e.helpers import wait_for_live_link

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
    wait_for_live_link(page)  # pokes until one comes back: pokes sent before the stream opened are lost
    first = int(re.search(r"Poke #(\d+)", page.locator("#toasts .toast", has_text="Poke #").last.inner_text())[1])
    page.locator("#poke").click()
    # The next poke, numbered by the server, arrives over the open stream.
    page.locator("#toasts .toast", has_text=f"Poke #{first + 1}:").wait_for()


def test_theme_toggle_persists(page):
    page.goto("/")
    assert page.locator("html").get_attribute("data-theme") == "light"
    with page.expect_response("**/theme"):
        page.locator("#theme-toggle").click()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    page.reload()
    assert page.locator("html").get_attribute("data-theme") == "dark"
