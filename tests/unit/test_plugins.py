import types

from starlette.testclient import TestClient

from cardflow.config import Settings
from cardflow.plugins import AppPlugin, collect_from, discover


def test_builtin_apps_come_from_the_same_discovery_as_third_party(tmp_path):
    sources = discover(Settings(data_dir=tmp_path))
    labels = [label for label, _ in sources]
    assert "cardflow.apps.home" in labels


def test_collect_from_module_and_class():
    mod = types.ModuleType("fake_plugin_mod")

    class One(AppPlugin):
        name = "one"
        title = "One"

    One.__module__ = mod.__name__
    mod.One = One
    assert collect_from(mod) == [One]
    assert collect_from(One) == [One]


def _app_with_plugins_dir(tmp_path, files):
    from cardflow.app import build_app

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    for name, text in files.items():
        (plugins / name).write_text(text)
    settings = Settings(data_dir=tmp_path / "data", plugins_dir=plugins, open_browser=False)
    return build_app(settings)


GOOD = '''
from fasthtml.common import P
from cardflow.plugins import AppPlugin

class Notes(AppPlugin):
    name = "notes"
    title = "Notes"
    order = 5
    description = "A third-party app"

    def render(self, req):
        return P("notes app body")
'''


def test_plugins_dir_app_is_in_menu_in_order_and_served(tmp_path):
    app = _app_with_plugins_dir(tmp_path, {"notes.py": GOOD})
    registry = app.state.ctx.registry
    names = [p.name for p in registry.menu()]
    assert names.index("home") < names.index("notes")  # order 0 before order 5
    with TestClient(app, base_url="http://127.0.0.1:5001") as c:
        assert "notes app body" in c.get("/notes").text


def test_broken_plugins_are_logged_and_skipped(tmp_path):
    app = _app_with_plugins_dir(tmp_path, {
        "syntax.py": "def broken(:\n",
        "raises.py": "raise RuntimeError('plugin import failed')\n",
        "badregister.py": GOOD.replace('name = "notes"', 'name = "bad"').replace(
            "def render", "def register(self):\n        raise ValueError('nope')\n\n    def render"),
        "notes.py": GOOD,
    })
    registry = app.state.ctx.registry
    assert {p.name for p in registry.plugins} >= {"home", "notes"}
    assert "bad" not in {p.name for p in registry.plugins}
    assert len(registry.errors) == 3
    with TestClient(app, base_url="http://127.0.0.1:5001") as c:
        assert c.get("/").status_code == 200


def test_duplicate_app_name_is_skipped(tmp_path):
    app = _app_with_plugins_dir(tmp_path, {"dup.py": GOOD.replace('name = "notes"', 'name = "home"')})
    registry = app.state.ctx.registry
    assert [p.name for p in registry.plugins].count("home") == 1
    assert any("already loaded" in e for e in registry.errors)


def test_entry_point_plugins_load_through_the_same_path(tmp_path, monkeypatch):
    """A third-party package exposing the `cardflow.apps` entry point appears in the menu."""
    import sys

    site = tmp_path / "site"
    (site / "cardflow_notes_plugin-0.1.dist-info").mkdir(parents=True)
    (site / "cardflow_notes_plugin-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cardflow-notes-plugin\nVersion: 0.1\n")
    (site / "cardflow_notes_plugin-0.1.dist-info" / "entry_points.txt").write_text(
        "[cardflow.apps]\nnotes = cardflow_notes_plugin\n")
    (site / "cardflow_notes_plugin.py").write_text(GOOD)
    monkeypatch.syspath_prepend(str(site))
    sys.modules.pop("cardflow_notes_plugin", None)
    from cardflow.app import build_app

    app = build_app(Settings(data_dir=tmp_path / "data", open_browser=False))
    registry = app.state.ctx.registry
    assert "notes" in [p.name for p in registry.menu()]
    with TestClient(app, base_url="http://127.0.0.1:5001") as c:
        assert "notes app body" in c.get("/notes").text
