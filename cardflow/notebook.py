"""Use Cardflow's state from a notebook: `from cardflow import notebook as cf; cf.open()`.

Everything the bridge refuses raises `CardflowError`, whose one-line message is what a notebook
shows (no traceback through Cardflow's internals).

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
from cardflow.errors import Problem
from cardflow.fields import ValidationError
from cardflow.nbexport import field_data
from cardflow.pipeline import KeyNotFound, Pipulate
from cardflow.steps import Step
from cardflow.workflow_ops import WorkflowOps

if TYPE_CHECKING:
    from cardflow.workflow import Workflow

_current: Session | None = None


class CardflowError(Problem, ValueError):
    """Everything the bridge refuses, with one line that says why and what to do.

    A ValueError too, so code written against the bridge's first version still catches it.
    """

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback through Cardflow's internals.
        return [f"CardflowError: {self}"]


@dataclass
class Flow:
    """One workflow class, driven from Python with the same validation as its web form."""

    session: Session
    cls: type[Workflow]

    @property
    def name(self) -> str:
        return self.cls.name

    def _step(self, step_id: str) -> Step:
        step = next((s for s in self.cls.steps if s.id == step_id), None)
        if step is None:
            raise CardflowError(f"{self.name} has no step {step_id!r}; its steps are "
                                f"{', '.join(s.id for s in self.cls.steps)}.")
        return step

    def start(self, key: str) -> dict[str, Any]:
        """Start the run `key` (as the web form's key box does), or resume it."""
        try:
            key = WorkflowOps.clean_key(key)
        except ValidationError as exc:
            raise CardflowError(str(exc)) from None
        owner = self.session.pipulate.app_of(key)
        if owner not in (None, self.name, ""):
            raise CardflowError(f"The key {key!r} is already used by the {owner} workflow: choose another key.")
        profile_id = self.session.db.store.get("last_profile_id") or 1
        return self.session.pipulate.initialize_if_missing(key, {"app_name": self.name, "profile_id": profile_id})

    def _writable(self, key: str, step: Step) -> dict[str, Any]:
        state = self.start(key)
        if state.get("finalize", {}).get("finalized"):
            raise CardflowError(f"The run {key!r} is finalized: unlock it in the app (or use another key) "
                                "to change a step.")
        ids = [s.id for s in self.cls.steps]
        first = next((s for s in self.cls.steps if not isinstance(state.get(s.id), dict)), None)
        if first is not None and ids.index(first.id) < ids.index(step.id):
            raise CardflowError(f"Save {first.id!r} first: the steps of {self.name} are done in order.")
        return state

    def submit(self, key: str, step_id: str, value: Any) -> dict[str, Any]:
        """Validate `value` with the step's field (as the web form would) and save it.

        A new key is started first, as the web form's key box does.
        """
        step = self._step(step_id)
        if step.job is not None or step.submit is not None:
            kind = "a job step" if step.job is not None else "a step with its own form"
            raise CardflowError(f"{step_id!r} is {kind}: write its data whole with "
                                f"flow.save(key, {step_id!r}, {{...}}), or run it in the app.")
        self._writable(key, step)
        try:
            data = field_data(step, value)
        except ValidationError as exc:
            raise CardflowError(f"{step.title} ({step_id}): {exc}") from None
        return self.session.pipulate.set_step_data(key, step_id, data)

    def save(self, key: str, step_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Write a step's whole data as it is stored (a job's result, a custom form's fields), unchecked
        by its field: what an exported notebook uses for steps that `submit` cannot reproduce."""
        step = self._step(step_id)
        if not isinstance(data, dict):
            raise CardflowError(f"flow.save takes the step's data as a dict, such as {{{step_id!r}: ...}}.")
        self._writable(key, step)
        try:
            return self.session.pipulate.set_step_data(key, step_id, data)
        except (TypeError, ValueError) as exc:
            raise CardflowError(f"The data of {step_id!r} cannot be stored: {exc}") from None

    def suggest(self, key: str, step_id: str) -> Any:
        step = self._step(step_id)
        state = self.state(key)
        values = {s.id: state[s.id].get(s.id) for s in self.cls.steps if isinstance(state.get(s.id), dict)}
        try:
            return step.suggest(values) if step.suggest else None
        except (KeyError, TypeError, ValueError):
            raise CardflowError(f"{step_id!r} has no suggestion yet: save the steps before it first.") from None

    def state(self, key: str) -> dict[str, Any]:
        return self.session.pipulate.read_state(key)

    def finalize(self, key: str) -> dict[str, Any]:
        state = self.state(key)
        if not state:
            raise CardflowError(f"There is no run {key!r}: start it with flow.start(key).")
        first = next((s for s in self.cls.steps if not isinstance(state.get(s.id), dict)), None)
        if first is not None:
            raise CardflowError(f"{first.id!r} is still open: save every step before finalizing.")
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
        names = sorted(c.name for c in _workflow_classes(self.settings))
        raise CardflowError(f"No workflow named {name!r}; there are: {', '.join(names)}.")

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
    try:
        return session().pipulate.set_step_data(key, step_id, data)
    except KeyNotFound:
        raise CardflowError(f"There is no run {key!r}: start it first (cf.flow(app).start(key)).") from None


def get_step_data(key: str, step_id: str, default: Any = None) -> Any:
    return session().pipulate.get_step_data(key, step_id, default)


def finalize(key: str) -> dict[str, Any]:
    try:
        return session().pipulate.finalize(key)
    except KeyNotFound:
        raise CardflowError(f"There is no run {key!r}: start it first (cf.flow(app).start(key)).") from None

