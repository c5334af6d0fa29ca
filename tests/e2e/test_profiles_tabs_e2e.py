"""Two tabs, two profiles: a page acts in the profile it shows, whatever another tab did."""

from __future__ import annotations

from typing import Any

import pytest

from cardflow.db import Database
from tests.e2e.helpers import wait_for_live_link

pytestmark = pytest.mark.e2e


def test_a_write_goes_to_the_page_profile_after_another_tab_switched(page: Any, live_server: Any) -> None:
    db = Database(live_server.data_dir / "cardflow.db")
    db.profiles.update(id=1, name="Acme Corp")
    globex = db.profiles.insert(name="Globex", active=True, priority=1).id

    page.goto("/tasks")
    assert page.locator("#current-profile").inner_text() == "Acme Corp"
    wait_for_live_link(page)

    other = page.context.new_page()
    other.goto("/tasks")
    other.locator("#profile-menu summary").click()
    other.get_by_role("button", name="Globex").click()
    other.locator("#current-profile", has_text="Globex").wait_for()

    notice = page.locator("#profile-notice")
    notice.get_by_text("Another tab switched to “Globex”").wait_for()
    assert "changes made here go to “Acme Corp”" in notice.inner_text()

    page.fill("#tasks-add", "for Acme")
    page.get_by_role("button", name="Add").click()
    page.locator("#tasks-list .item-name", has_text="for Acme").wait_for()
    rows = db.query("SELECT name, profile_id FROM task")
    assert rows == [{"name": "for Acme", "profile_id": 1}]
    assert db.query("SELECT count(*) AS n FROM task WHERE profile_id = ?", (globex,))[0]["n"] == 0

    other.fill("#tasks-add", "for Globex")
    other.get_by_role("button", name="Add").click()
    other.locator("#tasks-list .item-name", has_text="for Globex").wait_for()
    assert {r["name"]: r["profile_id"] for r in db.query("SELECT name, profile_id FROM task")} == {
        "for Acme": 1, "for Globex": globex}
    page.reload()  # a fresh load takes the last choice, as before
    assert page.locator("#current-profile").inner_text() == "Globex"
