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


# -- traversal with raw paths: http.client sends the request target exactly as written (httpx would
# collapse "/static/../x" to "/x" before sending, and the server would never see the attempt).

SECRET = "cardflow-traversal-canary-7f3a"


def _raw_get(live_server, target: str) -> tuple[int, str]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _traversals(rel: str) -> list[str]:
    """The spellings of one `../` path a server must not fall for."""
    return [rel, rel.replace("../", "%2e%2e/"), rel.replace("../", "%2E%2E%2F"), rel.replace("../", "..%2f"),
            rel.replace("../", "..\\"), rel.replace("../", "..%5c"), rel.replace("../", ".%2e/"),
            rel.replace("../", "../%2e%2e/../"), rel.replace("/", "//")]


@pytest.fixture
def planted_secret(live_server):
    """A secret file outside every served folder, in the data dir; and a real graph file beside it."""
    data = live_server.data_dir
    (data / "secret.csv").write_text(SECRET)
    graph = data / "linkgraph" / "g1"
    graph.mkdir(parents=True)
    (graph / "edges.csv").write_text("source,target\na,b\n")
    (graph / "leak.csv").symlink_to(data / "secret.csv")  # inside the root by name, outside by target
    return data / "secret.csv"


def test_static_traversal_never_returns_a_planted_secret(live_server, planted_secret):
    import os

    from cardflow.app import STATIC_DIR

    assert _raw_get(live_server, "/static/vendor/htmx.min.js")[0] == 200  # the route does serve files
    rel = os.path.relpath(planted_secret, STATIC_DIR)  # ../../../../tmp/pytest-.../data/secret.csv
    assert rel.startswith("../")
    targets = [f"/static/{t}" for t in _traversals(rel)]
    targets += [f"/static/vendor/../{t}" for t in _traversals(rel)[:3]]
    targets += [f"/static/{planted_secret}", f"/static/{str(planted_secret).replace('/', '%2f')}"]
    targets += ["/static/../app.py", "/static/%2e%2e/app.py", "/static/vendor/../../app.py",
                "/static/" + "../" * 12 + "etc/passwd", "/static/" + "%2e%2e/" * 12 + "etc/passwd"]
    for target in targets:
        status, body = _raw_get(live_server, target)
        assert SECRET not in body and "def build_app" not in body and "root:x:0:0" not in body, (target, status)
        assert status in (400, 404), (target, status)


def test_graph_file_traversal_never_returns_a_planted_secret(live_server, planted_secret):
    from urllib.parse import quote

    status, body = _raw_get(live_server, "/graph_view/file?path=linkgraph/g1/edges.csv")
    assert (status, body) == (200, "source,target\na,b\n")  # the route does serve graph files
    attempts = ["linkgraph/g1/leak.csv", "linkgraph/../secret.csv", "linkgraph/g1/../../secret.csv",
                "secret.csv", str(planted_secret), "/" + str(planted_secret), "linkgraph/g1/..\\..\\secret.csv",
                "linkgraph/g1/%2e%2e/%2e%2e/secret.csv", "linkgraph/g1/edges.csv\x00/../../../secret.csv",
                "~/secret.csv", "linkgraph//../secret.csv", "./linkgraph/./../secret.csv"]
    for attempt in attempts:
        for target in (f"/graph_view/file?path={quote(attempt, safe='')}", f"/graph_view/file?path={quote(attempt)}"):
            status, body = _raw_get(live_server, target)
            assert SECRET not in body, (attempt, status)
            assert status in (400, 404), (attempt, status, body[:100])


def test_error_pages_are_drawn_in_the_shell(client, app):
    r = client.get("/nope", headers={"Accept": "text/html"})
    assert r.status_code == 404
    html = r.text
    # Nav, theme and the live link, like any page: a dark theme stays dark on a 404.
    for marker in ('id="app-menu"', 'id="theme-toggle"', 'data-theme="', "There is nothing at this address.",
                   "Back to Cardflow", "<title>Error 404 · Cardflow</title>"):
        assert marker in html, marker
    # htmx requests still get the bare fragment, with the same status.
    r = client.get("/nope", headers={"HX-Request": "true"})
    assert r.status_code == 404 and r.text.startswith("<div class='error-fragment'")


def test_help_page_text_reads_cleanly(client):
    html = client.get("/help").text
    assert "App: " not in html.split('id="app-menu"')[1].split("</summary>")[0]  # "Apps", not "App: Apps"
    assert "`" not in html.split('class="help"')[1]
    assert "<code>cardflow doctor</code>" in html
    assert 'dir="rtl"' not in html and "Manage profiles…" in html


def test_an_error_page_falls_back_to_the_small_page_when_the_shell_fails(client, monkeypatch):
    import cardflow.shell

    def broken(*args, **kw):
        raise RuntimeError("the shell itself is broken")

    monkeypatch.setattr(cardflow.shell, "page", broken)  # the shell draws error pages (ctx.error_shell)
    r = client.get("/nope")
    assert r.status_code == 404 and "There is nothing at this address." in r.text and "Back to Cardflow" in r.text
    assert 'id="app-menu"' not in r.text and "the shell itself is broken" not in r.text
