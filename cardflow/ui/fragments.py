"""Memoised page fragments: markup cached on exactly the data it is drawn from.

A full page repeats the same shell on every load: the nav with its app and profile menus, the
chat column. Rebuilding those FT trees was most of a page's cost (5 ms of CPU a request). Each
fragment is now kept in a `Memo` under a key made of what it is drawn from: the registry's menu
entries, the database version (`Database.version()`, which moves on any write by anyone, this
process or another), the profile, the chat backend's status line. A change therefore makes a new
key, and the next page draws the new fragment; nothing has to remember to invalidate anything,
and a stale menu is impossible by construction. Old keys fall out oldest first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardflow.plugins import Context

# Where a page's client id goes in a cached fragment. Cached markup is shared by every page load,
# and each load is its own live client; the slot is filled by the first replacement only, and it
# comes before any user text in the fragment (it is in the fragment's opening tag).
CLIENT_SLOT = "cf-client-slot-7f3a"


class Memo:
    """A small least-recently-built cache: `get(key, build)` returns the cached value or builds it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, build: Callable[[], str]) -> str:
        found = self._items.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_chat_columns = Memo(64)


def chat_column(ctx: Context, profile_id: int) -> str:
    """The chat column's markup with CLIENT_SLOT for the client id. It is drawn from the database
    (history, chat settings) and from the backend's status line, so those make the key."""
    from fasthtml.common import to_xml

    from cardflow.chat.panel import chat_panel

    status = ctx.chat.status()

    def build() -> str:
        return str(to_xml(chat_panel(ctx, profile_id, CLIENT_SLOT), indent=False))

    # The Database object itself (not its id) keys the entry: two apps in one process (tests) never
    # share an entry, even when their version counters happen to match.
    return _chat_columns.get((ctx.db, ctx.chat, profile_id, ctx.db.version(), status), build)
