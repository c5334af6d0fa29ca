"""The baseline server: a bare Starlette app that returns bytes captured from Cardflow.

    python bench/bare_app.py --port 5002 --routes routes.json

``routes.json`` is a list of ``{"method", "path", "body" (base64), "headers"}``; each becomes a
plain Starlette route returning exactly those bytes with the same content type. It is served by
uvicorn with the same settings as `cardflow serve` (cardflow/server.py), so the only difference
in a comparison is everything Cardflow does between the socket and the bytes. ``/health``
answers like Cardflow's, for the cold-start comparison.
"""

from __future__ import annotations

import argparse
import base64
import json
from collections import defaultdict
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build(routes_file: Path | None) -> Starlette:
    by_path: dict[str, dict[str, tuple[bytes, dict[str, str]]]] = defaultdict(dict)
    for spec in json.loads(routes_file.read_text()) if routes_file else []:
        by_path[spec["path"]][spec["method"]] = (base64.b64decode(spec["body"]), spec.get("headers", {}))

    def endpoint_for(answers: dict[str, tuple[bytes, dict[str, str]]]):
        async def endpoint(request: Request) -> Response:
            if request.method != "GET":
                await request.body()
            body, headers = answers[request.method]
            return Response(body, headers=headers)

        return endpoint

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    routes = [Route("/health", health)]
    routes += [Route(path, endpoint_for(answers), methods=list(answers)) for path, answers in by_path.items()]
    return Starlette(routes=routes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--routes", type=Path)
    args = ap.parse_args()
    config = uvicorn.Config(build(args.routes), host="127.0.0.1", port=args.port, log_level="warning",
                            access_log=False, timeout_graceful_shutdown=1, ws_ping_interval=20, lifespan="on")
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
