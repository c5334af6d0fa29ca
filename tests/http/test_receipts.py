"""Receipts the model cannot forge, Undo and Confirm from them, questions that never write,
replies that outlive their page, and what the model saw."""

import json
import time

from starlette.testclient import TestClient

from tests.http.test_chat import ORIGIN, WS, build, converse

BASE = "http://127.0.0.1:5001"


def receipts(app):
    return [m for m in app.state.ctx.conversation.history(1) if m.role == "receipt"]


def tasks(app):
    return [t.name for t in app.state.ctx.db.tasks()]


def test_text_that_imitates_a_receipt_stays_model_text(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=["✓ Added “right now” to the app."])
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "which app am I in right now?"))
        page = client.get("/tasks").text
    assert "msg-receipt" not in frames and "msg-receipt" not in page
    assert "✓ Added “right now” to the app." in page  # shown, as the model's plain text
    assert tasks(app) == [] and receipts(app) == []
    assert app.state.ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0
    # The model is never shown a ✓ line as its own words, so it has nothing to imitate.
    sent = app.state.ctx.chat.build_messages(1, "S")
    assert all("✓" not in m["content"] for m in sent)


def test_action_results_reach_the_model_as_system_lines(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=['Sure.\n{"action": "tasks.add", "params": {"name": "call Bob"}}'])
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        converse(client, "add a task to call Bob")
    sent = app.state.ctx.chat.build_messages(1, "S")
    assert sent[1:] == [{"role": "user", "content": "add a task to call Bob"},
                        {"role": "assistant", "content": "Sure."},
                        {"role": "system", "content": "Action tasks.add ran: Added task “call Bob”."}]


def test_undo_from_the_receipt_and_undo_of_the_undo(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=['{"action": "tasks.add", "params": {"name": "call Bob"}}'])
    with TestClient(app, base_url=BASE, headers=ORIGIN) as client:
        client.get("/tasks")
        converse(client, "add a task to call Bob")
        (receipt,) = receipts(app)
        page = client.get("/tasks").text
        assert f'hx-post="/chat/receipt/{receipt.id}/undo/0"' in page and 'href="/activity"' in page
        r = client.post(f"/chat/receipt/{receipt.id}/undo/0")
        assert r.status_code == 200 and "is-undone" in r.text and tasks(app) == []
        r = client.post(f"/chat/receipt/{receipt.id}/undo/0")  # the undo, undone
        assert "is-done" in r.text and tasks(app) == ["call Bob"]
        actors = [r["actor"] for r in app.state.ctx.db.query("SELECT actor FROM action_log ORDER BY id")]
        assert actors == ["assistant", "ui", "ui"]
        # Changed since: the refusal shows in the receipt and nothing changes.
        task = app.state.ctx.db.tasks()[0]
        client.post(f"/tasks/{task.id}/toggle")
        done = [t.done for t in app.state.ctx.db.tasks()]
        r = client.post(f"/chat/receipt/{receipt.id}/undo/0")
        assert "has changed since" in r.text and "receipt-error" in r.text
        assert tasks(app) == ["call Bob"] and [t.done for t in app.state.ctx.db.tasks()] == done


def test_a_delete_waits_for_confirm_and_cancel_changes_nothing(data_dir, monkeypatch):
    delete = '{"action": "tasks.delete", "params": {"item": "call Bob"}}'
    app = build(data_dir, monkeypatch, replies=[delete])
    app.state.ctx.db.tasks.insert(profile_id=1, name="call Bob", priority=0)
    with TestClient(app, base_url=BASE, headers=ORIGIN) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "delete the call Bob task"))
        assert "receipt-proposal" in frames and "Confirm" in frames and tasks(app) == ["call Bob"]
        first = receipts(app)[-1]
        r = client.post(f"/chat/receipt/{first.id}/cancel")
        assert "receipt-cancelled" in r.text and tasks(app) == ["call Bob"]
        assert "receipt-cancelled" in client.post(f"/chat/receipt/{first.id}/confirm").text  # cancelled stays so
        assert tasks(app) == ["call Bob"]
        converse(client, "delete the call Bob task")
        second = receipts(app)[-1]
        r = client.post(f"/chat/receipt/{second.id}/confirm")
        assert "receipt-done" in r.text and "Undo" in r.text and tasks(app) == []
        logged = app.state.ctx.db.query("SELECT actor, action FROM action_log")
        assert [(x["actor"], x["action"]) for x in logged] == [("assistant", "tasks.delete")]
        client.post(f"/chat/receipt/{second.id}/confirm")  # a second click runs nothing
        assert app.state.ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 1
    sent = app.state.ctx.chat.build_messages(1, "S")
    assert any(m["content"].startswith("Action tasks.delete was cancelled") for m in sent)


def test_a_reply_that_changes_several_rows_is_a_proposal(data_dir, monkeypatch):
    many = "\n".join(json.dumps({"action": "tasks.delete", "params": {"item": n}}) for n in ("a", "b", "c"))
    adds = '{"action": "tasks.add", "params": {"name": "x"}}\n{"action": "tasks.add", "params": {"name": "y"}}'
    app = build(data_dir, monkeypatch, replies=[many, adds])
    for name in ("a", "b", "c"):
        app.state.ctx.db.tasks.insert(profile_id=1, name=name, priority=0)
    with TestClient(app, base_url=BASE, headers=ORIGIN) as client:
        client.get("/tasks")
        converse(client, "delete every task")
        assert tasks(app) == ["a", "b", "c"]  # nothing without a click
        converse(client, "add x and y")
        assert tasks(app) == ["a", "b", "c"]
        r = client.post(f"/chat/receipt/{receipts(app)[-1].id}/confirm")
        assert sorted(tasks(app)) == ["a", "b", "c", "x", "y"] and r.text.count("receipt-undo") == 2


def test_a_new_row_that_nearly_repeats_one_waits_for_confirm(data_dir, monkeypatch):
    def add(name):
        return json.dumps({"action": "tasks.add", "params": {"name": name}})

    app = build(data_dir, monkeypatch, replies=[add("pay rent on time"), add("buy bread"), add("<b>x</b> again")])
    for name in ("pay rent", "buy milk", "<b>x</b>"):
        app.state.ctx.db.tasks.insert(profile_id=1, name=name, priority=0)
    with TestClient(app, base_url=BASE, headers=ORIGIN) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "help me pay rent on time"))
        assert "receipt-proposal" in frames and "You already have “pay rent”" in frames
        assert tasks(app) == ["pay rent", "buy milk", "<b>x</b>"]
        r = client.post(f"/chat/receipt/{receipts(app)[-1].id}/confirm")  # meant after all: one click
        assert "receipt-done" in r.text and tasks(app)[-1] == "pay rent on time"
        converse(client, "add buy bread")  # shares a word with "buy milk", and is no repeat: it runs
        assert tasks(app)[-1] == "buy bread" and json.loads(receipts(app)[-1].content)["kind"] == "done"
        frames = "".join(converse(client, "add <b>x</b> again"))
        assert "You already have “&lt;b&gt;x&lt;/b&gt;”" in frames and "<b>x</b>" not in frames
        assert tasks(app)[-1] == "buy bread"


def small_model(data_dir, monkeypatch, reply, decisions, arguments=()):
    """The app with one task, "call Bob", and a model that needs the intent pass, whose decisions
    (and, for offers, whose filled-in arguments) are scripted, in order; the last one repeats."""
    from cardflow.chat import assist
    from cardflow.chat.backends import ScriptedBackend

    class Small(ScriptedBackend):
        needs_intent_pass = True

    def script(queue):
        queue = list(queue)

        async def next_one(*args, **kw):
            return queue.pop(0) if len(queue) > 1 else queue[0]
        return next_one

    monkeypatch.setattr(assist, "decide", script(decisions))
    if arguments:
        monkeypatch.setattr(assist, "arguments", script(arguments))
    app = build(data_dir, monkeypatch)
    ctx = app.state.ctx
    ctx.db.tasks.insert(profile_id=1, name="call Bob", priority=0)
    ctx.chat._backend, ctx.chat._key = Small([reply]), (ctx.chat.choice(), ctx.chat.model())
    return app


def test_a_question_never_writes(data_dir, monkeypatch):
    from cardflow.chat.intent import Decision

    app = small_model(data_dir, monkeypatch, "You are in Tasks.",
                      [Decision("action", "tasks.add", {"name": "right now"}, question=True),
                       Decision("action", "tasks.list", {}, question=True)])
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "which app am I in right now?"))
        assert tasks(app) == ["call Bob"] and "You are in Tasks." in frames and "msg-receipt" not in frames
        frames = "".join(converse(client, "what are my tasks?"))  # a read-only answer is fine
    assert "receipt-answer" in frames and "From Tasks:" in frames and "call Bob" in frames
    assert app.state.ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0


def test_a_change_for_a_question_is_answered_then_offered_and_runs_only_on_confirm(data_dir, monkeypatch):
    from cardflow.chat.intent import Decision

    app = small_model(data_dir, monkeypatch, "Not yet: call Bob is open.",
                      [Decision("action", "tasks.toggle", {}, question=True, offer=True)],
                      [Decision("action", "tasks.toggle", {"item": "call Bob", "done": True}),
                       Decision("chat")])  # the second question's words name no row: nothing is offered
    ctx = app.state.ctx
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "have I called Bob?"))
        assert "Not yet: call Bob is open." in frames
        assert "You asked, so nothing has changed yet. Confirm to do this:" in frames and "receipt-confirm" in frames
        assert "Mark task “call Bob” done" in frames  # in words, not as parameters
        assert "From Tasks:" in frames and "call Bob (not done)" in frames  # the row as it is, from the app
        assert ctx.db.tasks(where="done = 1") == [] and \
            ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0
        offer = receipts(app)[-1]
        assert json.loads(offer.content)["state"] == "proposed"
        answer = [m for m in ctx.conversation.history(1) if m.role == "assistant"][-1]
        shown = client.get(f"/chat/meta/{answer.id}").text  # what the model saw says what was offered
        assert "The app has not changed anything for this message." in shown  # told after the message
        assert "Intent pass: action tasks.toggle (a question), offered" in shown and "Offer's arguments: action tasks.toggle" in shown
        r = client.post(f"/chat/receipt/{offer.id}/confirm")
        assert r.status_code == 200 and "receipt-undo" in r.text
        assert [t.name for t in ctx.db.tasks(where="done = 1")] == ["call Bob"]
        frames = "".join(converse(client, "what do you think?"))
        assert "Not yet: call Bob is open." in frames and len(receipts(app)) == 2  # the answer and the offer


def test_a_change_that_came_close_to_an_answer_in_words_is_offered_with_its_own_note(data_dir, monkeypatch):
    from cardflow.chat.intent import Decision

    # The closest change, a move, finds no place in the words; the toggle behind it is offered.
    app = small_model(data_dir, monkeypatch, "Calling Bob is a nice idea.",
                      [Decision("action", "tasks.move", {}, question=True, offer=True, unsure=True,
                                runners=("tasks.toggle",))],
                      [Decision("chat", unmet="tasks.move"),
                       Decision("action", "tasks.toggle", {"item": "call Bob", "done": True})])
    ctx = app.state.ctx
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "check off call Bob"))
        assert "Calling Bob is a nice idea." in frames
        # Not "You asked": the user told, and the app was not sure it was a change they meant.
        assert "I was not sure you asked for a change, so nothing has changed yet. Confirm to do this:" in frames
        assert "You asked" not in frames and "Mark task “call Bob” done" in frames
        assert ctx.db.tasks(where="done = 1") == [] and \
            ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0
        answer = [m for m in ctx.conversation.history(1) if m.role == "assistant"][-1]
        shown = client.get(f"/chat/meta/{answer.id}").text
        assert "The app has not changed anything for this message." in shown  # so it does not claim it
        assert "offered (it came close to answering in words)" in shown
        assert "Offer's arguments: action tasks.toggle" in shown  # the one offered, not the move tried first
        r = client.post(f"/chat/receipt/{receipts(app)[-1].id}/confirm")
        assert r.status_code == 200 and "receipt-undo" in r.text
        assert [t.name for t in ctx.db.tasks(where="done = 1")] == ["call Bob"]


def test_a_change_the_words_did_not_ground_is_answered_and_the_app_says_nothing_changed(data_dir, monkeypatch):
    from cardflow.chat.intent import Decision

    app = small_model(data_dir, monkeypatch, "Done! I ticked it.", [Decision("chat", unmet="tasks.toggle")])
    ctx = app.state.ctx
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "tick the thing"))
    # The model's prose claims it; the app's own line says what happened.
    assert "Done! I ticked it." in frames and "receipt-done" in frames
    assert "I could not tell which task you meant or what to change, so nothing was changed." in frames
    assert "⚠</span> Not done</small>" in frames and "Done by the app" not in frames and "receipt-refused" in frames
    assert ctx.db.tasks(where="done = 1") == [] and ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0


def test_typing_yes_under_a_proposal_does_not_confirm_it_and_the_app_says_so_once(data_dir, monkeypatch):
    from cardflow.chat.conversation import STILL_WAITING
    from cardflow.chat.intent import Decision

    app = small_model(data_dir, monkeypatch, "Done, I deleted it.",
                      [Decision("action", "tasks.delete", {"item": "call Bob"}), Decision("chat")])
    ctx = app.state.ctx
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "delete the call Bob task"))
        assert "receipt-proposal" in frames and tasks(app) == ["call Bob"]
        proposal = receipts(app)[-1]
        frames = "".join(converse(client, "yes"))  # typed, not clicked
        # The model's words claim it; the app's own line under them says what is true.
        assert "Done, I deleted it." in frames and STILL_WAITING in frames and tasks(app) == ["call Bob"]
        frames = "".join(converse(client, "and what about lunch?"))  # said once, not under every message
        assert STILL_WAITING not in frames
        assert [m.content for m in ctx.conversation.history(1) if m.role == "system"].count(STILL_WAITING) == 1
        assert all(STILL_WAITING not in m["content"] for m in ctx.chat.build_messages(1, "S"))  # the page's line
        r = client.post(f"/chat/receipt/{proposal.id}/confirm")  # the button still does it
        assert "receipt-done" in r.text and tasks(app) == []


def test_a_question_about_one_row_gets_the_row_from_the_app(data_dir, monkeypatch):
    from cardflow.chat.intent import Decision

    app = small_model(data_dir, monkeypatch, "The user has called Bob.", [Decision("chat", question=True)])
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "is call Bob done"))
        # The small model's words are wrong; the app's read of the row is beside them.
        assert "The user has called Bob." in frames and "From Tasks:" in frames and "call Bob (not done)" in frames
        frames = "".join(converse(client, "how are things going?"))  # names no row: words only
        assert "msg-receipt" not in frames
    assert app.state.ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0


def test_a_question_naming_a_row_by_one_word_of_its_own_gets_that_row(data_dir, monkeypatch):
    from cardflow.chat.intent import Decision

    app = small_model(data_dir, monkeypatch, "Not yet.", [Decision("chat", question=True)])
    app.state.ctx.db.tasks.insert(profile_id=1, name="phone the vet about Rex’s vaccinations", priority=1)
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        # "vet" is a sixth of its row's weight; no other row has it and the app's phrasing never uses it.
        frames = "".join(converse(client, "is the vet task done?"))
        assert "From Tasks:" in frames and "phone the vet about Rex’s vaccinations (not done)" in frames
        # "the" and "task" are the app's own words: they name no row.
        frames = "".join(converse(client, "is the task done?"))
        assert "From Tasks:" not in frames
    assert app.state.ctx.db.query("SELECT count(*) AS n FROM action_log")[0]["n"] == 0


def test_a_bigger_models_change_for_a_question_waits_for_a_click(data_dir, monkeypatch):
    # A model that writes commands in its text (Ollama, OpenAI-compatible) is held to the same rule:
    # a message that asks gets its changes as an offer; told, the same reply runs.
    app = build(data_dir, monkeypatch, replies=['Sure. {"action": "tasks.add", "params": {"name": "call Bob"}}'])
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        frames = "".join(converse(client, "could you add call Bob?"))
        assert "You asked, so nothing has changed yet. Confirm to do this:" in frames and tasks(app) == []
        r = client.post(f"/chat/receipt/{receipts(app)[-1].id}/confirm")
        assert r.status_code == 200 and tasks(app) == ["call Bob"]
        converse(client, "add call Bob")
        assert tasks(app) == ["call Bob", "call Bob"] and json.loads(receipts(app)[-1].content)["kind"] == "done"


def test_the_reply_keeps_what_the_model_saw(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=["Hello."])
    with TestClient(app, base_url=BASE) as client:
        client.get("/tasks")
        converse(client, "hi")
        msg = app.state.ctx.conversation.history(1)[-1]
        meta = json.loads(msg.meta)
        assert meta["backend"] == "scripted" and meta["messages"][0]["role"] == "system"
        assert meta["messages"][-1] == {"role": "user", "content": "hi"}
        assert meta["timings"]["total"] >= meta["timings"]["first_token"] >= 0
        assert "What the model saw" in client.get("/tasks").text
        body = client.get(f"/chat/meta/{msg.id}").text
        assert "You are the assistant inside Cardflow" in body and "Time to first token" in body


def wait_idle(app, timeout=10.0):
    runner = app.state.chat_runner
    end = time.monotonic() + timeout
    while runner.live and time.monotonic() < end:
        time.sleep(0.02)
    assert not runner.live


def test_leaving_mid_reply_keeps_the_reply_and_the_chat_answers_after(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=["one two three", "fine", "sure", "yes"],
                CARDFLOW_SCRIPTED_DELAY="0.1")
    monkeypatch.setenv("CARDFLOW_SCRIPTED_DELAY", "0.1")
    with TestClient(app, base_url=BASE) as client:
        client.get("/poetflow")
        with client.websocket_connect(WS, headers=ORIGIN) as ws:  # send, then leave before the first word
            ws.send_json({"msg": "which app am I in right now?"})
            ws.receive_text()
        client.get("/tasks")  # the next page, mid-reply

        def history() -> list[tuple[str, str]]:
            return [(m.role, m.content) for m in app.state.ctx.conversation.history(1) if m.role != "system"]

        # The runner may not have taken the reply up yet when the page is served (a busy machine):
        # wait for the reply to be saved, not merely for the runner to be idle.
        end = time.monotonic() + 10
        while len(history()) < 2 and time.monotonic() < end:
            time.sleep(0.02)
        wait_idle(app)
        said = history()
        assert said == [("user", "which app am I in right now?"), ("assistant", "one two three")]
        for text, answer in (("a", "fine"), ("b", "sure"), ("c", "yes")):
            frames = "".join(converse(client, text))
            assert answer in frames and "empty reply" not in frames
        assert [m.content for m in app.state.ctx.conversation.history(1) if m.role == "assistant"][-3:] == \
            ["fine", "sure", "yes"]


def test_a_reply_stopped_before_its_first_word_is_not_saved(data_dir, monkeypatch):
    app = build(data_dir, monkeypatch, replies=["one two three", "after"])
    monkeypatch.setenv("CARDFLOW_SCRIPTED_DELAY", "1")
    with TestClient(app, base_url=BASE) as client:
        with client.websocket_connect(WS, headers=ORIGIN) as ws:
            ws.send_json({"msg": "hi"})
            ws.receive_text()
            ws.send_json({"stop": "1"})
            while "nothing was saved" not in ws.receive_text():
                pass
        wait_idle(app)
        assert [m.role for m in app.state.ctx.conversation.history(1)] == ["user"]
        app.state.ctx.chat._backend.delay = 0
        assert "after" in "".join(converse(client, "again"))
    assert app.state.ctx.chat._backend.calls[-1][1:] == [{"role": "user", "content": "hi"},
                                                         {"role": "user", "content": "again"}]
