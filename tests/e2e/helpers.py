"""Waits for conditions the browser tests share, instead of fixed sleeps.

The page's only way to learn about changes is its SSE stream, and SSE delivers events in order.
So one Poke round trip (click, then see its toast arrive over the stream) proves two things: the
stream is open, and every event published before the poke has reached the page.
"""

from __future__ import annotations

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
