"""A change made by an agent over /mcp shows live in a page the user has open."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.e2e.helpers import wait_for_live_link

pytestmark = pytest.mark.e2e


def call_tools(live_server: Any, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    token = (live_server.data_dir / "mcp-token").read_text().strip()

    async def main() -> list[Any]:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        async with http, Client(streamable_http_client(f"{live_server.url}/mcp", http_client=http)) as client:
            return [await client.call_tool(name, args) for name, args in calls]

    # Playwright's sync API keeps an event loop running in this thread: the client gets its own.
    with ThreadPoolExecutor(1) as pool:
        results = pool.submit(asyncio.run, main()).result(timeout=60)
    assert not any(r.is_error for r in results), [r.content for r in results]
    return results


def test_an_mcp_submit_updates_the_open_workflow_page(page: Any, live_server: Any) -> None:
    page.goto("/hello")
    page.fill("#hello-key-input", "live-run")
    page.get_by_role("button", name="Start or resume").click()
    page.locator("#field-name").wait_for()
    wait_for_live_link(page)

    call_tools(live_server, [("hello.submit", {"key": "live-run", "step": "name", "value": "Grace"})])
    page.locator("#hello-name.locked").wait_for()  # no reload: the chain reloaded itself over SSE
    assert "Grace" in page.locator("#hello-name").inner_text()
    assert page.locator("#field-greeting").input_value() == "Hello, Grace!"

    call_tools(live_server, [("hello.submit", {"key": "live-run", "step": "greeting", "value": "Hi, Grace!"}),
                             ("hello.finalize", {"key": "live-run"})])
    page.get_by_role("button", name="🔓 Unlock").wait_for()
    assert page.dialogs == [] and page.js_errors == []


def test_an_mcp_task_shows_in_the_open_task_list(page: Any, live_server: Any) -> None:
    page.goto("/tasks")
    page.locator("#tasks-add").wait_for()
    wait_for_live_link(page)
    call_tools(live_server, [("tasks.add", {"name": "<b>from the agent</b>"})])
    page.get_by_text("<b>from the agent</b>").wait_for()  # shown literally, not as markup
    assert page.locator("#tasks-list b").count() == 0
