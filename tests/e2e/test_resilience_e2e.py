"""The server goes away mid-session and comes back: the page says so, keeps what was typed, and recovers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

BANNER = "#offline-banner"


def live_links_open(page) -> None:
    """Both live links are up: the SSE source (every page) and the chat's WebSocket."""
    page.wait_for_function("""() => {
        const body = htmx.find('body'), chat = htmx.find('#chat');
        const sse = body && body['htmx-internal-data'] && body['htmx-internal-data'].sseEventSource;
        const ws = chat && chat['htmx-internal-data'] && chat['htmx-internal-data'].webSocket;
        return sse && sse.readyState === EventSource.OPEN && ws && ws.socket && ws.socket.readyState === WebSocket.OPEN;
    }""")


def test_banner_while_the_server_is_down_then_the_page_recovers(page, live_server):
    page.goto("/tasks")
    live_links_open(page)
    assert page.locator(BANNER).is_hidden()

    live_server.stop()
    # The live link drops: the banner comes without the user doing anything.
    page.locator(BANNER).wait_for(state="visible", timeout=5000)
    assert "Cardflow is not answering — retrying" in page.locator(BANNER).inner_text()

    # A request made now fails, and what was typed stays in the box.
    box = page.locator("#tasks-add")
    box.fill("typed while offline")
    page.evaluate("document.addEventListener('htmx:sendError', () => { window.sendFailed = true; })")
    box.press("Enter")
    page.wait_for_function("window.sendFailed === true")
    assert box.input_value() == "typed while offline"
    assert page.locator(BANNER).is_visible()

    live_server.start()
    page.locator(BANNER).wait_for(state="hidden", timeout=10_000)
    live_links_open(page)

    # The next action works, and the live link pushes again (Poke answers over SSE).
    box.press("Enter")
    page.locator("#tasks-list .item-name", has_text="typed while offline").wait_for()
    page.locator("#poke").click()
    page.locator("#toasts .toast", has_text="Poke #").wait_for()
    assert not page.js_errors


def test_chat_message_sent_while_down_is_not_lost(page, live_server):
    page.goto("/tasks")
    live_links_open(page)
    live_server.stop()
    page.locator(BANNER).wait_for(state="visible", timeout=5000)
    live_server.start()
    page.locator(BANNER).wait_for(state="hidden", timeout=10_000)
    live_links_open(page)  # the chat's WebSocket came back by itself
    page.fill("#chat-input", "hello after the restart")
    page.locator("#chat-send").click()
    page.locator("#chat-messages .msg-user", has_text="hello after the restart").wait_for()


def test_toasts_close_by_themselves_and_leave_send_uncovered(page):
    page.goto("/tasks")
    live_links_open(page)
    page.locator("#poke").click()
    toast = page.locator("#toasts .toast").first
    toast.wait_for()
    box, send = toast.bounding_box(), page.locator("#chat-send").bounding_box()
    assert box and send
    overlap = not (box["x"] + box["width"] <= send["x"] or send["x"] + send["width"] <= box["x"]
                   or box["y"] + box["height"] <= send["y"] or send["y"] + send["height"] <= box["y"])
    assert not overlap, f"the toast {box} covers Send {send}"
    toast.wait_for(state="detached", timeout=6000)  # data-autoclose is 4000 ms
