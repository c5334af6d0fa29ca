"""Hold N idle chat WebSockets open, in their own process, until stdin closes.

    python bench/idle_sockets.py ws://127.0.0.1:5001/ws http://127.0.0.1:5001 50

Prints ``ready <n>`` once every socket is open (the server has accepted it), then keeps them
open, answering the server's pings, and closes them all when its stdin reaches EOF.
"""

from __future__ import annotations

import asyncio
import sys

from websockets.asyncio.client import connect


async def main(url: str, origin: str, n: int) -> None:
    sockets = [await connect(f"{url}?client=idle-{i}", origin=origin) for i in range(n)]
    print(f"ready {len(sockets)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
