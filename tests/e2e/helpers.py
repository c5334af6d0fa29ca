"""Waits for conditions the browser tests share, instead of fixed sleeps.

The page's only way to learn about changes is its SSE stream, and SSE delivers events in order.
So one Poke round trip (click, then see its toast arrive over the stream) proves two things: the
stream is open, and every event published before the poke has reached the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

_NEW_POKE_TOAST = """seen => [...document.querySelectorAll('#toasts .toast')]
    .some(t => t.innerText.includes('Poke #') && !seen.includes(t.innerText))"""


def poke_round_trip(page: Any, timeout_ms: float = 5000) -> bool:
    """Click Poke; True once a toast from this poke (one not on the page before) has arrived."""
    seen = page.locator("#toasts .toast").all_inner_texts()
    page.locator("#poke").click()
    try:
        page.wait_for_function(_NEW_POKE_TOAST, arg=seen, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return False
    return True


def wait_for_live_link(page: Any) -> None:
    """The SSE stream opens just after load; a change published before that would be missed. Poke
    until its notice comes back over the stream, which proves the stream is open."""
    for _ in range(20):
        if poke_round_trip(page, timeout_ms=500):
            return
    raise AssertionError("the page's SSE stream never opened")


def sse_barrier(page: Any) -> None:
    """Return once every event published so far has reached `page` (its stream must be open)."""
    assert poke_round_trip(page), "a poke sent over an open stream never came back"


def own_server(tmp_path_factory: Any, name: str, env: dict[str, str] | None = None) -> Iterator[Any]:
    """A live server of a module's own (its own data dir and env), for modules whose tests share
    state the conftest's `live_server` should not carry; use it as a module-scoped fixture."""
    from tests.conftest import LiveServer

    live = LiveServer(tmp_path_factory.mktemp(name) / "data", env=env or {})
    live.data_dir.mkdir()
    live.start()
    yield live
    live.stop()


def tab_on(browser: Any, server: Any, timeout_ms: float) -> Iterator[Any]:
    """A fresh context and page on `server`; a JavaScript error on the page fails the test."""
    context = browser.new_context(base_url=server.url)
    pg = context.new_page()
    pg.set_default_timeout(timeout_ms)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, errors
