"""Route lookup by the path's first segment.

Starlette tries every route in order until one matches, and Cardflow has over two hundred (each
workflow adds about twenty). A request for an app registered late, or for the home page, paid
about 200 regex matches, a third of its server CPU. Every route's path starts with a literal first
segment ("/tasks/…", "/hello/…", "/static"), and a route whose first segment differs from the
request's can never match. So the routes are grouped by that segment once, and a request tries
only its group, in the original order: the same first full match as the whole list gives.

Anything else, a partial match (the wrong method: 405), a trailing-slash redirect or a 404, falls
through to Starlette's own lookup over every route, so those answers are exactly Starlette's.
"""

from __future__ import annotations

from typing import Any

from starlette._utils import get_route_path
from starlette.routing import Match, Mount, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send


def first_segment(path: str) -> str | None:
    """"tasks" for "/tasks/3/toggle", "" for "/"; None for a path that does not start with "/"."""
    if not path.startswith("/"):
        return None
    return path[1:].split("/", 1)[0]


def route_segment(route: Any) -> str | None:
    """The literal first segment every path this route matches starts with; None when it has none
    (a parameter in it, or a route type that is not matched on its path alone)."""
    if not isinstance(route, (Route, WebSocketRoute, Mount)):
        return None
    if isinstance(route, Mount) and route.path in ("", "/"):
        return None  # mounted at the root: every path may be its
    segment = first_segment(route.path or "/")
    return None if segment is None or "{" in segment else segment


class SegmentIndex:
    """The routes grouped by first segment; routes without one belong to every group."""

    def __init__(self, routes: list[Any]) -> None:
        self.routes = routes
        self.size = len(routes)
        keys = [route_segment(r) for r in routes]
        self.anywhere = [r for r, k in zip(routes, keys, strict=True) if k is None]
        self.groups: dict[str, list[Any]] = {}
        for key in {k for k in keys if k is not None}:
            self.groups[key] = [r for r, k in zip(routes, keys, strict=True) if k in (key, None)]

    def fresh(self, routes: list[Any]) -> bool:
        # FastHTML replaces the list when it adds a route; Cardflow appends to it (the socket, MCP).
        return routes is self.routes and len(routes) == self.size

    def candidates(self, path: str) -> list[Any]:
        segment = first_segment(path)
        if segment is None:
            return self.routes
        return self.groups.get(segment, self.anywhere)


class IndexedRouter(Router):
    """Starlette's Router, trying only the routes that share the request's first segment."""

    _index: SegmentIndex | None = None

    def candidates(self, scope: Scope) -> list[Any]:
        index = self._index
        if index is None or not index.fresh(self.routes):
            index = self._index = SegmentIndex(self.routes)
        return index.candidates(get_route_path(scope))

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            for route in self.candidates(scope):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        # No full match (Starlette, too, takes the first full match over any partial one before it).
        await super().app(scope, receive, send)


def index_routes(router: Router) -> bool:
    """Make `router` (FastHTML's) look routes up by segment; False, and nothing changed, when
    router-level middleware wraps its lookup (Cardflow's middleware is the app's)."""
    if getattr(router.middleware_stack, "__func__", None) is not Router.app:
        return False
    router.__class__ = IndexedRouter
    router.middleware_stack = router.app  # the bound method was taken at construction
    return True
