import re

import pytest

CDN = re.compile(r"(cdn\.jsdelivr|unpkg\.com|cdnjs\.|googleapis\.com|gstatic\.com|huggingface\.co|https?://(?!127\.0\.0\.1|localhost))")


def test_home_page_has_two_columns_nav_and_chat(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    for marker in ('id="app-pane"', 'id="chat-pane"', 'id="profile-menu"', 'id="app-menu"', 'id="poke"',
                   'id="help-link"', 'id="theme-toggle"', 'id="chat-messages"', 'sse-connect="/sse?client='):
        assert marker in html, marker
    assert "<!doctype html>" in html.lower()


def test_home_links_to_every_app(client, app):
    registry = app.state.ctx.registry
    html = client.get("/home").text
    for plugin in registry.menu():
        if plugin.name != "home":
            assert f'href="{plugin.path}"' in html


def test_no_page_references_a_cdn(client, app):
    registry = app.state.ctx.registry
    paths = ["/", "/help"] + [p.path for p in registry.menu()]
    for path in paths:
        html = client.get(path).text
        srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
        external = [s for s in srcs if CDN.search(s)]
        assert not external, f"{path} loads {external}"
    for asset in ("htmx.min.js", "htmx-ext-sse.min.js", "htmx-ext-ws.min.js", "pico.min.css", "Sortable.min.js"):
        assert client.get(f"/static/vendor/{asset}").status_code == 200


def test_app_choice_is_remembered(client, app):
    client.get("/help")
    client.get("/home")
    assert app.state.ctx.db.store["last_app_choice"] == "home"
    assert 'aria-current="page"' in client.get("/").text


def test_profile_choice_is_remembered(client, app):
    db = app.state.ctx.db
    second = db.profiles.insert(name="Acme", active=True, priority=1)
    r = client.post("/profile/select", data={"profile_id": str(second.id)}, follow_redirects=False)
    assert r.status_code == 303
    assert db.store["last_profile_id"] == second.id
    assert '<strong id="current-profile">Acme</strong>' in client.get("/").text


def test_unknown_profile_is_refused_with_a_message(client, app):
    r = client.post("/profile/select", data={"profile_id": "999"})
    assert r.status_code == 404 and "does not exist" in r.text
    r = client.post("/profile/select", data={"profile_id": "abc"})
    assert r.status_code == 404


def test_theme_toggle_persists(client, app):
    assert 'data-theme="light"' in client.get("/").text
    assert client.post("/theme").status_code == 204
    assert 'data-theme="dark"' in client.get("/").text


def test_error_pages_have_no_traceback(client, app):
    r = client.get("/definitely/not/here")
    assert r.status_code == 404 and "Traceback" not in r.text and "Back to Cardflow" in r.text

    @app.route("/boom-test")
    def boom():
        raise RuntimeError("secret internals")

    r = client.get("/boom-test")
    assert r.status_code == 500
    assert "Traceback" not in r.text and "secret internals" not in r.text
    assert "Something went wrong" in r.text


@pytest.mark.parametrize("path", ["/static/../cardflow.db", "/static/%2e%2e/%2e%2e/etc/passwd",
                                  "/static//etc/passwd", "/static/vendor/../../app.py"])
def test_static_refuses_path_traversal(client, path):
    r = client.get(path)
    assert r.status_code in (400, 404)
    assert "root:" not in r.text and "build_app" not in r.text


def test_poke_pushes_a_message(client, app):
    events = app.state.ctx.events
    before = list(events._recent)
    assert client.post("/poke").status_code == 204
    new = [e for e in events._recent if e not in before]
    assert new and new[-1].name == "toast" and "Poke #1" in new[-1].data


def test_help_page_explains_keys_and_lists_every_app(client, app):
    html = client.get("/help").text
    assert "resumes" in html and "Poke" in html
    for plugin in app.state.ctx.registry.menu():
        assert f'href="{plugin.path}"' in html
