import asyncio
import json
import re

import pytest
from starlette.testclient import TestClient

from cardflow.config import Settings
from tests.fakes.ollama import OllamaScript, fake_ollama, make_app, serve

WS = "ws://127.0.0.1:5001/ws?client=test-client"
ORIGIN = {"Origin": "http://127.0.0.1:5001"}


def build(data_dir, monkeypatch, llm="scripted", replies=None, ollama=None, **env):
    from cardflow.app import build_app

    if replies is not None:
        monkeypatch.setenv("CARDFLOW_SCRIPTED_REPLIES", json.dumps(replies))
    monkeypatch.setenv("CARDFLOW_SCRIPTED_DELAY", "0")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    app = build_app(Settings(data_dir=data_dir, open_browser=False, llm=llm, ollama_host=ollama or "http://127.0.0.1:9"))
    app.state.ctx.events.listen()  # as if a page were open
    return app


def converse(client, text, until="chat-input"):
    """Send one message; collect frames until the input comes back enabled."""
    frames = []
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        ws.send_json({"msg": text, "HEADERS": {}})
        while True:
            frame = ws.receive_text()
            frames.append(frame)
            if 'id="chat-input"' in frame and "disabled" not in frame.split('id="chat-input"')[0].split("<textarea")[-1]:
                break
    return frames


def receipt_of(frames, summary):
    """The app-drawn receipt (its own element) carrying this summary, in the frames sent."""
    return any('class="msg msg-receipt receipt receipt-done' in f and summary in f for f in frames)


def test_reply_streams_chunk_by_chunk_and_is_persisted(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=["Hello **world**, nice day."])
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        frames = converse(client, "hi")
        updates = [f for f in frames if 'hx-swap-oob="innerHTML"' in f]
        assert len(updates) >= 4  # one per chunk, not one at the end
        assert "<strong>world</strong>" in frames[-1] or any("<strong>world</strong>" in f for f in updates)
        history = app.state.ctx.conversation.history(1)
        assert [(m.role, m.content) for m in history] == [("user", "hi"), ("assistant", "Hello **world**, nice day.")]
        assert "Hello <strong>world</strong>" in client.get("/").text


def test_user_and_model_html_is_escaped_or_sanitized(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=['<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))'])
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        frames = converse(client, "<b onmouseover=alert(4)>me</b>")
        text = "".join(frames) + client.get("/").text
        assert "<script>alert" not in text and "<img" not in text and "<b onmouseover" not in text
        assert 'href="javascript' not in text
        assert "&lt;script&gt;alert(1)" in text  # shown as text, inert


def test_backend_down_gives_a_clear_message_and_app_keeps_serving(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, llm="ollama")
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        frames = converse(client, "hello")
        joined = "".join(frames)
        assert "msg-error" in joined
        assert "not answering" in joined.lower() or "could not connect" in joined.lower()
        assert client.get("/tasks").status_code == 200
        frames = converse(client, "again")  # the socket and the app are still usable
        assert "msg-error" in "".join(frames)


@pytest.mark.parametrize("script,expect", [
    (OllamaScript(reply="one two three four", malformed_after=2), "malformed"),
    (OllamaScript(reply="one two three four", stall_after=1), "stopped sending"),
    (OllamaScript(reply="one two three four", error_after=1, error_message="model crashed"), "model crashed"),
])
def test_bad_streams_end_with_a_message(data_dir, monkeypatch, script, expect):
    with fake_ollama(script) as url:
        app = build(data_dir, monkeypatch, llm="ollama", ollama=url, CARDFLOW_LLM_IDLE_TIMEOUT="1")
        with TestClient(app, base_url="http://127.0.0.1:5001") as client:
            frames = converse(client, "hello")
            joined = "".join(frames).lower()
            assert "msg-error" in joined and expect in joined, joined[-600:]
            # What arrived before the fault is kept.
            assert app.state.ctx.conversation.history(1)[-1].content.startswith("one")


def test_ollama_backend_through_the_app(data_dir, monkeypatch):
    script = OllamaScript(reply="Streaming from the fake Ollama")
    with serve(make_app(script)) as url:
        app = build(data_dir, monkeypatch, llm="auto", ollama=url)
        with TestClient(app, base_url="http://127.0.0.1:5001") as client:
            converse(client, "hello")
            assert app.state.ctx.conversation.history(1)[-1].content == "Streaming from the fake Ollama"
            system = script.requests[-1]["messages"][0]
            assert system["role"] == "system" and "Cardflow" in system["content"]
            assert "ollama" in client.get("/").text.lower()


def test_json_command_in_reply_runs_through_the_registry(data_dir, monkeypatch):
    reply = 'Done.\n{"action": "tasks.add", "params": {"name": "call Bob"}}'
    app = build(data_dir, monkeypatch, replies=[reply])
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        client.get("/tasks")  # the open app offers its actions
        frames = converse(client, "add a task to call Bob")
        assert [t.name for t in app.state.ctx.db.tasks()] == ["call Bob"]
        assert receipt_of(frames, "Added task “call Bob”.")  # drawn by the app, not written by the model
        said = [m for m in app.state.ctx.conversation.history(1) if m.role == "assistant"][-1].content
        assert '"action"' not in said and "✓" not in said  # the receipt replaces the JSON
        oob = [e for e in app.state.ctx.events._recent if e.name == "oob"]
        assert oob and "call Bob" in oob[-1].data  # pushed to every open page
        logged = app.state.ctx.db.query("SELECT actor, action FROM action_log")
        assert [(r["actor"], r["action"]) for r in logged] == [("assistant", "tasks.add")]


def test_the_command_format_in_the_prompt_follows_the_open_app(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=["ok"])
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        client.get("/tasks")
        converse(client, "hello")
        client.get("/hello")
        converse(client, "hello again")
    first, second = (calls[0]["content"] for calls in app.state.ctx.chat._backend.calls)
    assert "- tasks.add(name: string, done?: true|false)" in first and "hello.submit" not in first
    assert "- hello.submit(" in second and "tasks.add" not in second
    assert "home.open_app(" in first and "home.open_app(" in second  # global actions everywhere


@pytest.mark.parametrize("command", [
    {"action": "drop", "params": {"name": "x"}},
    {"action": "store.add", "params": {"name": "x"}},
    {"action": "tasks.add", "params": {"name": "x", "profile_id": 2}},
    {"action": "tasks.delete", "params": {"id": 1}},
    {"action": "hello.delete", "params": {"key": "x"}},  # exists, but the Tasks app is open
])
def test_invalid_or_foreign_commands_change_nothing(data_dir, monkeypatch, command):
    app = build(data_dir, monkeypatch, replies=["Trying.\n" + json.dumps(command)])
    db = app.state.ctx.db
    other = db.profiles.insert(name="Other", active=True, priority=1)
    foreign = db.tasks.insert(profile_id=other.id, name="x", priority=0)
    assert foreign.id == 1
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        client.get("/tasks")
        frames = converse(client, "do it")
        joined = "".join(frames)
        assert "is-refused" in joined or "receipt-proposed" in joined  # refused, or waits for a click
        for msg in app.state.ctx.conversation.history(1):  # and a click on Confirm is refused too
            if msg.role == "receipt" and '"proposed"' in msg.content:
                assert "is-refused" in client.post(f"/chat/receipt/{msg.id}/confirm", headers=ORIGIN).text
    assert [(t.id, t.name, t.profile_id) for t in db.tasks()] == [(1, "x", other.id)]
    assert db.store.get("x") is None
    assert db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0


def test_script_in_a_task_name_is_shown_inert(data_dir, monkeypatch):
    name = "<script>alert(1)</script>"
    app = build(data_dir, monkeypatch, replies=[json.dumps({"action": "tasks.add", "params": {"name": name}})])
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        client.get("/tasks")
        frames = converse(client, "add it")
        text = "".join(frames) + client.get("/").text
    assert [t.name for t in app.state.ctx.db.tasks()] == [name]  # stored as typed
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


def test_the_embedded_path_runs_the_decision_through_the_registry(data_dir, monkeypatch):
    from cardflow.chat.backends import ScriptedBackend

    class Small(ScriptedBackend):
        needs_intent_pass = True
        supports_grammar = True

    app = build(data_dir, monkeypatch)
    ctx = app.state.ctx
    backend = Small([json.dumps({"action": "tasks.add", "params": {"name": "call Bob"}})])
    ctx.chat._backend, ctx.chat._key = backend, (ctx.chat.choice(), ctx.chat.model())
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        client.get("/tasks")  # the switch warms the Tasks prompts in the background: the decision's, the answer's
        warming = ctx.chat._warming
        assert warming is not None
        client.portal.call(lambda: asyncio.wait([warming]))
        assert len(backend.calls) == 2 and "tasks.add" in backend.calls[0][0]["content"]
        assert backend.calls[1][0]["content"].startswith("You are the assistant inside Cardflow")
        warm = backend.calls[0]
        backend.calls.clear()
        frames = converse(client, "add a task to call Bob")
        # The write changed the rows: both prompts list them in their facts, so both are read again
        # in the background.
        assert ctx.chat._warming is not warming and ctx.chat._warming is not None
        warming = ctx.chat._warming
        client.portal.call(lambda: asyncio.wait([warming]))
    assert [t.name for t in ctx.db.tasks()] == ["call Bob"]
    assert receipt_of(frames, "Added task “call Bob”.")
    decision, again, answer = backend.calls  # one call decided; it began with the prompt the switch had warmed
    assert "tasks.add" in decision[0]["content"] and decision[: len(warm)] == warm and len(warm) < len(decision)
    assert "“call Bob”" in again[-1]["content"] and "“call Bob”" in answer[0]["content"]


def test_app_switch_injects_the_app_prompt(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=["ok"])
    chat = app.state.ctx.chat
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        client.get("/home")
        client.get("/tasks")
        notes = [m.content for m in app.state.ctx.conversation.history(1) if m.role == "system"]
        assert notes[-1] == "Switched to the Tasks app."
        assert "task list" in chat.system_prompt()
        client.get("/hello")
        assert "Hello workflow" in chat.system_prompt()
        # Switches with nothing between collapse into one line, which names the last app.
        notes = [m.content for m in app.state.ctx.conversation.history(1) if m.role == "system"]
        assert notes == ["Switched to the Hello workflow app."]
        converse(client, "what is this app for?")
        client.get("/tasks")
        notes = [m.content for m in app.state.ctx.conversation.history(1) if m.role == "system"]
        assert notes == ["Switched to the Hello workflow app.", "Switched to the Tasks app."]
        client.get("/hello")
        converse(client, "and this one?")
        backend = chat._backend
        sent = backend.calls[-1]
        assert "Hello workflow" in sent[0]["content"]  # the open app is in the system prompt
        # The switch lines are for the user, not conversation for the model.
        assert not any("Switched to the" in m["content"] for m in sent)
        assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]


def test_settings_clear_and_models(client, app):
    chat = app.state.ctx.chat
    r = client.post("/chat/settings", data={"backend": "scripted", "tone": "formal", "word_limit": "50"})
    assert "Saved" in r.text and chat.tone() == "formal" and chat.word_limit() == 50
    assert "under 50 words" in chat.system_prompt() and "formal" in chat.system_prompt()
    r = client.post("/chat/settings", data={"backend": "scripted", "tone": "formal", "word_limit": "5"})
    assert "between 10 and 2000" in r.text and chat.word_limit() == 50
    r = client.post("/chat/settings", data={"backend": "evil", "tone": "formal", "word_limit": "50"})
    assert "Unknown backend" in r.text
    r = client.post("/chat/settings", data={"backend": "scripted", "tone": "rude", "word_limit": "50"})
    assert "listed tones" in r.text
    assert "scripted" in client.get("/chat/models").text
    app.state.ctx.conversation.add(1, "user", "remember me")
    assert client.post("/chat/clear").status_code == 200
    assert app.state.ctx.conversation.history(1) == []


def test_history_is_trimmed_to_the_context_window_but_keeps_the_system_prompt(app):
    ctx = app.state.ctx
    chat = ctx.chat
    for i in range(400):
        ctx.conversation.add(1, "user" if i % 2 == 0 else "assistant", f"message {i} " + "x" * 200, broadcast=False)
    messages = chat.build_messages(1, "SYSTEM")
    assert messages[0] == {"role": "system", "content": "SYSTEM"}
    assert sum(len(m["content"]) for m in messages) <= chat.context_budget() + 10
    assert messages[-1]["content"].startswith("message 399")
    assert messages[1]["role"] == "user"


def test_foreign_origin_websocket_refused(client):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), client.websocket_connect(WS, headers={"Origin": "http://evil.example"}):
        pass


def test_poetflow_streams_a_poem_into_the_card_and_stores_it(data_dir, monkeypatch):
    import time

    app = build(data_dir, monkeypatch, replies=["Rain on tin,\nsoft drums begin."])
    pip = app.state.ctx.pipulate
    with TestClient(app, base_url="http://127.0.0.1:5001") as client:
        client.headers.update({**ORIGIN, "HX-Request": "true"})
        client.post("/poetflow/init", data={"key": "p"})
        client.post("/poetflow/step/topic?key=p", data={"topic": "rain"})
        r = client.post("/poetflow/step/poem?key=p")
        assert "sse:job-1-end" in r.text
        deadline = time.time() + 5
        while not pip.get_step_data("p", "poem") and time.time() < deadline:
            time.sleep(0.05)
        assert pip.get_step_data("p", "poem") == {"poem": "Rain on tin,\nsoft drums begin."}
        live = [e.data for e in app.state.ctx.events._recent if e.name == "job-1"]
        assert any("Rain on" in d and "begin" not in d for d in live)  # the text arrived in pieces
        r = client.get("/poetflow/step/final?key=p")
        assert re.search(r"<textarea[^>]*>Rain on tin,\s*soft drums begin.</textarea>", r.text)
        client.post("/poetflow/step/final?key=p", data={"final": "Rain on tin, edited"})
        client.post("/poetflow/finalize?key=p")
        assert pip.is_finalized("p") and pip.get_step_data("p", "final") == {"final": "Rain on tin, edited"}


def test_openai_compatible_backend_with_native_tool_calls(data_dir, monkeypatch):
    from tests.fakes.openai_compat import OpenAIScript, fake_openai

    script = OpenAIScript(reply="Adding it.", tool_calls=[{"name": "tasks__add", "arguments": {"name": "water plants"}}])
    with fake_openai(script) as url:
        monkeypatch.setenv("CARDFLOW_LLM_TOOLS", "1")
        from cardflow.app import build_app

        app = build_app(Settings(data_dir=data_dir, open_browser=False, llm="openai", openai_base_url=url,
                                 ollama_host="http://127.0.0.1:9"))
        with TestClient(app, base_url="http://127.0.0.1:5001") as client:
            client.get("/tasks")
            frames = converse(client, "please add water plants")
        assert [t.name for t in app.state.ctx.db.tasks()] == ["water plants"]
        tools = {t["function"]["name"]: t["function"] for t in script.requests[-1]["body"]["tools"]}
        assert tools["tasks__add"]["parameters"] == app.state.ctx.actions.get("tasks.add").params
        assert "hello__submit" not in tools and "home__open_app" in tools  # the open app's and the global ones
        assert receipt_of(frames, "Added task “water plants”.")
