"""What an action is, what its handler receives, and what a run returns.

An action is one typed ability of an app: `tasks.add`, `hello.submit`, `graph_view.search`. The
same object serves the UI, the assistant, MCP and the CLI; the runner (`runner.py`) is the one
place that validates, scopes, logs and publishes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cardflow.actions.schema import Schema, obj

if TYPE_CHECKING:
    from cardflow.plugins import Context

ACTORS = ("ui", "assistant", "mcp", "cli")
Handler = Callable[["Call"], Any | Awaitable[Any]]


@dataclass(frozen=True)
class Action:
    """One ability. Flags are facts about the handler, used by every caller:

    - `read_only`: never changes data (a question may run it; MCP marks it readOnlyHint);
    - `destructive`: deletes or discards work (MCP's destructiveHint; undo restores it);
    - `confirm`: the assistant asks the user before running it.
    """

    name: str  # "<app>.<verb>"
    description: str  # starts with a verb: its first clause completes "I will …" (chat/choice.py)
    handler: Handler
    params: Schema = field(default_factory=obj)
    result: Schema = field(default_factory=lambda: {"type": "object"})
    read_only: bool = False
    destructive: bool = False
    confirm: bool = False
    app: str = ""  # the app that offers it; the assistant sees an app's actions while it is open
    # The app whose rows its "item" names, when that is not ``app`` (a global action on one app's
    # rows: profiles.switch, offered everywhere, names a profile). The assistant takes the row among
    # that app's rows, named by the user's words (chat/intent.py).
    rows_of: str = ""
    # A free-text parameter that names one of a set of things which are not rows (home.open_app's
    # "app": the apps' titles), with a function giving them now. The user's words must name one,
    # as they name a row; a call naming none rests on nothing they said (chat/grounding.py).
    named: Mapping[str, Callable[[], Sequence[str]]] = field(default_factory=dict)
    # Requests a user might write for it ("remove the cat task"): the assistant primes its choice
    # with them (chat/choice.py), so an app teaches the model its own ways of being asked.
    examples: tuple[str, ...] = ()
    # How each value of a parameter that takes one of a few words is said after the action's verb
    # and its row (a move's "bottom": "to the end of the list, last"): the assistant reads which
    # one the user's words make likeliest in plain words rather than as JSON (chat/values.py).
    phrases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Changes every row of the profile at once (a clear), naming none: the assistant does not take
    # it for a message that names one row ("forget the library books, remove them"), chat/intent.py.
    every: bool = False
    # The boolean parameter that records a row's deed as done, for an app whose rows name things to
    # do ("call Bob"): a message reporting the deed done ("I called Bob") asks for this action though
    # it names none (chat/deeds.py).
    deed_flag: str = ""
    # Offered to the chat assistant. Off where a chat line can carry neither the input nor the
    # result (a file, a bulk CSV, a zip): the model would only be given more ways to be wrong.
    chat: bool = True
    # Awaited before the handler (validation that may wait, e.g. a step's async submit hook) and
    # outside the transaction, so the handler that writes stays synchronous and its change and
    # its `action_log` row commit together: one commit, one fsync.
    precheck: Callable[[Call], Awaitable[None]] | None = None
    # The handler only writes rows and publishes events: its commit (the fsync) may run in a
    # worker thread while the event loop serves other requests (`Database.write`). Not for a
    # handler that starts loop work reading what it wrote (a job task).
    commit_off_loop: bool = False
    # What a call would do, in words, for a proposal waiting for Confirm ("Delete task “x”");
    # without one, a proposal lists the call's parameters.
    preview: Callable[[dict[str, Any]], str] | None = None

    @property
    def title(self) -> str:
        return self.name.replace("_", " ").replace(".", ": ", 1)

    def describe(self) -> dict[str, Any]:
        """The action as data: what `cardflow actions --json` prints and MCP lists."""
        return {"name": self.name, "description": self.description, "parameters": self.params,
                "result": self.result, "read_only": self.read_only, "destructive": self.destructive,
                "confirm": self.confirm, "app": self.app}


@dataclass
class Change:
    """One row as it was and as it became; `None` on either side means it did not exist."""

    table: str
    key: str | int
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "key": self.key, "before": self.before, "after": self.after}


@dataclass
class Call:
    """What a handler receives: validated parameters, the profile, who is asking, and a change log."""

    ctx: Context
    action: Action
    params: dict[str, Any]
    profile_id: int
    actor: str
    origin: str | None = None  # the page that asked (its SSE stream is spared the echo)
    changes: list[Change] = field(default_factory=list)
    summary: str = ""  # one line for the receipt: "Added task “buy milk”."
    prepared: Any = None  # what the action's `precheck` found, for its handler

    def record(self, table: str, key: str | int, before: dict[str, Any] | None,
               after: dict[str, Any] | None) -> None:
        """Record a changed row whole, as the table holds it: undo writes `before` back as it is."""
        self.changes.append(Change(table, key, before, after))

    def say(self, summary: str) -> None:
        self.summary = summary

    def set_store(self, key: str, value: Any) -> None:
        """Set a `store` value (the DictLikeDB) and record its row before and after, so undo works."""
        db = self.ctx.db

        def row() -> dict[str, Any] | None:
            rows = db.query("SELECT key, value FROM store WHERE key = ?", (key,))
            return rows[0] if rows else None

        before = row()
        if db.store.get(key) != value:
            db.store[key] = value
            self.record("store", key, before, row())


@dataclass
class Outcome:
    """What a run returns to every caller."""

    action: str
    result: Any
    summary: str = ""
    changes: list[Change] = field(default_factory=list)
    log_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "result": self.result, "summary": self.summary, "log_id": self.log_id}
