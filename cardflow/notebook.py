"""Use Cardflow's state from a notebook: `from cardflow import notebook as cf; cf.open()`.

It opens the same SQLite file as the server (the same data dir rules: CARDFLOW_DATA_DIR, or
~/.local/share/cardflow), so a step saved here shows in the web UI on the next load of that
workflow. WAL mode and the busy timeout make it safe while the server runs: writes from both
sides queue rather than collide.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from cardflow.config import Settings, from_env
from cardflow.db import Database
from cardflow.pipeline import Pipulate

if TYPE_CHECKING:
    from cardflow.workflow import Workflow

_current: Session | None = None


@dataclass
class Flow:
    """One workflow class, driven from Python with the same validation as its web form."""

    session: Session
    cls: type[Workflow]

    @property
    def name(self) -> str:
        return self.cls.name

    def start(self, key: str) -> dict[str, Any]:
        profile_id = self.session.db.store.get("last_profile_id") or 1
        return self.session.pipulate.initialize_if_missing(key, {"app_name": self.name, "profile_id": profile_id})

    def submit(self, key: str, step_id: str, value: Any) -> dict[str, Any]:
        """Validate `value` with the step's field (as the web form would) and save it."""
        step = next((s for s in self.cls.steps if s.id == step_id), None)
        if step is None:
            raise KeyError(f"{self.name} has no step {step_id!r}; steps: {[s.id for s in self.cls.steps]}")
        if step.field is not None and isinstance(value, str | int | float | bool):
            value = step.field.parse(str(value) if not isinstance(value, bool) else ("on" if value else ""))
        return self.session.pipulate.set_step_data(key, step_id, {step_id: value})

    def suggest(self, key: str, step_id: str) -> Any:
        step = next(s for s in self.cls.steps if s.id == step_id)
        state = self.state(key)
        values = {s.id: state[s.id].get(s.id) for s in self.cls.steps if isinstance(state.get(s.id), dict)}
        return step.suggest(values) if step.suggest else None

    def state(self, key: str) -> dict[str, Any]:
        return self.session.pipulate.read_state(key)

    def finalize(self, key: str) -> dict[str, Any]:
        return self.session.pipulate.finalize(key)

    def keys(self) -> list[dict[str, Any]]:
        return self.session.pipulate.list_keys(self.name)

    def url(self, key: str) -> str:
        return f"{self.session.settings.base_url}/{self.name}?{urlencode({'key': key})}"


class Session:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.db_path)
        self.pipulate = Pipulate(self.db)

    def flow(self, name: str) -> Flow:
        from cardflow.workflow import Workflow

        for cls in _workflow_classes(self.settings):
            if cls.name == name and issubclass(cls, Workflow):
                return Flow(self, cls)
        raise KeyError(f"No workflow named {name!r}")

    def keys(self, app: str | None = None) -> list[dict[str, Any]]:
        return self.pipulate.list_keys(app)


def _workflow_classes(settings: Settings) -> list[type[Workflow]]:
    import cardflow.apps as builtin
    from cardflow.workflow import Workflow

    modules = [importlib.import_module(f"cardflow.apps.{m.name}") for m in pkgutil.iter_modules(builtin.__path__)]
    plugins = settings.plugins_dir or settings.data_dir / "plugins"
    if plugins.is_dir():
        from cardflow.plugins import _load_file

        modules += [_load_file(p) for p in sorted(plugins.glob("*.py")) if not p.name.startswith("_")]
    return [obj for mod in modules for _, obj in inspect.getmembers(mod, inspect.isclass)
            if issubclass(obj, Workflow) and obj is not Workflow and obj.name]


def open(data_dir: str | Path | None = None) -> Session:
    """Bind to the server's data dir (or `data_dir`) and return the session, also kept as the default."""
    global _current
    _current = Session(from_env(data_dir=Path(data_dir).expanduser() if data_dir else None))
    return _current


def session() -> Session:
    return _current or open()


def flow(name: str) -> Flow:
    return session().flow(name)


def keys(app: str | None = None) -> list[dict[str, Any]]:
    return session().keys(app)


def state(key: str) -> dict[str, Any]:
    return session().pipulate.read_state(key)


def set_step_data(key: str, step_id: str, data: dict[str, Any]) -> dict[str, Any]:
    return session().pipulate.set_step_data(key, step_id, data)


def get_step_data(key: str, step_id: str, default: Any = None) -> Any:
    return session().pipulate.get_step_data(key, step_id, default)


def finalize(key: str) -> dict[str, Any]:
    return session().pipulate.finalize(key)

