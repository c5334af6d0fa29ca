"""Every page, in both themes and at phone width: axe-core finds nothing serious, nothing scrolls sideways.

The pages come from the plugin registry, so a new app is checked without touching this file. axe-core
is vendored for the tests only (tests/vendor/axe.min.js, refreshed by scripts/vendor.sh).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cardflow.app import build_app
from cardflow.config import Settings
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

AXE = ROOT / "tests" / "vendor" / "axe.min.js"
SHOTS = ROOT / "test-output" / "screens"  # ignored by git: for a person to look at, never committed
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING = ("serious", "critical")


def app_pages(settings: Settings) -> list[str]:
    """Every app in the menu, plus the help page and a 404."""
    ctx = build_app(settings).state.ctx
    return [p.path for p in ctx.registry.menu()] + ["/help", "/nope"]


def slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "root"


def settle(page) -> None:
    """Wait until htmx has nothing in flight (lazy step cards load after the page)."""
    page.wait_for_load_state("load")
    page.wait_for_function("!document.querySelector('.htmx-request, [aria-busy=true].step-placeholder')")


def use_theme(page, theme: str) -> None:
    """Choose the theme as a user does (the toggle); the server then draws every page in it."""
    page.goto("/help")
    if page.locator("html").get_attribute("data-theme") != theme:
        with page.expect_response("**/theme"):
            page.locator("#theme-toggle").click()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return list(result)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_any_page(page, settings, theme):
    page.set_viewport_size(DESKTOP)
    use_theme(page, theme)
    found: dict[str, list[dict]] = {}
    for path in app_pages(settings):
        page.goto(path)
        settle(page)
        assert page.locator("html").get_attribute("data-theme") == theme, path  # the 404 too
        shoot(page, f"desktop-{theme}-{slug(path)}")
        bad = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
        if bad:
            found[path] = bad
    assert not found, "axe found serious or critical problems:\n" + "\n".join(
        f"{path}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for path, vs in found.items() for v in vs)


def test_phone_width_has_no_sideways_scroll_and_the_menu_navigates(page, settings):
    page.set_viewport_size(PHONE)
    wide: dict[str, int] = {}
    paths = app_pages(settings)
    for path in paths:
        page.goto(path)
        settle(page)
        shoot(page, f"phone-{slug(path)}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE["width"]:
            wide[path] = width
    assert not wide, f"pages wider than {PHONE['width']} px: {wide}"

    # One button opens the whole nav; its links work, and Escape closes it again.
    page.goto("/tasks")
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    assert not page.locator("#help-link").is_visible()
    toggle.click()
    page.locator("#help-link").wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    shoot(page, "phone-menu-open")
    page.keyboard.press("Escape")
    page.locator("#help-link").wait_for(state="hidden")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.locator("#app-menu summary").click()
    page.locator("#app-menu").get_by_role("link", name="Hello").click()
    page.wait_for_url("**/hello")
    assert page.locator("#current-app").inner_text() != "Tasks"


def test_escape_closes_the_dropdown_menus(page):
    page.goto("/tasks")
    for menu in ("#app-menu", "#profile-menu"):
        page.locator(f"{menu} summary").click()
        page.wait_for_function("m => document.querySelector(m).open", arg=menu)
        page.keyboard.press("Escape")
        page.wait_for_function("m => !document.querySelector(m).open", arg=menu)
        # Focus goes back to the menu's own button, so the keyboard user is where they were.
        assert page.evaluate("m => document.activeElement === document.querySelector(m + ' summary')", menu)


def test_screenshots_dir_is_ignored_by_git() -> None:
    assert "/test-output/" in (ROOT / ".gitignore").read_text().splitlines()
    assert Path(SHOTS).is_relative_to(ROOT / "test-output")
