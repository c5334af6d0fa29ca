import pytest

from cardflow.db import Database
from tests.e2e.helpers import sse_barrier, wait_for_live_link

pytestmark = pytest.mark.e2e


def add(page, name):
    box = page.locator("#tasks-add")
    box.fill(name)
    box.press("Enter")
    page.locator("#tasks-list .item-name", has_text=name).wait_for()
    # The answer swaps in a new form, which htmx wires up only when it settles (it keeps the class
    # htmx-added until then): an Enter pressed before that would submit the bare form natively.
    page.locator("#tasks-add-form:not(.htmx-added) #tasks-add").wait_for()


def names(page):
    return page.locator("#tasks-list .item-name").all_inner_texts()


def test_add_drag_toggle_edit_delete_then_reload(page):
    page.goto("/tasks")
    for n in ("first", "second", "third"):
        add(page, n)
    assert names(page) == ["first", "second", "third"]
    handle = page.locator("#tasks-list li", has_text="third").locator(".drag-handle")
    target = page.locator("#tasks-list li", has_text="first")
    with page.expect_response("**/tasks/sort"):
        handle.drag_to(target, target_position={"x": 20, "y": 2})
    assert names(page) == ["third", "first", "second"]

    row = page.locator("#tasks-list li", has_text="first")
    with page.expect_response("**/toggle"):
        row.get_by_role("checkbox").check()
    page.locator("#tasks-list li.done", has_text="first").wait_for()
    assert page.locator("#tasks-counts").inner_text() == "2 open · 1 done"

    page.locator("#tasks-list li", has_text="second").get_by_role("button", name="Edit task").click()
    edit = page.locator("#tasks-list li.editing input[name=name]")
    edit.fill("second, renamed")
    edit.press("Enter")
    page.locator("#tasks-list .item-name", has_text="second, renamed").wait_for()

    page.locator("#tasks-list li", has_text="third").get_by_role("button", name="Edit task").click()
    page.locator("#tasks-list li.editing input[name=name]").press("Escape")
    page.locator("#tasks-list li.editing").wait_for(state="detached")

    with page.expect_response("**/delete"):
        page.locator("#tasks-list li", has_text="third").get_by_role("button", name="Delete task").click()
    page.locator("#tasks-list li", has_text="third").wait_for(state="detached")
    assert page.confirms == ["Delete this task?"]

    page.reload()
    assert names(page) == ["first", "second, renamed"]
    assert page.locator("#tasks-list li", has_text="first").get_by_role("checkbox").is_checked()
    assert not page.locator("#tasks-list li", has_text="renamed").get_by_role("checkbox").is_checked()


def test_switch_profile_shows_only_its_tasks(page, live_server):
    Database(live_server.data_dir / "cardflow.db").profiles.insert(name="Second", active=True, priority=1)
    page.goto("/tasks")
    add(page, "default profile task")
    page.locator("#profile-menu summary").click()
    page.get_by_role("button", name="Second").click()
    page.wait_for_load_state()
    assert page.locator("#current-profile").inner_text() == "Second"
    assert names(page) == []
    assert page.locator(".empty-state").is_visible()
    add(page, "second profile task")
    assert names(page) == ["second profile task"]


def test_second_page_sees_changes_live(page):
    page.goto("/tasks")
    other = page.context.new_page()
    other.goto("/tasks")
    wait_for_live_link(page)
    wait_for_live_link(other)
    add(page, "seen elsewhere")
    other.locator("#tasks-list .item-name", has_text="seen elsewhere").wait_for(timeout=5000)
    assert names(page) == ["seen elsewhere"]  # not duplicated on the page that made it
    sse_barrier(page)  # the broadcast of that insert has reached this page too, and was not added twice
    assert names(page) == ["seen elsewhere"]
    with page.expect_response("**/toggle"):
        page.locator("#tasks-list li").first.get_by_role("checkbox").check()
    other.locator("#tasks-list li.done").wait_for(timeout=5000)
    assert other.locator("#tasks-counts").inner_text() == "0 open · 1 done"


def test_xss_task_name_stays_text(page):
    page.goto("/tasks")
    add(page, "<img src=x onerror=alert(1)>")
    add(page, "<script>alert(2)</script>")
    page.reload()
    assert "<img src=x onerror=alert(1)>" in names(page)
    assert page.locator("#tasks-list img").count() == 0
    # An onerror handler runs once its image fails to load: wait until every image on the page
    # has settled (none is still loading) before concluding that no handler ran.
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    page.wait_for_load_state("load")
    assert page.dialogs == []


def test_focus_returns_to_the_row_after_an_inline_edit(page):
    page.goto("/tasks")
    add(page, "focus me")
    row = page.locator("#tasks-list li", has_text="focus me")
    for finish in ("Escape", "Enter"):
        row.get_by_role("button", name="Edit task").click()
        edit = page.locator("#tasks-list li.editing input[name=name]")
        edit.press(finish)
        page.locator("#tasks-list li.editing").wait_for(state="detached")
        # Focus lands back on the row (its Edit button), not on the page's start.
        page.wait_for_function("() => { const li = document.activeElement && document.activeElement.closest('li');"
                               " return !!li && li.textContent.includes('focus me'); }")


def test_a_task_sent_the_moment_the_form_comes_back_is_added_not_lost(page):
    # htmx wires up swapped-in content when it settles. With a settle delay, an add form just put
    # back was for a moment a bare form, and Enter then did a native GET of the page: the task lost.
    page.goto("/tasks")
    add(page, "first")
    page.evaluate("""() => {
        const parent = document.querySelector('#tasks-add-form').parentNode;
        const watch = new MutationObserver(() => {
            const form = document.querySelector('#tasks-add-form');
            if (!form || form.querySelector('#tasks-add').value) return;
            watch.disconnect();
            form.querySelector('#tasks-add').value = 'sent at once';
            form.requestSubmit();
        });
        watch.observe(parent, {childList: true});
    }""")
    box = page.locator("#tasks-add")
    box.fill("second")
    box.press("Enter")
    page.locator("#tasks-list .item-name", has_text="sent at once").wait_for()
    assert names(page) == ["first", "second", "sent at once"]
    assert "name=" not in page.url and page.dialogs == [] and page.js_errors == []


def test_clear_done_asks_then_removes_the_done_rows_everywhere_and_activity_brings_them_back(page):
    page.goto("/tasks")
    other = page.context.new_page()
    other.goto("/tasks")
    wait_for_live_link(page)
    wait_for_live_link(other)
    for n in ("keep me", "done one", "done two"):
        add(page, n)
    clear = page.get_by_role("button", name="Clear done")
    assert not clear.is_visible()  # nothing done, nothing to clear
    for n in ("done one", "done two"):
        with page.expect_response("**/toggle"):
            page.locator("#tasks-list li", has_text=n).get_by_role("checkbox").check()
    with page.expect_response("**/tasks/clear"):
        clear.click()
    page.locator("#tasks-list li", has_text="done one").wait_for(state="detached")
    assert names(page) == ["keep me"] and page.locator("#tasks-counts").inner_text() == "1 open · 0 done"
    assert not clear.is_visible()
    assert page.confirms[-1] == "Delete every done task? Activity can bring them back."
    assert "Deleted 2 done tasks." in page.locator("#toasts").inner_text()
    other.locator("#tasks-list li", has_text="done two").wait_for(state="detached", timeout=5000)
    assert names(other) == ["keep me"]

    page.goto("/activity")
    page.locator(".activity-entry", has_text="Deleted 2 done tasks.").get_by_role("button", name="Undo").click()
    page.locator(".activity-entry", has_text="undone by").first.wait_for()
    page.goto("/tasks")
    assert names(page) == ["keep me", "done one", "done two"]
    assert page.locator("#tasks-list li.done").count() == 2 and page.js_errors == []
