import pytest

HX = {"HX-Request": "true"}


@pytest.fixture
def ctx(app):
    return app.state.ctx


def add(client, name):
    return client.post("/tasks/insert", data={"name": name}, headers=HX)


def test_add_toggle_edit_delete(client, ctx):
    r = add(client, "buy milk")
    assert 'hx-swap-oob="beforeend:#tasks-list"' in r.text and "buy milk" in r.text
    assert "1 open · 0 done" in r.text
    task = ctx.db.tasks()[0]
    r = client.post(f"/tasks/{task.id}/toggle", headers=HX)
    assert ctx.db.tasks[task.id].done and "0 open · 1 done" in r.text
    r = client.get(f"/tasks/{task.id}/edit", headers=HX)
    assert "<form" in r.text and "data-cancel" in r.text
    r = client.post(f"/tasks/{task.id}/update", data={"name": "buy oat milk"}, headers=HX)
    assert "buy oat milk" in r.text and ctx.db.tasks[task.id].name == "buy oat milk"
    r = client.post(f"/tasks/{task.id}/delete", headers=HX)
    assert r.status_code == 200 and ctx.db.tasks() == [] and "0 open · 0 done" in r.text


def test_toggle_fragment_is_one_small_row(client, ctx):
    add(client, "call Bob")
    task = ctx.db.tasks()[0]
    r = client.post(f"/tasks/{task.id}/toggle", headers=HX)
    assert len(r.content) < 1024, len(r.content)
    assert r.text.count("<li") == 1


def test_validation_empty_and_too_long(client, ctx):
    r = add(client, "   ")
    assert "This field is required." in r.text and 'aria-invalid="true"' in r.text
    r = add(client, "x" * 501)
    assert "under 500 characters" in r.text
    assert ctx.db.tasks() == []
    add(client, "ok")
    task = ctx.db.tasks()[0]
    r = client.post(f"/tasks/{task.id}/update", data={"name": ""}, headers=HX)
    assert "This field is required." in r.text and ctx.db.tasks[task.id].name == "ok"


def test_unknown_and_foreign_ids_get_not_found_fragment(client, ctx):
    other = ctx.db.profiles.insert(name="Other", active=True, priority=1)
    foreign = ctx.db.tasks.insert(profile_id=other.id, name="not yours", priority=0)
    for method, url in (("post", f"/tasks/{foreign.id}/toggle"), ("post", f"/tasks/{foreign.id}/delete"),
                        ("post", f"/tasks/{foreign.id}/update"), ("get", f"/tasks/{foreign.id}/edit"),
                        ("post", "/tasks/9999/toggle"), ("get", "/tasks/abc/edit"), ("post", "/tasks/-1/delete")):
        r = client.request(method, url, data={"name": "hijack"}, headers=HX)
        assert r.status_code == 200 and "was not found" in r.text, url
    assert ctx.db.tasks[foreign.id].name == "not yours" and not ctx.db.tasks[foreign.id].done


def test_sort_persists_priority_and_refuses_foreign_ids(client, ctx):
    for n in ("a", "b", "c"):
        add(client, n)
    ids = [t.id for t in ctx.db.tasks(order_by="id")]
    assert client.post("/tasks/sort", data={"ids": f"{ids[2]},{ids[0]},{ids[1]}"}, headers=HX).status_code == 200
    assert [t.name for t in ctx.db.tasks(order_by="priority")] == ["c", "a", "b"]
    r = client.post("/tasks/sort", data={"ids": f"{ids[0]},999"}, headers=HX)
    assert "does not match" in r.text
    assert [t.name for t in ctx.db.tasks(order_by="priority")] == ["c", "a", "b"]


def test_task_names_render_as_text(client):
    add(client, '<img src=x onerror=alert(1)>')
    html = client.get("/tasks").text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_tasks_are_per_profile(client, ctx):
    add(client, "mine")
    other = ctx.db.profiles.insert(name="Other", active=True, priority=1)
    client.post("/profile/select", data={"profile_id": str(other.id)})
    html = client.get("/tasks").text
    assert "mine" not in html
    add(client, "theirs")
    assert {t.name: t.profile_id for t in ctx.db.tasks()} == {"mine": 1, "theirs": other.id}


def test_mutations_are_broadcast_to_other_pages_but_not_the_origin(client, ctx):
    events = ctx.events
    client.post("/tasks/insert", data={"name": "live"}, headers={**HX, "X-Cardflow-Client": "page-a"})
    event = list(events._recent)[-1]
    assert event.name == "oob" and "live" in event.data and event.exclude == "page-a"
    assert event.profile_id == 1


def test_profiles_create_edit_deactivate_and_menu(client, ctx):
    r = client.post("/profiles/insert", data={"name": "Acme"}, headers=HX)
    assert "Acme" in r.text
    acme = next(p for p in ctx.db.profiles() if p.name == "Acme")
    r = client.post(f"/profiles/{acme.id}/update",
                    data={"name": "Acme Inc", "real_name": "Jo", "address": "1 Road", "code": "AC"}, headers=HX)
    assert "Acme Inc" in r.text and ctx.db.profiles[acme.id].code == "AC"
    assert "Acme Inc" in client.get("/").text  # in the profile menu
    client.post(f"/profiles/{acme.id}/toggle", headers=HX)
    assert not ctx.db.profiles[acme.id].active
    menu = client.get("/").text.split('id="profile-menu"')[1].split("</details>")[0]
    assert "Acme Inc" not in menu


def test_profile_delete_takes_tasks_keys_and_messages_along(client, ctx):
    acme = ctx.db.profiles.insert(name="Acme", active=True, priority=1)
    client.post("/profile/select", data={"profile_id": str(acme.id)})
    add(client, "acme task")
    client.post("/hello/init", data={"key": "acme-key"}, headers=HX)
    client.post("/hello/step/name?key=acme-key", data={"name": "x"}, headers=HX)
    html = client.get("/profiles").text
    assert "1 task(s) and 1 workflow key(s)" in html
    client.post(f"/profiles/{acme.id}/delete", headers=HX)
    assert ctx.db.profiles.get(acme.id, default=None) is None
    assert ctx.db.query("SELECT count(*) n FROM task WHERE profile_id=?", (acme.id,))[0]["n"] == 0
    assert not ctx.pipulate.exists("acme-key")
    assert ctx.db.query("SELECT count(*) n FROM message WHERE profile_id=?", (acme.id,))[0]["n"] == 0
    assert ctx.current_profile_id() == 1
    assert client.get("/").status_code == 200


def test_last_profile_cannot_be_deleted(client, ctx):
    r = client.post("/profiles/1/delete", headers=HX)
    assert "only profile" in r.text and ctx.db.profiles.get(1, default=None) is not None


def test_no_listener_no_broadcast_work(data_dir):
    """With no page open, a change renders no fragments for SSE (the hot path stays cheap)."""
    from starlette.testclient import TestClient

    from cardflow.app import build_app
    from cardflow.config import Settings

    app = build_app(Settings(data_dir=data_dir, open_browser=False))
    with TestClient(app, base_url="http://127.0.0.1:5001") as c:
        c.post("/tasks/insert", data={"name": "quiet"}, headers={**HX, "Origin": "http://127.0.0.1:5001"})
    assert [e for e in app.state.ctx.events._recent if e.name == "oob"] == []
    assert [t.name for t in app.state.ctx.db.tasks()] == ["quiet"]
