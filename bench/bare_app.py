"""The baseline server: a bare Starlette app that returns bytes captured from Cardflow.

    python bench/bare_app.py --port 5002 --routes routes.json [--db cardflow.db] [--fasthtml]

``routes.json`` is a list of ``{"method", "path", "body" (base64), "headers"}``; each becomes a
plain Starlette route returning exactly those bytes with the same content type. With ``--db``,
a route first runs its spec's ``"sql"`` (the statements Cardflow ran for that request, as
``[sql, params]`` pairs, traced by bench/pages.py) on that SQLite file, with Cardflow's pragmas:
the same database work, commits and fsyncs included. With ``--fasthtml`` the routes are FastHTML
routes (no middleware, no session) instead of Starlette ones: the framework Cardflow is built on,
doing the same work and returning the same bytes. It is served by
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


def build(routes_file: Path | None, db_path: Path | None = None, fasthtml: bool = False) -> Starlette:
    by_path: dict[str, dict[str, Answer]] = defaultdict(dict)
    for spec in json.loads(routes_file.read_text()) if routes_file else []:
        by_path[spec["path"]][spec["method"]] = (base64.b64decode(spec["body"]), spec.get("headers", {}),
                                                 [(sql, params if isinstance(params, dict) else tuple(params or ()))
                                                  for sql, params in spec.get("sql", [])])
    conn = None
    if db_path is not None:
        import apsw

        conn = apsw.Connection(str(db_path))
        conn.set_busy_timeout(10_000)
        conn.execute("PRAGMA synchronous=FULL")  # as cardflow/db.py

    def endpoint_for(answers: dict[str, Answer]):
        async def endpoint(request: Request) -> Response:
            if request.method != "GET":  # with the database work, parse the form as Cardflow does
                await (request.form() if conn is not None else request.body())
            body, headers, statements = answers[request.method]
            if conn is not None:
                for sql, params in statements:
                    for _ in conn.execute(sql, params):
                        pass
            return Response(body, headers=headers)

        return endpoint

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    if fasthtml:
        from fasthtml.common import FastHTML

        app = FastHTML(default_hdrs=False, sess_cls=None, secret_key="bench")
        app.route("/health")(health)
        for path, answers in by_path.items():
            app.route(path, methods=list(answers))(endpoint_for(answers))
        return app
    routes = [Route("/health", health)]
    routes += [Route(path, endpoint_for(answers), methods=list(answers)) for path, answers in by_path.items()]
    return Starlette(routes=routes)


Answer = tuple[bytes, dict[str, str], list[tuple[str, tuple | dict]]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--routes", type=Path)
    ap.add_argument("--db", type=Path, help="run each route's traced SQL on this SQLite file")
    ap.add_argument("--fasthtml", action="store_true", help="FastHTML routes instead of Starlette ones")
    args = ap.parse_args()
    config = uvicorn.Config(build(args.routes, args.db, args.fasthtml), host="127.0.0.1", port=args.port, log_level="warning",
                            access_log=False, timeout_graceful_shutdown=1, ws_ping_interval=20, lifespan="on")
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
