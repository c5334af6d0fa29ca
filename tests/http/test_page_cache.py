"""The shell's fragments are cached (cardflow/ui/fragments.py); a change must show on the very next page."""

from __future__ import annotations

import re

import apsw
import pytest

from cardflow.plugins import AppPlugin

HX = {"HX-Request": "true"}


@pytest.fixture
def ctx(app):
    return app.state.ctx


def menu(html: str, menu_id: str) -> str:
    return html.split(f'id="{menu_id}"')[1].split("</details>")[0]


def test_profile_rename_shows_in_the_menu_at_once(client, ctx):
    client.post("/profiles/insert", data={"name": "Acme"}, headers=HX)
    assert "Acme" in menu(client.get("/").text, "profile-menu")  # cached now
    acme = ctx.db.profiles(where="name = 'Acme'")[0]
    client.post(f"/profiles/{acme.id}/update", data={"name": "Acme & Sons"}, headers=HX)
    html = menu(client.get("/").text, "profile-menu")
    assert "Acme &amp; Sons" in html and ">Acme<" not in html


def test_rename_by_another_connection_shows_too(client, ctx, settings):
    """A notebook or the CLI writes the same file through its own connection."""
    client.get("/")
    other = apsw.Connection(str(settings.db_path))
    other.execute("UPDATE profile SET name = 'Renamed elsewhere' WHERE id = 1")
    other.close()
    html = client.get("/").text
    assert 'id="current-profile">Renamed elsewhere<' in html


def test_switching_and_deactivating_profiles(client, ctx):
    client.post("/profiles/insert", data={"name": "Globex"}, headers=HX)
    globex = ctx.db.profiles(where="name = 'Globex'")[0]
    client.get("/")
    client.post("/profile/select", data={"profile_id": str(globex.id)})
    html = client.get("/").text
    assert 'id="current-profile">Globex<' in html and f'data-profile="{globex.id}"' in html
    client.post(f"/profiles/{globex.id}/toggle", headers=HX)  # inactive: out of the list, still current
    assert f'value="{globex.id}"' not in menu(client.get("/").text, "profile-menu")


def test_deleting_the_current_profile_falls_back_at_once(client, ctx):
    client.post("/profiles/insert", data={"name": "Initech"}, headers=HX)
    initech = ctx.db.profiles(where="name = 'Initech'")[0]
    client.post("/profile/select", data={"profile_id": str(initech.id)})
    assert ctx.current_profile_id() == initech.id
    client.post(f"/profiles/{initech.id}/delete", headers=HX)
    assert ctx.current_profile_id() == 1
    assert 'id="current-profile">Default<' in client.get("/").text


def test_an_app_added_to_the_registry_shows_in_the_nav(client, ctx):
    class Late(AppPlugin):
        name = "late"
        title = "Late <arrival>"
        description = "Joined after the first page."

    assert "/late" not in menu(client.get("/").text, "app-menu")
    ctx.registry.plugins.append(Late(ctx))
    html = client.get("/help").text
    assert '<a href="/late">Late &lt;arrival&gt;</a>' in menu(html, "app-menu")
    assert "Joined after the first page." in client.get("/home").text  # the home page's list too


def test_chat_history_and_settings_show_on_the_next_page(client, ctx):
    client.get("/")
    ctx.conversation.note(1, "A note <from> a workflow")
    html = client.get("/").text
    assert "A note &lt;from&gt; a workflow" in html
    from cardflow.chat.service import TONES

    r = client.post("/chat/settings", data={"backend": "auto", "model": "", "tone": TONES[-1], "word_limit": "77"})
    assert "Saved" in r.text
    assert 'name="word_limit" min="10" max="2000" value="77"' in client.get("/").text


def test_each_page_load_is_its_own_client(client):
    a, b = client.get("/").text, client.get("/").text
    ids = [h.split('data-client="')[1].split('"')[0] for h in (a, b)]
    assert ids[0] != ids[1]
    for html, cid in zip((a, b), ids, strict=True):
        assert f"/ws?client={cid}&amp;profile=1" in html and f"/sse?client={cid}&amp;profile=1" in html
        assert "cf-client-slot" not in html


def test_theme_toggle_shows_at_once(client):
    assert 'data-theme="light"' in client.get("/").text
    client.post("/theme")
    assert 'data-theme="dark"' in client.get("/").text


def test_cached_pages_are_not_shared_between_apps(tmp_path):
    """Two apps in one process (as in tests) with equal version counters never share a fragment."""
    from starlette.testclient import TestClient

    from cardflow.app import build_app
    from cardflow.config import Settings

    pages = []
    for n in (1, 2):
        settings = Settings(data_dir=tmp_path / f"d{n}", port=5001, open_browser=False, llm="scripted",
                            ollama_host="http://127.0.0.1:9", botify_api="http://127.0.0.1:9")
        app = build_app(settings)
        app.state.ctx.db.conn.execute("UPDATE profile SET name = ? WHERE id = 1", (f"Profile of app {n}",))
        with TestClient(app, base_url="http://127.0.0.1:5001") as c:
            pages.append(c.get("/").text)
    assert "Profile of app 1" in pages[0] and "Profile of app 2" in pages[1]


def test_every_profile_deleted_behind_the_apps_back(client, ctx):
    ctx.db.conn.execute("DELETE FROM profile")
    r = client.get("/")
    assert r.status_code == 200 and 'id="current-profile">Default<' in r.text


def test_a_profile_change_redraws_each_open_page_menu_for_the_profile_it_shows(client, app):
    ctx = app.state.ctx
    first = ctx.current_profile_id()
    added = client.portal.call(lambda: ctx.actions.run("profiles.add", {"name": "Second"}, actor="ui")).result
    second = int(added["item"]["id"])
    queues = {pid: ctx.events.listen(pid) for pid in (first, second)}
    client.portal.call(lambda: ctx.actions.run("profiles.update", {"id": second, "name": "Second place"},
                                               actor="ui"))
    for pid, queue in queues.items():
        menus = []
        while not queue.empty():
            event = queue.get_nowait()
            if event is not None and event.name == "oob" and 'id="profile-menu"' in event.data:
                menus.append(event.data)
        assert menus, f"the page of profile {pid} got no menu"
        assert "Second place" in menus[-1]
        marked = re.findall(r'value="(\d+)"><button type="submit" class="menu-item current"', menus[-1])
        assert marked == [str(pid)], (pid, marked)
