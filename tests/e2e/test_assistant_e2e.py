"""A trustworthy assistant, in the browser: receipts the model cannot forge, Undo and Confirm,
replies that survive leaving the page, and what the model saw."""

import json

import pytest

from tests.conftest import LiveServer
from tests.e2e.test_a11y_e2e import BLOCKING, axe_violations, use_theme

pytestmark = pytest.mark.e2e

ADD = '{"action": "tasks.add", "params": {"name": "call Bob"}}'
DELETE = '{"action": "tasks.delete", "params": {"item": "call Bob"}}'


@pytest.fixture
def chat(browser, data_dir, request):
    replies, delay = request.param
    server = LiveServer(data_dir, env={"CARDFLOW_SCRIPTED_REPLIES": json.dumps(replies),
                                       "CARDFLOW_SCRIPTED_DELAY": str(delay)})
    server.start()
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    server.stop()
    assert not dialogs and not errors, (dialogs, errors)


def ready(page, path):
    page.goto(path)
    page.wait_for_function("() => document.querySelector('#chat')?.getAttribute('ws-connect')")
    page.wait_for_function("() => !document.querySelector('#chat-input').disabled")


def send(page, text):
    page.wait_for_function("() => !document.querySelector('#chat-input').disabled")
    page.locator("#chat-input").fill(text)
    page.locator("#chat-input").press("Enter")
    page.locator(".msg-user", has_text=text).last.wait_for()


def idle(page):
    page.wait_for_function("() => !document.querySelector('#chat-input').disabled")


@pytest.mark.parametrize("chat", [(["✓ Added “right now” to the app."], 0.02)], indirect=True)
def test_a_forged_receipt_is_plain_model_text(chat):
    page = chat
    ready(page, "/poetflow")
    send(page, "which app am I in right now?")
    page.locator(".msg-assistant", has_text="Added “right now” to the app.").wait_for()
    idle(page)
    assert page.locator(".msg-receipt").count() == 0
    page.reload()
    page.locator(".msg-assistant", has_text="Added “right now” to the app.").wait_for()
    assert page.locator(".msg-receipt").count() == 0
    page.goto("/activity")
    page.get_by_text("Nothing has changed yet in this profile.").wait_for()  # the database is unchanged


@pytest.mark.parametrize("chat", [(["one two three", "answer A", "answer B", "answer C"], 0.3)], indirect=True)
def test_leaving_before_the_first_word_keeps_the_reply_and_the_chat_working(chat):
    page = chat
    ready(page, "/poetflow")
    send(page, "which app am I in right now?")
    assert page.locator(".msg-assistant .msg-body", has_text="one").count() == 0  # no word yet
    ready(page, "/tasks")  # the reply goes on without the page that asked
    page.locator(".msg-assistant", has_text="one two three").wait_for()
    assert page.locator(".msg-assistant", has_text="stopped").count() == 0
    for text, answer in (("first", "answer A"), ("second", "answer B"), ("third", "answer C")):
        send(page, text)
        page.locator(".msg-assistant", has_text=answer).wait_for()
        idle(page)
    assert page.locator(".msg-note", has_text="empty reply").count() == 0
    page.reload()
    assert page.locator(".msg-assistant").count() == 4


@pytest.mark.parametrize("chat", [([f"Adding it.\n{ADD}"], 0.02)], indirect=True)
def test_undo_from_the_receipt_and_from_the_activity_page(chat):
    page = chat
    ready(page, "/tasks")
    send(page, "add a task to call Bob")
    receipt = page.locator(".msg-receipt")
    receipt.get_by_text("Added task “call Bob”.").wait_for()
    page.locator("#tasks-list .item-name", has_text="call Bob").wait_for()
    assert "✓" not in page.locator(".msg-assistant").last.inner_text()  # the model's text carries no receipt
    receipt.get_by_role("button", name="Undo").click()
    receipt.locator(".receipt-item.is-undone").wait_for()
    page.locator("#tasks-list .item-name", has_text="call Bob").wait_for(state="detached")
    receipt.get_by_role("button", name="Undo the undo").click()  # an undo can itself be undone
    receipt.locator(".receipt-item.is-done").wait_for()
    page.locator("#tasks-list .item-name", has_text="call Bob").wait_for()

    receipt.get_by_role("link", name="Activity").click()
    page.wait_for_url("**/activity")
    page.locator(".activity-entry").first.get_by_role("button").click()  # the newest: the redo
    page.locator(".activity-entry", has_text="undone by").first.wait_for()
    page.goto("/tasks")
    page.locator("#tasks-list").wait_for(state="attached")
    assert page.locator("#tasks-list .item-name", has_text="call Bob").count() == 0


def add_bob_then_ask_to_delete(page):
    """The task "call Bob" added from the chat, then its delete proposed; the waiting proposal."""
    ready(page, "/tasks")
    send(page, "add a task to call Bob")
    page.locator("#tasks-list .item-name", has_text="call Bob").wait_for()
    idle(page)
    send(page, "delete the call Bob task")
    proposal = page.locator(".receipt-proposal.receipt-proposed")
    proposal.get_by_role("button", name="Cancel").wait_for()
    return proposal


@pytest.mark.parametrize("chat", [([ADD, DELETE, "Done, I deleted it."], 0.02)], indirect=True)
def test_typing_yes_under_a_delete_does_not_delete_and_the_app_says_so(chat):
    page = chat
    proposal = add_bob_then_ask_to_delete(page)
    idle(page)
    send(page, "yes")
    page.locator(".msg-assistant", has_text="Done, I deleted it.").wait_for()  # the model's claim
    line = page.locator(".msg-system", has_text="typing does not confirm it")
    line.wait_for()
    assert "Press Confirm on it to make it, or Cancel." in line.inner_text()
    assert page.locator("#tasks-list .item-name", has_text="call Bob").count() == 1
    proposal.get_by_role("button", name="Confirm").click()  # the click does it
    page.locator("#tasks-list .item-name", has_text="call Bob").wait_for(state="detached")


@pytest.mark.parametrize("chat", [([ADD, DELETE, DELETE], 0.02)], indirect=True)
def test_a_delete_waits_for_a_click(chat):
    page = chat
    proposal = add_bob_then_ask_to_delete(page)
    assert "Delete task “call Bob”" in proposal.inner_text()  # what it would do, in words
    assert page.locator("#tasks-list .item-name", has_text="call Bob").count() == 1
    proposal.get_by_role("button", name="Cancel").click()
    page.locator(".receipt-proposal.receipt-cancelled").wait_for()
    page.reload()
    assert page.locator("#tasks-list .item-name", has_text="call Bob").count() == 1
    idle(page)
    send(page, "delete the call Bob task")
    proposal = page.locator(".receipt-proposal.receipt-proposed")
    proposal.get_by_role("button", name="Confirm").click()
    page.locator(".msg-receipt.receipt-done .is-done", has_text="Deleted task “call Bob”.").wait_for()
    page.locator("#tasks-list .item-name", has_text="call Bob").wait_for(state="detached")
    page.reload()  # receipts, a cancelled proposal and the disclosures: nothing serious for axe, in both themes
    page.locator(".receipt-proposal.receipt-cancelled").wait_for()
    for theme in ("light", "dark"):
        use_theme(page, theme)
        page.goto("/tasks")
        page.locator(".receipt-proposal.receipt-cancelled").wait_for()
        if not page.locator("link[href*='chat.css']").count():  # until the layout links it
            page.add_style_tag(url="/static/chat.css")
        bad = [(v["id"], v["nodes"]) for v in axe_violations(page) if v["impact"] in BLOCKING]
        assert not bad, (theme, bad)


@pytest.mark.parametrize("chat", [(["Hello from the model."], 0.02)], indirect=True)
def test_the_inspector_shows_what_the_model_saw(chat):
    page = chat
    ready(page, "/tasks")
    send(page, "hi")
    page.locator(".msg-assistant", has_text="Hello from the model.").wait_for()
    idle(page)
    disclosure = page.locator(".msg-assistant .msg-meta").last
    disclosure.locator("summary").click()
    disclosure.get_by_text("You are the assistant inside Cardflow", exact=False).wait_for()
    disclosure.get_by_text("Time to first token").wait_for()
    disclosure.get_by_text("scripted").first.wait_for()
