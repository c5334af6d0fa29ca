"""A fake Botify API, built from Botify's published OpenAPI spec and API docs, for tests.

Two servers run in one background thread (uvicorn, h11):
- the API on ``http://127.0.0.1:{port}`` (``fake.base_url``);
- the "CDN" that serves export files on ``http://localhost:{port2}`` (``fake.download_base_url``):
  another host *and* port, pre-signed-style URLs, and a 403 for any request carrying an
  Authorization header (the token must never reach it).

Usage::

    with run_fake_botify() as fake:
        fake.state.rate_limit_next = 2       # next two API calls answer 429 (code 1053)
        fake.state.add_project("news", segments=None)  # a project without segments
        ... BotifyClient(fake.state.token, fake.base_url) ...
        assert fake.state.jobs_created == 1

``fake.reset()`` swaps in a fresh :class:`FakeState`, so one server can serve a whole test module.
Everything in the state is plain data the tests may read or change.
"""

from __future__ import annotations

from tests.fakes.botify.server import run_fake_botify
from tests.fakes.botify.site import build_site, expected_edge_count, expected_edges
from tests.fakes.botify.state import ORG, PROJECT, READONLY_TOKEN, TOKEN

__all__ = [
    "ORG",
    "PROJECT",
    "READONLY_TOKEN",
    "TOKEN",
    "build_site",
    "expected_edge_count",
    "expected_edges",
    "run_fake_botify",
]
