"""MCP with the official SDK's own client: over stdio (`cardflow mcp`) and over /mcp on a live server."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from cardflow.db import Database

pytestmark = pytest.mark.live


def hello_flow_state(data_dir: Path, key: str) -> dict[str, Any]:
    state = json.loads(Database(data_dir / "cardflow.db").query("SELECT data FROM pipeline WHERE key = ?",
                                                                (key,))[0]["data"])
    return {k: v for k, v in state.items() if k not in ("created", "updated")}


async def drive_hello(client: Client, key: str) -> list[Any]:
    """Hello end to end, as an agent would; returns the refusals met on the way."""
    refusals = []
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert {"hello.start", "hello.submit", "hello.finalize", "tasks.add"} <= set(tools)
    assert tools["hello.state"].annotations.read_only_hint is True
    assert tools["hello.delete"].annotations.destructive_hint is True
    started = await client.call_tool("hello.start", {"key": key})
    assert not started.is_error and started.structured_content["result"]["next_step"] == "name"
    empty = await client.call_tool("hello.submit", {"key": key, "step": "name", "value": ""})
    refusals.append(empty)
    assert not (await client.call_tool("hello.submit", {"key": key, "step": "name", "value": "Ada"})).is_error
    greeting = await client.call_tool("hello.submit", {"key": key, "step": "greeting", "value": "Hello, Ada!"})
    assert not greeting.is_error
    done = await client.call_tool("hello.finalize", {"key": key})
    assert done.structured_content["result"]["finalized"] is True
    refusals.append(await client.call_tool("hello.submit", {"key": key, "step": "name", "value": "Bob"}))
    refusals.append(await client.call_tool("hello.submit", {"key": key, "step": "nope", "value": "x"}))
    refusals.append(await client.call_tool("no.such_tool", {}))
    refusals.append(await client.call_tool("tasks.add", {"name": ["a", "list"]}))
    refusals.append(await client.call_tool("tasks.add", {"name": "x", "extra": 1}))
    resource = await client.read_resource(f"cardflow://workflow/hello/{key}")
    assert json.loads(resource.contents[0].text)["finalized"] is True
    return refusals


def check_refusals(refusals: list[Any]) -> None:
    texts = [r.content[0].text for r in refusals]
    assert all(r.is_error for r in refusals), texts
    assert texts[0] == "This field is required."
    assert "finalized" in texts[1]
    assert texts[2] == "“step” must be one of: name, greeting."
    assert "There is no action “no.such_tool”" in texts[3]
    assert texts[4] == "“name” must be text."
    assert "Unknown parameter “extra”" in texts[5]


def test_mcp_over_stdio_runs_hello_end_to_end(data_dir: Path) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "cardflow", "mcp", "--data-dir", str(data_dir)],
                                   env={"CARDFLOW_LLM": "scripted", "OLLAMA_HOST": "http://127.0.0.1:9"})

    async def main() -> list[Any]:
        async with Client(params) as client:
            return await drive_hello(client, "agent-run")

    check_refusals(asyncio.run(main()))
    assert hello_flow_state(data_dir, "agent-run") == {
        "name": {"name": "Ada"}, "greeting": {"greeting": "Hello, Ada!"}, "finalize": {"finalized": True}}


def browser_flow_state(live_server: Any, key: str) -> dict[str, Any]:
    """The same run through the web form's routes, as the page posts them."""
    with live_server.client() as http:
        assert http.post("/hello/init", data={"key": key}).status_code == 200
        assert http.post(f"/hello/step/name?key={key}", data={"name": "Ada"}).status_code == 200
        assert http.post(f"/hello/step/greeting?key={key}", data={"greeting": "Hello, Ada!"}).status_code == 200
        assert http.post(f"/hello/finalize?key={key}").status_code == 200
    return hello_flow_state(live_server.data_dir, key)


def test_mcp_over_http_matches_the_browser_flow(live_server: Any) -> None:
    token = (live_server.data_dir / "mcp-token").read_text().strip()
    assert (live_server.data_dir / "mcp-token").stat().st_mode & 0o777 == 0o600

    async def main() -> list[Any]:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        async with http, Client(streamable_http_client(f"{live_server.url}/mcp", http_client=http)) as client:
            return await drive_hello(client, "agent-run")

    check_refusals(asyncio.run(main()))
    assert hello_flow_state(live_server.data_dir, "agent-run") == browser_flow_state(live_server, "form-run")
    log = Database(live_server.data_dir / "cardflow.db").query("SELECT actor, action FROM action_log ORDER BY id")
    assert [r["action"] for r in log if r["actor"] == "mcp"] == [
        "hello.start", "hello.submit", "hello.submit", "hello.finalize"]


def test_mcp_http_refuses_strangers(live_server: Any) -> None:
    token = (live_server.data_dir / "mcp-token").read_text().strip()
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    url = f"{live_server.url}/mcp"
    assert httpx.post(url, json=body, headers=headers).status_code == 401
    assert httpx.post(url, json=body, headers={**headers, "Authorization": "Bearer wrong"}).status_code == 401
    auth = {**headers, "Authorization": f"Bearer {token}"}
    assert httpx.post(url, json=body, headers={**auth, "Origin": "http://evil.example"}).status_code == 403
    assert httpx.get(url, headers={**auth, "Origin": "http://evil.example"}).status_code == 403
    assert httpx.post(url, json=body, headers={**auth, "Host": "evil.example"}).status_code == 400
    assert httpx.post(url, json=body, headers={**auth, "Origin": "null"}).status_code == 403
