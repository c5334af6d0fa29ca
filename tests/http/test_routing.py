"""The segment-indexed route lookup (cardflow/routing.py) picks what Starlette's full scan picks."""

from __future__ import annotations

import re

import pytest
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.testclient import TestClient

from cardflow.routing import IndexedRouter, SegmentIndex, first_segment, index_routes, route_segment


def concrete(path: str) -> str:
    """A path the route's pattern matches: every parameter filled with a plain value."""
    return re.sub(r"\{[^}]+\}", "7", path)


def first_full(routes: list[BaseRoute], scope: dict) -> BaseRoute | None:
    for route in routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def scope_for(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}


def test_the_app_router_is_indexed_and_every_route_resolves_as_a_full_scan_would(app) -> None:
    assert isinstance(app.router, IndexedRouter)
    routes = app.router.routes
    assert len(routes) > 100  # the case this exists for
    checked = 0
    for route in routes:
        path = getattr(route, "path", None)
        if path is None:
            continue
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            for variant in (concrete(path) or "/", concrete(path) + "/x", concrete(path).rstrip("/") + "/"):
                scope = scope_for(method, variant)
                assert first_full(app.router.candidates(dict(scope)), dict(scope)) is first_full(routes, dict(scope)), \
                    (method, variant)
                checked += 1
    assert checked > 300


def test_segments() -> None:
    assert first_segment("/tasks/3/toggle") == "tasks"
    assert first_segment("/") == ""
    assert first_segment("tasks") is None
    assert route_segment(Route("/hello/step/{step_id}", PlainTextResponse)) == "hello"
    assert route_segment(Route("/{name}/x", PlainTextResponse)) is None
    assert route_segment(Route("/file-{name}", PlainTextResponse)) is None
    assert route_segment(Mount("/static", app=PlainTextResponse("x"))) == "static"
    assert route_segment(Mount("", app=PlainTextResponse("x"))) is None  # a root mount takes any path
    assert route_segment(Route("/", PlainTextResponse)) == ""  # "/" itself, nothing under it


def ok(text: str):
    async def endpoint(request) -> PlainTextResponse:
        return PlainTextResponse(text)
    return endpoint


def test_order_parameters_methods_slashes_and_late_routes_behave_as_starlette() -> None:
    routes = [
        Route("/a/{x}", ok("a-param"), methods=["GET"]),
        Route("/a/fixed", ok("a-fixed"), methods=["GET", "POST"]),
        Route("/{anything}/b", ok("wild"), methods=["GET"]),
        Route("/c/", ok("c-slash"), methods=["GET"]),
        Route("/", ok("root"), methods=["GET"]),
    ]
    router = Router(routes=list(routes))
    assert index_routes(router)
    client = TestClient(router)
    assert client.get("/a/fixed").text == "a-param"  # the first full match, as in the list's order
    assert client.post("/a/fixed").text == "a-fixed"  # a partial (GET-only) before it does not win
    assert client.post("/a/zzz").status_code == 405  # only a partial: Starlette's 405
    assert client.get("/q/b").text == "wild"  # a parameter first segment is tried for every path
    assert client.get("/a/b").text == "a-param"
    assert client.get("/").text == "root"
    redirected = client.get("/c", follow_redirects=False)
    assert redirected.status_code == 307 and redirected.headers["location"].endswith("/c/")
    assert client.get("/nowhere/at/all").status_code == 404
    router.routes.append(Route("/late", ok("late")))  # appended after the index was built
    assert client.get("/late").text == "late"
    router.routes = [Route("/new", ok("new"))]  # replaced, as FastHTML does when it adds a route
    assert client.get("/new").text == "new"
    assert client.get("/a/fixed").status_code == 404


def test_router_middleware_keeps_starlettes_lookup() -> None:
    class Passthrough:
        def __init__(self, app) -> None:
            self.app = app

        async def __call__(self, scope, receive, send) -> None:
            await self.app(scope, receive, send)

    router = Router(routes=[Route("/x", ok("x"))], middleware=[Middleware(Passthrough)])
    assert not index_routes(router)
    assert not isinstance(router, IndexedRouter)
    assert TestClient(router).get("/x").text == "x"


@pytest.mark.parametrize("path", ["/health", "/tasks", "/static/cardflow.js"])
def test_late_and_mounted_routes_answer_through_the_whole_app(client, path: str) -> None:
    assert client.get(path).status_code == 200


def test_a_root_mount_is_tried_for_every_path_in_its_place() -> None:
    inner = Router(routes=[Route("/a", ok("mounted a")), Route("/b/c", ok("mounted b"))])
    routes = [Route("/z", ok("z")), Mount("", app=inner), Route("/a", ok("a"))]
    plain, indexed = Router(routes=list(routes)), Router(routes=list(routes))
    assert index_routes(indexed)
    for path in ("/z", "/a", "/b/c"):
        assert TestClient(indexed).get(path).text == TestClient(plain).get(path).text
    assert TestClient(indexed).get("/a").text == "mounted a"  # the mount comes first, as in the list


def test_unknown_segment_uses_only_the_routes_without_one() -> None:
    wild = Route("/{x}", ok("w"))
    index = SegmentIndex([Route("/a", ok("a")), wild])
    assert index.candidates("/zzz") == [wild]
    assert [r.path for r in index.candidates("/a")] == ["/a", "/{x}"]
