import pytest

pytestmark = pytest.mark.e2e


def start(page, key):
    page.goto("/hello")
    page.fill("#hello-key-input", key)
    page.get_by_role("button", name="Start or resume").click()
    page.locator("#field-name").wait_for()


def test_hello_to_the_end_then_resume_locked(page):
    start(page, "e2e-run")
    assert "key=e2e-run" in page.url  # the key is in the URL
    page.fill("#field-name", "Ada")
    page.get_by_role("button", name="Save and continue").click()
    greeting = page.locator("#field-greeting")
    greeting.wait_for()
    assert greeting.input_value() == "Hello, Ada!"
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Finalize", exact=True).click()
    page.get_by_role("button", name="🔓 Unlock").wait_for()
    page.reload()
    page.get_by_role("button", name="🔓 Unlock").wait_for()
    assert "Ada" in page.locator("#hello-name").inner_text()
    assert "Hello, Ada!" in page.locator("#hello-greeting").inner_text()
    assert page.locator("#hello-chain form").count() == 0  # every step locked
    assert page.get_by_role("button", name="Revert Your name").count() == 0
    # The chat panel got a note per step.
    assert "Your name: Ada" in page.locator("#chat-messages").inner_text()

    page.get_by_role("button", name="🔓 Unlock").click()
    page.get_by_role("button", name="Revert Your name").click()
    page.locator("#field-name").wait_for()
    assert page.locator("#hello-greeting").count() == 0  # the later step is cleared
    page.reload()
    page.locator("#field-name").wait_for()
    assert page.locator("#hello-greeting").count() == 0


def test_empty_required_field_shows_its_message(page, live_server):
    start(page, "e2e-empty")
    page.evaluate("document.querySelector('#field-name').removeAttribute('required')")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("This field is required.").wait_for()
    assert page.locator("#field-name").get_attribute("aria-invalid") == "true"
    with live_server.client() as c:
        assert "e2e-empty" in c.get("/hello").text  # the key exists, with no step saved
        assert "name" not in c.get("/hello/export?key=e2e-empty").json()["state"]


def test_two_tabs_on_two_keys_stay_independent(page):
    start(page, "tab-one")
    other = page.context.new_page()
    other.goto("/hello")
    other.fill("#hello-key-input", "tab-two")
    other.get_by_role("button", name="Start or resume").click()
    other.locator("#field-name").wait_for()
    page.fill("#field-name", "One")
    other.fill("#field-name", "Two")
    page.get_by_role("button", name="Save and continue").click()
    other.get_by_role("button", name="Save and continue").click()
    page.locator("#field-greeting").wait_for()
    other.locator("#field-greeting").wait_for()
    assert page.locator("#field-greeting").input_value() == "Hello, One!"
    assert other.locator("#field-greeting").input_value() == "Hello, Two!"
    page.reload()
    assert page.locator("#field-greeting").input_value() == "Hello, One!"


def test_focus_moves_to_the_next_steps_input_after_a_submit(page):
    start(page, "e2e-focus")
    page.fill("#field-name", "Ada")
    page.locator("#field-name").press("Enter")
    page.locator("#field-greeting").wait_for()
    # Keyboard users carry on typing in the next step without hunting for it.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'field-greeting'")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Finalize", exact=True).wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.textContent.trim() === 'Finalize'")
