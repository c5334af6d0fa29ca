"""The MCP server over the action registry (official `mcp` SDK, low-level server API).

Tools are the registry's actions: their JSON schemas as input schemas, their flags as tool
annotations (read-only, destructive). Resources are the task list and each workflow key's state.
Two transports share this one server definition:

- stdio: `cardflow mcp` runs against the data dir, for desktop and coding agents;
- streamable HTTP at `/mcp` in the running app: the app's Host and Origin checks apply, and a
  bearer token is required (`CARDFLOW_TOKEN`, else a token generated into the data dir, mode 0600).

A refused call (unknown action, bad parameters, a row from another profile, a finalized
workflow) is a tool result with `isError` and the Problem's sentence, so the agent can correct
itself; nothing is changed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import mcp_types as types
from loguru import logger
from mcp.server.lowlevel import Server

from cardflow.errors import Problem

if TYPE_CHECKING:
    from mcp.server.context import ServerRequestContext

    from cardflow.actions import Action
    from cardflow.plugins import Context

SERVER_NAME = "cardflow"
TASKS_URI = "cardflow://tasks"
FLOW_PREFIX = "cardflow://workflow/"
RESOURCE_KEYS = 200


def tool_for(action: Action) -> types.Tool:
    return types.Tool(
        name=action.name, title=action.title, description=action.description,
        input_schema=action.params,
        annotations=types.ToolAnnotations(
            title=action.title, read_only_hint=action.read_only,
            destructive_hint=action.destructive if not action.read_only else False,
            idempotent_hint=action.read_only, open_world_hint=False),
    )


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


def error_result(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


async def call_action(ctx: Context, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
    try:
        outcome = await ctx.actions.run(name, arguments or {}, actor="mcp")
    except Problem as exc:
        return error_result(str(exc))
    except Exception as exc:  # never a traceback to the agent; the log has the details
        logger.opt(exception=exc).error(f"MCP tool {name} failed")
        return error_result("The action failed on the server; the details are in Cardflow's log. "
                            "Nothing was half-saved.")
    body = outcome.as_dict()
    structured = body if isinstance(outcome.result, dict) else {**body, "result": outcome.result}
    return types.CallToolResult(content=[types.TextContent(text=_text(body))], structured_content=structured)


def flow_uri(app: str, key: str) -> str:
    return f"{FLOW_PREFIX}{quote(app, safe='')}/{quote(key, safe='')}"


def list_resources(ctx: Context) -> list[types.Resource]:
    out = [types.Resource(uri=TASKS_URI, name="tasks", title="Tasks of the current profile",
                          mime_type="application/json")]
    pid = ctx.current_profile_id()
    for row in ctx.pipulate.list_keys(profile_id=pid, limit=RESOURCE_KEYS):
        out.append(types.Resource(uri=flow_uri(row["app_name"], row["key"]), name=f"{row['app_name']}/{row['key']}",
                                  title=f"{row['app_name']} · {row['key']} ({row['status']})",
                                  mime_type="application/json"))
    return out


async def read_resource(ctx: Context, uri: str) -> str:
    if uri == TASKS_URI:
        outcome = await ctx.actions.run("tasks.list", {}, actor="mcp")
        return _text(outcome.result)
    if uri.startswith(FLOW_PREFIX):
        app, _, key = uri[len(FLOW_PREFIX):].partition("/")
        app, key = unquote(app), unquote(key)
        if f"{app}.state" in ctx.actions and key:
            outcome = await ctx.actions.run(f"{app}.state", {"key": key}, actor="mcp")
            return _text(outcome.result)
    raise Problem(f"There is no resource {uri}.", 404)


def build_server(ctx: Context) -> Server[Any]:
    async def on_list_tools(rc: ServerRequestContext[Any, Any], params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[tool_for(a) for a in ctx.actions.all()])

    async def on_call_tool(rc: ServerRequestContext[Any, Any],
                           params: types.CallToolRequestParams) -> types.CallToolResult:
        return await call_action(ctx, params.name, params.arguments)

    async def on_list_resources(rc: ServerRequestContext[Any, Any], params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=list_resources(ctx))

    async def on_list_templates(rc: ServerRequestContext[Any, Any],
                                params: Any) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=[types.ResourceTemplate(
            uri_template=FLOW_PREFIX + "{app}/{key}", name="workflow-state",
            title="A workflow key's state", mime_type="application/json")])

    async def on_read_resource(rc: ServerRequestContext[Any, Any],
                               params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        text = await read_resource(ctx, params.uri)  # a Problem becomes an MCP error response
        return types.ReadResourceResult(contents=[types.TextResourceContents(
            uri=params.uri, mime_type="application/json", text=text)])

    return Server(
        SERVER_NAME, version=_version(), title="Cardflow",
        instructions=("Cardflow runs resumable step-by-step workflows and keeps tasks per profile. Each "
                      "workflow <app> has <app>.start, <app>.submit (key, step, value), <app>.state, "
                      "<app>.finalize and more; tasks.* edit the task list. Read-only tools never change data."),
        on_list_tools=on_list_tools, on_call_tool=on_call_tool, on_list_resources=on_list_resources,
        on_list_resource_templates=on_list_templates, on_read_resource=on_read_resource,
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cardflow")
    except PackageNotFoundError:
        return "0"
