"""The backend registry: third-party backends take the built-ins' path, and the choices exist once."""

from __future__ import annotations

import asyncio
import importlib.metadata
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from starlette.testclient import TestClient

from cardflow.chat.assist import COMMAND_HELP, run_reply
from cardflow.chat.backends import Backend, BackendError, EmbeddedBackend, OllamaBackend, choose_backend
from cardflow.chat.backends import registry as registry_module
from cardflow.chat.backends.registry import BUILTINS, GROUP, backend_choices, backend_registry, load_registry
from cardflow.config import Settings, SettingsError, from_env
from cardflow.errors import Problem

ROOT = Path(__file__).resolve().parents[2]
BUILTIN_CHOICES = ("auto", "ollama", "openai", "embedded", "scripted")
HERE = __name__  # how the fake entry points below name this module


class Recording(Backend):
    """A plugin backend that remembers what it was sent."""

    calls: ClassVar[list[tuple[list[dict[str, Any]], dict[str, Any]]]]
    reply: ClassVar[str] = "Hello from a plugin."

    async def generate(self, messages: list[dict[str, Any]], model: str | None,
                       options: dict[str, Any]) -> AsyncIterator[str]:
        type(self).calls.append((messages, options))
        yield self.reply


class ToolsBackend(Recording):
    name = "toolful"
    supports_tools = True
    context_chars = 777
    calls = []


class PlainBackend(Recording):
    name = "plain"
    calls = []


class SmallBackend(Recording):
    name = "small"
    needs_intent_pass = True
    calls = []


class AutoFirstBackend(Recording):
    name = "autofirst"
    auto_order = 1  # ahead of Ollama
    calls = []

    @classmethod
    async def probe(cls, settings: Any) -> tuple[bool, str]:
        return True, "the plugin answered"


class NotABackend:
    name = "bogus"


PLUGINS = {
    "toolful": f"{HERE}:ToolsBackend",
    "plain": f"{HERE}:PlainBackend",
    "small": f"{HERE}:SmallBackend",
    "broken": "no_such_module_for_cardflow:Backend",
    "bogus": f"{HERE}:NotABackend",
    "misnamed": f"{HERE}:PlainBackend",
}


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, plugins: dict[str, str], *, keep_real: bool = True) -> None:
    """Add plugin entry points to the metadata, as `pip install some-plugin` would."""
    real = importlib.metadata.entry_points

    def entry_points(**params: Any) -> Any:
        found = list(real(**params)) if keep_real else []
        if params.get("group") == GROUP:
            found += [importlib.metadata.EntryPoint(name, value, GROUP) for name, value in plugins.items()]
        return found

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    backend_registry.cache_clear()
    for cls in (ToolsBackend, PlainBackend, SmallBackend, AutoFirstBackend):
        cls.calls.clear()
    yield
    backend_registry.cache_clear()  # the next test sees the real metadata again


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_entry_points(monkeypatch, PLUGINS)


def reply_with(data_dir: Path, llm: str, text: str) -> tuple[str, Any]:
    """One chat reply through the app's real reply path, with the given `llm` setting."""
    from cardflow.app import build_app

    app = build_app(Settings(data_dir=data_dir, open_browser=False, llm=llm, ollama_host="http://127.0.0.1:9"))
    ctx = app.state.ctx
    with TestClient(app, base_url="http://127.0.0.1:5001"):

        async def ignore(_: str) -> None:
            pass

        reply = asyncio.run(run_reply(ctx, ctx.current_profile_id(), text, ignore))
    return reply, ctx


# --- registration --------------------------------------------------------------------------------


def test_builtins_come_from_the_entry_point_group():
    assert backend_choices() == BUILTIN_CHOICES
    declared = {ep.name: ep.value for ep in importlib.metadata.entry_points(group=GROUP)}
    assert {name: declared.get(name) for name, _ in BUILTINS} == dict(BUILTINS)  # pyproject matches BUILTINS


def test_without_metadata_the_builtins_register_through_the_same_path(monkeypatch):
    fake_entry_points(monkeypatch, {"toolful": f"{HERE}:ToolsBackend"}, keep_real=False)
    registered: list[str] = []
    real_register = registry_module.BackendRegistry.register

    def spy(self: Any, name: str, target: Any) -> bool:
        registered.append(name)
        return real_register(self, name, target)

    monkeypatch.setattr(registry_module.BackendRegistry, "register", spy)
    assert load_registry().choices() == (*BUILTIN_CHOICES, "toolful")
    assert registered == ["ollama", "openai", "embedded", "scripted", "toolful"]


def test_a_plugin_appears_among_the_choices_and_broken_ones_are_skipped(plugins, caplog):
    from loguru import logger

    handler = logger.add(caplog.handler, level="WARNING", format="{message}")
    try:
        choices = backend_choices()
    finally:
        logger.remove(handler)
    assert choices == (*BUILTIN_CHOICES, "toolful", "plain", "small")
    assert backend_registry().get("toolful") is ToolsBackend
    logged = caplog.text
    assert "'broken'" in logged and "'bogus'" in logged and "'misnamed'" in logged
    assert "not a subclass" in logged and "declares name 'plain'" in logged


def test_the_chooser_builds_a_plugin_backend(plugins):
    backend, reason = asyncio.run(choose_backend("toolful"))
    assert isinstance(backend, ToolsBackend) and reason == "toolful: chosen in settings"
    with pytest.raises(BackendError, match="choose one of auto, ollama, openai, embedded, scripted, toolful"):
        asyncio.run(choose_backend("broken"))


def test_auto_follows_auto_order_and_fallback(monkeypatch):
    fake_entry_points(monkeypatch, {"autofirst": f"{HERE}:AutoFirstBackend"})
    backend, reason = asyncio.run(choose_backend("auto", ollama_host="http://127.0.0.1:9"))
    assert isinstance(backend, AutoFirstBackend) and reason == "auto: the plugin answered"
    monkeypatch.setattr(AutoFirstBackend, "probe", classmethod(lambda cls, s: _said(False, "no plugin")))
    backend, reason = asyncio.run(choose_backend("auto", ollama_host="http://127.0.0.1:9"))
    assert isinstance(backend, EmbeddedBackend)  # the local fallback still ends the search
    assert reason.startswith("auto: no plugin, no Ollama at http://127.0.0.1:9")


async def _said(ok: bool, text: str) -> tuple[bool, str]:
    return ok, text


def test_the_capabilities_are_class_attributes():
    assert OllamaBackend.supports_tools and not EmbeddedBackend.supports_tools
    assert EmbeddedBackend.needs_intent_pass and EmbeddedBackend.supports_grammar
    assert EmbeddedBackend.context_chars < OllamaBackend.context_chars
    assert isinstance(ToolsBackend(), Backend)


# --- the capabilities decide, not the name ----------------------------------------------------


def test_a_plugin_with_tools_gets_the_actions_as_tools(plugins, data_dir, monkeypatch):
    monkeypatch.setenv("CARDFLOW_LLM_TOOLS", "1")
    reply, ctx = reply_with(data_dir, "toolful", "hello there")
    assert reply == "Hello from a plugin."
    _messages, options = ToolsBackend.calls[-1]
    assert options["tools"] and {t["function"]["name"] for t in options["tools"]} >= {"home__open_app"}
    assert ctx.chat.context_budget() == 777


def test_a_plugin_without_tools_gets_none(plugins, data_dir, monkeypatch):
    monkeypatch.setenv("CARDFLOW_LLM_TOOLS", "1")
    reply_with(data_dir, "plain", "hello there")
    messages, options = PlainBackend.calls[-1]
    assert "tools" not in options
    assert COMMAND_HELP.split("\n")[0] in messages[0]["content"]  # told the command format instead


def test_a_plugin_that_needs_the_intent_pass_gets_it(plugins, data_dir):
    reply_with(data_dir, "small", "add a task to call Bob")
    _first_messages, first_options = SmallBackend.calls[0]
    assert "json_schema" in first_options  # the grammar-constrained intent call
    last_messages, _ = SmallBackend.calls[-1]
    assert COMMAND_HELP.split("\n")[0] not in last_messages[0]["content"]


# --- one list of choices ---------------------------------------------------------------------


def test_settings_accept_exactly_the_registry_names(plugins):
    for choice in backend_choices():
        assert from_env({"CARDFLOW_LLM": choice}).llm == choice
    with pytest.raises(SettingsError, match=r"must be auto, ollama, openai, embedded, scripted, toolful, plain or "
                                            r"small, not 'broken'"):
        from_env({"CARDFLOW_LLM": "broken"})


def test_the_service_and_the_form_offer_exactly_the_registry_names(plugins, data_dir):
    from fasthtml.common import to_xml

    from cardflow.app import build_app
    from cardflow.chat.panel import settings_form

    app = build_app(Settings(data_dir=data_dir, open_browser=False, llm="scripted"))
    ctx = app.state.ctx
    offered = re.findall(r'<option value="([^"]*)"', to_xml(settings_form(ctx)).split('id="chat-backend"')[1]
                         .split("</select>")[0])
    assert tuple(offered) == backend_choices()
    for choice in backend_choices():
        ctx.chat.save_settings(backend=choice)
        assert ctx.chat.choice() == choice
    with pytest.raises(Problem, match="Unknown backend 'broken'"):
        ctx.chat.save_settings(backend="broken")


def test_the_list_of_choices_is_written_once():
    """Only the registry (and pyproject.toml's entry points) spell out the built-in backends."""
    # The shape the list had when it was written out by hand: "ollama", "openai", "embedded"…
    spelled = re.compile(r"""["']ollama["'],\s*["']openai["']""")
    assert [str(p.relative_to(ROOT)) for p in (ROOT / "cardflow").rglob("*.py") if spelled.search(p.read_text())] == []


# --- settings errors are Problems --------------------------------------------------------------


def test_bad_chat_settings_raise_problem_with_the_same_messages(client, app):
    chat = app.state.ctx.chat
    with pytest.raises(Problem, match="between 10 and 2000"):
        chat.save_settings(word_limit=5)
    with pytest.raises(Problem, match="listed tones"):
        chat.save_settings(tone="rude")
    r = client.post("/chat/settings", data={"backend": "scripted", "tone": "formal", "word_limit": "many"})
    assert "The word limit must be a whole number." in r.text and 'role="alert"' in r.text
    r = client.post("/chat/settings", data={"backend": "scripted", "tone": "formal", "word_limit": ""})
    assert "Saved. Using scripted." in r.text
