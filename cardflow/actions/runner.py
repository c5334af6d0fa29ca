"""The action registry and its one execution path.

Every caller (UI routes, the assistant, MCP, the CLI) goes through `ActionRegistry.run`, which
1. finds the action (an unknown name is a Problem, 404);
2. validates the parameters against the action's schema (wrong type, missing or extra → Problem);
3. scopes the run to a profile that exists;
4. runs the handler: a sync handler inside one transaction together with its `action_log` row, so
   a failure leaves nothing behind; an async one (which may wait on the network) logs after;
5. records every data-changing run in `action_log` with the actor, parameters, result and the
   rows before and after.

Apps declare actions through `AppPlugin.actions()`; built-in and third-party apps alike are
collected from the app registry by `collect()`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from loguru import logger

from cardflow.actions.base import ACTORS, Action, Call, Outcome
from cardflow.actions.log import write_log
from cardflow.actions.schema import validate
from cardflow.errors import Problem
from cardflow.events import HELD

if TYPE_CHECKING:
    from cardflow.plugins import Context

MAX_PARAMS_CHARS = 100_000


class ActionRegistry:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._actions: dict[str, Action] = {}
        self.errors: list[str] = []
        # Told of every run that changed something, after it is durable (the chat re-reads the rows).
        # A listener that raises is logged; the change it was told of stands.
        self.on_change: list[Callable[[Call], None]] = []

    # -- declaring -------------------------------------------------------------------------
    def add(self, action: Action) -> None:
        if action.name in self._actions:
            self.errors.append(f"{action.name}: declared twice; the first one is kept")
            logger.error(f"Duplicate action {action.name!r} skipped")
            return
        self._actions[action.name] = action

    def collect(self) -> None:
        """Every loaded app's actions, in menu order; an app whose `actions()` fails is logged and skipped."""
        for plugin in self.ctx.registry.plugins:
            try:
                declared = list(plugin.actions())
            except Exception as exc:  # a broken plugin must not take the others down
                logger.exception(f"Skipping the actions of {plugin.name}: {exc}")
                self.errors.append(f"{plugin.name}: {exc}")
                continue
            for action in declared:
                self.add(action)

    # -- finding ---------------------------------------------------------------------------
    def get(self, name: str) -> Action:
        action = self._actions.get(name) if isinstance(name, str) else None
        if action is None:
            raise Problem(f"There is no action “{str(name)[:80]}”. `cardflow actions` lists them.", 404)
        return action

    def all(self) -> list[Action]:
        return list(self._actions.values())

    def for_app(self, app: str) -> list[Action]:
        """What the assistant may use while `app` is open: that app's actions and the global ones."""
        return [a for a in self._actions.values() if a.app in (app, "")]

    def __contains__(self, name: object) -> bool:
        return name in self._actions

    def __len__(self) -> int:
        return len(self._actions)

    # -- running ---------------------------------------------------------------------------
    def profile(self, profile_id: int | None) -> int:
        if profile_id is None:
            return self.ctx.current_profile_id()
        if self.ctx.db.conn.execute("SELECT 1 FROM profile WHERE id = ?", (profile_id,)).fetchone() is None:
            raise Problem(f"There is no profile with id {profile_id}.", 404)
        return profile_id

    def prepare(self, name: str, params: Any, *, actor: str, profile_id: int | None = None,
                origin: str | None = None) -> Call:
        """Everything before the handler: lookup, validation, scope. Raises Problem."""
        if actor not in ACTORS:
            raise ValueError(f"unknown actor {actor!r}")
        action = self.get(name)
        params = {} if params is None else params
        if not isinstance(params, dict):
            raise Problem("The parameters must be a JSON object of names and values.")
        try:
            size = len(json.dumps(params))
        except (TypeError, ValueError):
            raise Problem("The parameters contain values that are not JSON.") from None
        if size > MAX_PARAMS_CHARS:
            raise Problem("The parameters are too long.", 413)
        clean = validate(action.params, params)
        return Call(self.ctx, action, clean, self.profile(profile_id), actor, origin)

    async def run(self, name: str, params: Any = None, *, actor: str, profile_id: int | None = None,
                  origin: str | None = None) -> Outcome:
        call = self.prepare(name, params, actor=actor, profile_id=profile_id, origin=origin)
        action = call.action
        if action.precheck is not None:
            await action.precheck(call)
        if inspect.iscoroutinefunction(action.handler):
            result = await action.handler(call)
            log_id = self._log(call, result)
        elif action.commit_off_loop and not action.read_only:
            result, log_id = await self._write_off_loop(call)
        else:
            with self.ctx.db.transaction():  # the change and its log row land together or not at all
                result, log_id = self._apply(call)
        if call.changes and not action.read_only:
            for listener in self.on_change:
                try:
                    listener(call)
                except Exception:
                    logger.exception(f"on_change listener failed after {action.name}")
        return Outcome(action.name, result, call.summary, call.changes, log_id)

    def _apply(self, call: Call) -> tuple[Any, int | None]:
        result = call.action.handler(call)
        if inspect.isawaitable(result):
            raise TypeError(f"{call.action.name}: a sync handler returned an awaitable")
        return result, self._log(call, result)

    async def _write_off_loop(self, call: Call) -> tuple[Any, int | None]:
        """The change and its log row in one transaction whose commit runs in a worker thread.

        What the handler publishes is held until the commit is durable: no open page is told of a
        change it cannot read yet, nor of one that was rolled back."""
        token = HELD.set([])
        try:
            result, log_id = await self.ctx.db.write(lambda: self._apply(call))
            held = HELD.get() or []
        finally:
            HELD.reset(token)
        for name, data, profile_id, exclude in held:
            self.ctx.events.publish(name, data, profile_id=profile_id, exclude=exclude)
        return result, log_id

    def _log(self, call: Call, result: Any) -> int | None:
        if call.action.read_only or not call.changes:
            return None
        return write_log(self.ctx.db, call, result)
