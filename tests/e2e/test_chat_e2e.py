import json

import pytest

from tests.conftest import LiveServer
from tests.needs_model import require_model

pytestmark = pytest.mark.e2e


@pytest.fixture
def chat_page(browser, data_dir, request):
    replies = request.param
    server = LiveServer(data_dir, env={"CARDFLOW_SCRIPTED_REPLIES": json.dumps(replies),
                                       "CARDFLOW_SCRIPTED_DELAY": "0.05"})
    server.start()
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()
    server.stop()
    assert not dialogs, dialogs


def send(page, text):
    page.locator("#chat-input").fill(text)
    page.locator("#chat-input").press("Enter")


LONG = " ".join(f"word{i}" for i in range(200))


@pytest.mark.parametrize("chat_page", [["Hello **there**, I stream word by word.", LONG]], indirect=True)
def test_reply_streams_in_and_stop_works(chat_page):
    page = chat_page
    page.goto("/")
    page.wait_for_function("() => document.querySelector('#chat')?.getAttribute('ws-connect')")
    page.wait_for_timeout(300)
    send(page, "hi")
    page.locator(".msg-user", has_text="hi").wait_for()
    assert page.locator("#chat-input").is_disabled()  # disabled while the reply streams
    page.wait_for_function("() => { const b = document.querySelectorAll('.msg-assistant .msg-body');"
                           " const t = b[b.length-1]?.textContent || ''; return t.length > 0 && !t.includes('word by word'); }")
    page.locator(".msg-assistant strong", has_text="there").wait_for()  # markdown rendered server-side
    page.locator(".msg-assistant", has_text="word by word").wait_for()
    page.wait_for_function("() => !document.querySelector('#chat-input').disabled")

    send(page, "tell me more")
    page.locator(".msg-assistant", has_text="word5").wait_for()
    page.locator("#chat-stop-btn").click()
    page.locator(".msg-assistant", has_text="(stopped)").wait_for()
    text = page.locator(".msg-assistant").last.inner_text()
    assert "word199" not in text
    page.wait_for_function("() => !document.querySelector('#chat-input').disabled")
    page.reload()  # history is persisted, the stopped reply included
    assert page.locator(".msg-assistant").count() == 2
    assert "(stopped)" in page.locator(".msg-assistant").last.inner_text()


@pytest.mark.parametrize("chat_page", [["ok"]], indirect=True)
def test_switching_app_adds_a_system_note(chat_page):
    page = chat_page
    page.goto("/home")
    page.locator("#app-menu summary").click()
    page.locator("#app-menu a", has_text="Tasks").click()
    page.wait_for_url("**/tasks")
    page.locator(".msg-system", has_text="Switched to the Tasks app").wait_for()


@pytest.mark.parametrize("chat_page", [['Sure, adding it.\n{"action": "tasks.add", "params": {"name": "call Bob"}}']],
                         indirect=True)
def test_scripted_command_adds_a_task_live(chat_page):
    page = chat_page
    page.goto("/tasks")
    page.wait_for_timeout(400)
    send(page, "add a task to call Bob")
    page.locator("#tasks-list .item-name", has_text="call Bob").wait_for()  # no reload
    page.locator(".msg-receipt", has_text="Added task “call Bob”.").wait_for()  # drawn by the app
    assert "✓" not in page.locator(".msg-assistant").last.inner_text()
    assert page.locator("#tasks-counts").inner_text() == "1 open · 0 done"


@pytest.mark.parametrize("chat_page", [['Look: <script>alert("x")</script> <img src=x onerror=alert(2)> '
                                        '[click](javascript:alert(3))']], indirect=True)
def test_llm_html_renders_inert(chat_page):
    page = chat_page
    page.goto("/")
    page.wait_for_timeout(300)
    send(page, "show me html")
    page.locator(".msg-assistant", has_text="Look").wait_for()
    page.wait_for_function("() => !document.querySelector('#chat-input').disabled")
    page.reload()
    page.wait_for_timeout(300)
    assert page.locator(".msg-assistant script").count() == 0
    assert page.locator(".msg-assistant img").count() == 0
    hrefs = page.locator(".msg-assistant a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not any(h and h.startswith("javascript") for h in hrefs)


@pytest.fixture
def embedded_page(browser, data_dir):
    server = LiveServer(data_dir, env={"CARDFLOW_LLM": "auto"})  # no Ollama answers: the embedded model
    server.start()
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
    server.stop()


@pytest.mark.slow
@pytest.mark.model
def test_hello_gets_a_streamed_reply_from_the_embedded_model(embedded_page):
    require_model()
    page = embedded_page
    page.goto("/")
    page.wait_for_timeout(300)
    chunks = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: chunks.append(f)))
    page.reload()
    page.wait_for_timeout(300)
    send(page, "hello")
    # The frame that shows the message also disables the input until the reply ends; waiting only
    # for "enabled" could pass before that frame, and read the reply's "…" bubble with no chunk yet.
    page.locator(".msg-user", has_text="hello").wait_for()
    page.wait_for_function("() => !document.querySelector('#chat-input').disabled")
    reply = page.locator(".msg-assistant").last.inner_text()
    assert len(reply.replace("Assistant", "").strip()) > 0
    assert sum('hx-swap-oob="innerHTML"' in c for c in chunks) >= 3  # it streamed, not one block
    assert "embedded" in page.locator("#chat-status").inner_text()


@pytest.mark.parametrize("chat_page", [["Rain on the tin roof,\nsoft drums in the night."]], indirect=True)
def test_poetflow_streams_into_the_card(chat_page):
    page = chat_page
    page.goto("/poetflow")
    page.fill("#poetflow-key-input", "poem-1")
    page.get_by_role("button", name="Start or resume").click()
    page.fill("#field-topic", "rain")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Start", exact=True).click()
    page.locator("#field-final").wait_for()
    assert "Rain on the tin roof" in page.locator("#poetflow-poem").inner_text()
    assert page.locator("#field-final").input_value().startswith("Rain on the tin roof")
    page.fill("#field-final", "My own poem about rain")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Finalize", exact=True).click()
    page.get_by_role("button", name="🔓 Unlock").wait_for()
    page.reload()
    page.get_by_role("button", name="🔓 Unlock").wait_for()  # the chain has replayed to the end
    assert "My own poem about rain" in page.locator("#poetflow-final").inner_text()
