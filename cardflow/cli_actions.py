"""`cardflow actions`, `cardflow call` and `cardflow mcp`: the action registry from a terminal or an agent.

All three build the app in-process against the data dir (no server needed) and go through the
same execution path as the web UI. Output is JSON on stdout; messages go to stderr; a refused
call exits with 2 and says why.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from typing import TYPE_CHECKING, Any

from loguru import logger

from cardflow.actions.resolve import pick
from cardflow.db import parse_id
from cardflow.errors import Problem

if TYPE_CHECKING:
    from cardflow.config import Settings
    from cardflow.plugins import Context

JOB_WAIT_SECONDS = 3600.0


def add_parsers(sub: Any, common: Any) -> None:
    actions = sub.add_parser("actions", help="list the actions (every app's abilities) with their parameters")
    common(actions)
    actions.add_argument("--app", help="only this app's actions")
    actions.add_argument("--json", action="store_true", help="print the full JSON schemas")

    call = sub.add_parser("call", help="run one action: cardflow call tasks.add name='buy milk'")
    common(call)
    call.add_argument("action", help="the action's name, e.g. hello.submit")
    call.add_argument("params", nargs="*", metavar="key=value",
                      help="parameters; key:=JSON passes a number, list or object as JSON")
    call.add_argument("--json", dest="json_params", metavar="OBJECT", help="parameters as one JSON object")
    call.add_argument("--profile", help="the profile to act in (name or id; default: the current one)")

    mcp = sub.add_parser("mcp", help="serve MCP over stdio for desktop and coding agents")
    common(mcp)
    mcp.add_argument("--print-config", action="store_true", help="print a config snippet for an MCP client")


def _context(settings: Settings) -> Context:
    logger.remove()
    logger.add(sys.stderr, level="WARNING", format="{message}")  # stdout carries only JSON (or MCP)
    from cardflow.app import build_app

    ctx: Context = build_app(settings).state.ctx
    return ctx


def parse_params(pairs: list[str], raw_json: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if raw_json:
        try:
            loaded = json.loads(raw_json)
        except ValueError as exc:
            raise Problem(f"--json is not valid JSON: {exc}.") from None
        if not isinstance(loaded, dict):
            raise Problem("--json must be a JSON object, such as '{\"name\": \"buy milk\"}'.")
        params.update(loaded)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise Problem(f"“{pair}” is not key=value.")
        if name.endswith(":"):
            try:
                params[name[:-1]] = json.loads(value)
            except ValueError:
                raise Problem(f"The value of {name[:-1]} is not valid JSON: {value}") from None
        else:
            params[name] = value
    return params


def list_actions(settings: Settings, app: str | None, as_json: bool) -> int:
    ctx = _context(settings)
    found = [a for a in ctx.actions.all() if app is None or a.app == app]
    if app is not None and not found:
        print(f"cardflow: no app “{app}” has actions.", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps([a.describe() for a in found], indent=1, ensure_ascii=False))
        return 0
    for a in found:
        flags = [f for f, on in (("read-only", a.read_only), ("destructive", a.destructive),
                                 ("asks first", a.confirm)) if on]
        props, required = a.params.get("properties", {}), set(a.params.get("required", []))
        params = " ".join(f"{k}{'' if k in required else '?'}=<{_kind(s)}>" for k, s in props.items())
        print(f"{a.name} {params}".rstrip() + (f"  [{', '.join(flags)}]" if flags else ""))
        print(f"    {a.description}")
    return 0


def _kind(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return "|".join(_kind(option) for option in schema["anyOf"])
    if "enum" in schema:
        return "|".join(map(str, schema["enum"]))
    kind = schema.get("type", "value")
    return "/".join(kind) if isinstance(kind, list) and len(kind) < 3 else kind if isinstance(kind, str) else "value"


def call_action(settings: Settings, args: argparse.Namespace) -> int:
    try:
        params = parse_params(args.params, args.json_params)
    except Problem as exc:
        print(f"cardflow: {exc}", file=sys.stderr)
        return 2
    ctx = _context(settings)
    try:
        outcome = asyncio.run(_run(ctx, args.action, params, args.profile))
    except Problem as exc:
        where = f"{exc.field}: " if exc.field and f"“{exc.field}”" not in str(exc) else ""
        print(f"cardflow: {args.action}: {where}{exc}", file=sys.stderr)
        return 2
    print(json.dumps(outcome, indent=1, ensure_ascii=False, default=str))
    return 0


async def _run(ctx: Context, name: str, params: dict[str, Any], profile: str | None) -> dict[str, Any]:
    pid = _profile(ctx, profile) if profile else None
    outcome = await ctx.actions.run(name, params, actor="cli", profile_id=pid)
    if ctx.jobs.tasks:  # a job step started here runs to its end before the command returns
        print("Waiting for the job to finish…", file=sys.stderr)
        await asyncio.wait(list(ctx.jobs.tasks.values()), timeout=JOB_WAIT_SECONDS)
    return outcome.as_dict()


def _profile(ctx: Context, raw: str) -> int:
    rows = ctx.db.profiles(order_by="priority, id")
    ident = parse_id(raw)
    found = pick(rows, item_id=ident, name=None if ident is not None else raw, noun="profile",
                 name_of=lambda r: str(r.name))
    return int(found.id)


def mcp_command(settings: Settings, print_config: bool) -> int:
    if print_config:
        print(json.dumps(mcp_config(settings), indent=2))
        print("Paste the stdio entry into your MCP client's config (e.g. mcpServers), or use the http entry "
              "while `cardflow serve` runs. The token is a secret.", file=sys.stderr)
        return 0
    ctx = _context(settings)
    from mcp.server.stdio import stdio_server

    from cardflow.mcp_server import build_server

    server = build_server(ctx)

    async def serve() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    asyncio.run(serve())
    return 0


def mcp_config(settings: Settings) -> dict[str, Any]:
    from cardflow.mcp_http import mcp_token

    exe = shutil.which("cardflow") or f"{sys.executable} -m cardflow"
    command, *prefix = exe.split(" ") if " " in exe and not shutil.which("cardflow") else [exe]
    return {"mcpServers": {
        "cardflow": {"command": command, "args": [*prefix, "mcp", "--data-dir", str(settings.data_dir)]},
        "cardflow-http": {"type": "http", "url": f"{settings.base_url}/mcp",
                          "headers": {"Authorization": f"Bearer {mcp_token(settings)}"}},
    }}
