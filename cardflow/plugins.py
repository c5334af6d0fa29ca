"""The plugin registry: the one way an app gets routes and a place in the menu.

An app is a subclass of `AppPlugin`. Built-in apps are the modules of `cardflow.apps`; a user's
single-file apps live in the plugins dir; third-party packages expose the entry point group
`cardflow.apps` (a module or a class). All three are collected by `collect_from()`, the same code
path, and a plugin that fails to import or to register is logged and skipped.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import pkgutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from loguru import logger

from cardflow.page_profile import page_profile

if TYPE_CHECKING:
    from fasthtml.common import FT, FastHTML
    from starlette.requests import Request

    from cardflow.actions import Action, ActionRegistry
    from cardflow.chat.conversation import Conversation
    from cardflow.chat.service import ChatService
    from cardflow.config import Settings
    from cardflow.db import Database
    from cardflow.events import Broadcaster
    from cardflow.jobs import JobManager
    from cardflow.pipeline import Pipulate

ENTRY_POINT_GROUP = "cardflow.apps"

Handler = TypeVar("Handler", bound=Callable[..., Any])
# A plugin source: a label for messages, and a loader returning a module, a class or a list of them.
Source = tuple[str, Callable[[], Any]]


def route(app: FastHTML, path: str, methods: Iterable[str] = ("get",),
          name: str | None = None) -> Callable[[Handler], Handler]:
    """`app.route` with a type. FastHTML's decorator is untyped; it returns a wrapper that calls the
    handler with the same arguments, so typing it as returning the handler keeps handlers typed."""
    decorator: Callable[[Handler], Handler] = app.route(path, methods=list(methods), name=name)
    return decorator


@dataclass
class Context:
    """What every app may use; built once by `build_app` and handed to each plugin."""

    settings: Settings
    db: Database
    events: Broadcaster
    pipulate: Pipulate
    conversation: Conversation
    jobs: JobManager
    app: FastHTML
    # Set by build_app before any plugin registers; typed so that apps and tests need no string keys.
    registry: Registry = field(default_factory=lambda: Registry())
    chat: ChatService = field(init=False)
    actions: ActionRegistry = field(init=False)  # collected from every app once all have registered
    # (title, message) -> a whole error page inside the app's shell; set by the shell (errors.py uses it).
    error_shell: Callable[[str, str], str] | None = None
    # (database version, page profile, answer) of the last current_profile_id() call.
    _profile_memo: tuple[tuple[int, int], int | None, int] | None = field(default=None, init=False, repr=False)

    def current_profile_id(self) -> int:
        """The profile of the page that sent this request; else the last choice; else the first profile.

        A page asks this several times (menu, chat, body attributes); the answer is memoised on the
        database version, so it costs one query per change, not two queries per call, and a profile
        deleted or switched by anyone (another tab, the CLI, a notebook) is seen at once."""
        page = page_profile.get()
        version = self.db.version()
        memo = self._profile_memo
        if memo is not None and memo[0] == version and memo[1] == page:
            return memo[2]
        found = self.db.conn.execute(_CURRENT_PROFILE_SQL, (page,)).fetchone()
        if found is None or found[0] is None:
            # Every profile deleted behind the app's back (SQL, a notebook): start again from Default.
            self.db._ensure_default_profile()
            return self.current_profile_id()
        pid = int(found[0])
        self._profile_memo = (version, page, pid)
        return pid


# One statement for the rule above. The store holds JSON: only a plain integer counts as a choice.
_CURRENT_PROFILE_SQL = """
SELECT coalesce(
    (SELECT id FROM profile WHERE id = ?1),
    (SELECT p.id FROM profile p JOIN store s ON s.key = 'last_profile_id'
        AND s.value GLOB '[0-9]*' AND s.value NOT GLOB '*[^0-9]*' AND p.id = CAST(s.value AS INTEGER)),
    (SELECT id FROM profile WHERE active ORDER BY priority, id LIMIT 1),
    (SELECT id FROM profile ORDER BY priority, id LIMIT 1))
"""


class AppPlugin:
    """Subclass this, set the class attributes, and override `render` (and `register` for routes)."""

    name: ClassVar[str] = ""  # URL slug: the app lives at /<name>
    title: ClassVar[str] = ""
    order: ClassVar[int] = 100  # menu position, smaller first
    description: ClassVar[str] = ""
    prompt: ClassVar[str] = ""  # injected into the chat's system prompt while this app is open
    in_menu: ClassVar[bool] = True

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def path(self) -> str:
        return f"/{self.name}"

    def route(self, path: str = "", methods: Iterable[str] = ("get",),
              name: str | None = None) -> Callable[[Handler], Handler]:
        """Decorator: a route under this app's prefix (`self.route("/add", ["post"])` → POST /<name>/add)."""
        return route(self.ctx.app, f"{self.path}{path}", methods,
                     name or f"{self.name}:{path.strip('/') or 'index'}")

    def register(self) -> None:
        """Add the app's own routes. The landing page `/<name>` is added by the shell."""

    def actions(self) -> list[Action]:
        """The app's typed abilities, served to the UI, the assistant, MCP and the CLI (docs/actions.md)."""
        return []

    def facts(self, profile_id: int) -> list[str]:
        """Sentences the assistant may state about this app for this profile (its answers are grounded in them).

        Subclasses add their live state (CrudApp: counts; Workflow: steps and runs), so a small model
        answers "what does this app do?" from the app itself rather than from its imagination.
        """
        del profile_id  # the default facts are the same for every profile
        return [f"The open app is “{self.title}”.", *([self.description] if self.description else [])]

    def render(self, req: Request) -> FT:
        """The left-column content of the landing page; apps override this."""
        from fasthtml.common import H2, P

        return H2(self.title), P(self.description)

    def __ft__(self) -> FT:
        from fasthtml.common import A

        return A(self.title, href=self.path)


def _plugin_classes(module: ModuleType) -> list[type[AppPlugin]]:
    found = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if issubclass(obj, AppPlugin) and obj.__module__ == module.__name__ and obj.name:
            found.append(obj)
    return found


def collect_from(obj: Any) -> list[type[AppPlugin]]:
    """Plugin classes from a module, a class, or a list of classes."""
    if isinstance(obj, ModuleType):
        return _plugin_classes(obj)
    if inspect.isclass(obj) and issubclass(obj, AppPlugin):
        return [obj]
    if isinstance(obj, list | tuple):
        return [c for o in obj for c in collect_from(o)]
    raise TypeError(f"{obj!r} is not a Cardflow app (expected a module or an AppPlugin subclass)")


@dataclass
class Registry:
    plugins: list[AppPlugin] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def by_name(self, name: str) -> AppPlugin | None:
        return next((p for p in self.plugins if p.name == name), None)

    def menu(self) -> list[AppPlugin]:
        return [p for p in self.plugins if p.in_menu]


def discover(settings: Settings) -> list[Source]:
    """Every plugin source as (label, loader) pairs, built-ins first."""
    import cardflow.apps as builtin

    sources: list[Source] = []
    for info in sorted(pkgutil.iter_modules(builtin.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            module = f"cardflow.apps.{info.name}"
            sources.append((module, partial(importlib.import_module, module)))
    plugins_dir = settings.plugins_dir or settings.data_dir / "plugins"
    if plugins_dir.is_dir():
        for path in sorted(plugins_dir.glob("*.py")):
            if not path.name.startswith("_"):
                sources.append((str(path), partial(_load_file, path)))
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        sources.append((f"entry point {ep.name}", ep.load))
    return sources


def _load_file(path: Path) -> ModuleType:
    """Import a single-file plugin from source.

    Compiled straight from the file, never from __pycache__: a .pyc is trusted by mtime (whole
    seconds) and size, so an edit saved within the same second as the last load, keeping the same
    length, would otherwise run the old code after a reload.
    """
    name = f"cardflow_plugin_{path.stem}"
    module = ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    exec(compile(path.read_bytes(), str(path), "exec"), module.__dict__)
    return module


def load_plugins(ctx: Context, sources: list[Source] | None = None) -> Registry:
    """Load every plugin into `ctx.registry` (the same object apps already hold) and return it."""
    registry = ctx.registry
    if sources is None:
        sources = discover(ctx.settings)
    classes: list[tuple[str, type[AppPlugin]]] = []
    for label, loader in sources:
        try:
            classes += [(label, cls) for cls in collect_from(loader())]
        except Exception as exc:  # a broken plugin must not stop the server
            logger.exception(f"Skipping plugin {label}: {exc}")
            registry.errors.append(f"{label}: {exc}")
    seen: set[str] = set()
    for label, cls in sorted(classes, key=lambda lc: (lc[1].order, lc[1].name)):
        if cls.name in seen:
            registry.errors.append(f"{label}: an app named {cls.name!r} is already loaded")
            logger.error(f"Skipping plugin {label}: duplicate app name {cls.name!r}")
            continue
        try:
            plugin = cls(ctx)
            plugin.register()
        except Exception as exc:
            logger.exception(f"Skipping plugin {label}: {exc}")
            registry.errors.append(f"{label}: {exc}")
            continue
        seen.add(cls.name)
        registry.plugins.append(plugin)
    return registry
