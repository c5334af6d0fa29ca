"""Action round trips: `cardflow call` and an MCP tool call through /mcp, against a direct call.

All three run the same action, `tasks.list` (read-only, so every round does the same work):
- direct: `ActionRegistry.run` in this process, on an app built against a temp data dir;
- MCP: the official SDK client over streamable HTTP to a live server, one session, many calls;
- CLI: `cardflow call tasks.list` as a new process each time (what a shell script pays).
Figures are p50 over repeated calls; the ratios are to the direct call in the same run.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from bench.common import PY, ROOT, LiveServer, Row, pct, ratio, tempdir

DIRECT_N, MCP_N, CLI_N = 300, 100, 8


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def run() -> list[Row]:
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    from cardflow.app import build_app
    from cardflow.config import Settings

    with tempdir() as tmp:
        ctx = build_app(Settings(data_dir=tmp / "direct", open_browser=False, llm="scripted")).state.ctx
        for i in range(20):
            asyncio.run(ctx.actions.run("tasks.add", {"name": f"task {i}"}, actor="cli"))

        async def direct() -> list[float]:
            out = []
            for _ in range(DIRECT_N):
                t0 = time.perf_counter()
                await ctx.actions.run("tasks.list", {}, actor="cli")
                out.append(time.perf_counter() - t0)
            return out

        direct_times = asyncio.run(direct())

        server = LiveServer(tmp / "live")
        server.data_dir.mkdir()
        server.start()
        try:
            token = (server.data_dir / "mcp-token").read_text().strip()

            async def over_mcp() -> list[float]:
                http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
                out = []
                async with http, Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as c:
                    await c.call_tool("tasks.list", {})  # warm the session
                    for _ in range(MCP_N):
                        t0 = time.perf_counter()
                        result = await c.call_tool("tasks.list", {})
                        out.append(time.perf_counter() - t0)
                        assert not result.is_error
                return out

            mcp_times = asyncio.run(over_mcp())
        finally:
            server.stop()

        cli_times = []
        for _ in range(CLI_N):
            t0 = time.perf_counter()
            subprocess.run([PY, "-m", "cardflow", "call", "tasks.list", "--data-dir", str(tmp / "direct")],
                           cwd=ROOT, check=True, capture_output=True)
            cli_times.append(time.perf_counter() - t0)

    d, m, c = pct(direct_times, 50), pct(mcp_times, 50), pct(cli_times, 50)
    return [
        Row("action: direct ActionRegistry.run (tasks.list), p50", _ms(d)),
        Row("action: MCP tool call over /mcp, p50", _ms(m), _ms(d), ratio(m, d)),
        Row("action: `cardflow call` round trip (new process), p50", _ms(c), _ms(d), ratio(c, d)),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
    sys.exit(0)
