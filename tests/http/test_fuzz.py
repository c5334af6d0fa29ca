"""Bad input to every route of the app: never a 500, never a traceback.

Two parts. The matrix is deterministic, so a 500 that one bad value triggers is caught in every run,
whatever the seed: each route (enumerated from the app) gets every value of BAD in every path
parameter, and in every form field and query parameter it reads, with the other fields left good.
Which fields a route reads is found by asking it: a probe request records each name the handler
looks up in its form or query (starlette's FormData/QueryParams), until no new name turns up.
Hypothesis then adds random forms and query strings on top.
"""

from __future__ import annotations

import os
import re
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import parse_qsl, quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.datastructures import FormData, ImmutableMultiDict, QueryParams

FIELDS = ["key", "name", "msg", "ids", "profile_id", "duration", "updates", "topic", "greeting", "note", "final",
          "backend", "tone", "word_limit", "model", "real_name", "address", "code", "token", "wait", "label", "url",
          "path", "q", "client", "id", "node", "limit", "offset"]

# One list for every field kind: numbers (ids, counts), names, keys, URLs, paths. A value that is fine
# for one kind is bad for another, so every field gets all of them. A tuple is a repeated key.
BAD: list[bytes | tuple[bytes, ...]] = [
    b"", b" ", b"x" * 100_000, b"abc", b":", b"1:2", b",", b"\x00", b"1\x00", b"\xff\xfe\xfa", b"\xed\xa0\x80",
    str(2**63).encode(), str(-(2**63) - 1).encode(), b"9" * 40, b"-1", b"0", b"1.5", b"1e309", b"nan", b"\xc2\xb2",
    b"../../etc/passwd", b"/etc/passwd", b"<script>alert(1)</script>", b"{}", b"[]", b"%",
    (b"1", b"2"), (b"abc", b"1"), (b"", b""),
]
GOOD = b"1"
URL_MAX = 4000  # a longer request line is refused by real servers (and httpx) before the app sees it
SKIP = ("/static", "/sse", "/mcp")  # files (tests/http/test_shell.py), a stream that never ends, MCP's own protocol


def routes(app) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        methods = set(getattr(route, "methods", None) or ())
        path = getattr(route, "path", "")
        if not methods or path.startswith(SKIP):
            continue
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            out.append((method, path))
    # Deletes last: deleting row 1 first would make the rest of the matrix meet only "not found".
    return sorted(out, key=lambda mp: ("delete" in mp[1], mp))


# -- which fields a route reads

_reads: set[tuple[str, str]] = set()
_reads_lock = threading.Lock()


@contextmanager
def recording_reads() -> Iterator[set[tuple[str, str]]]:
    """Record ("form" | "query", name) for each lookup by name while the block runs."""
    originals = {name: getattr(ImmutableMultiDict, name) for name in ("__getitem__", "getlist", "__contains__")}

    def wrap(name):
        original = originals[name]

        def recorded(self, key, *args):
            kind = "form" if isinstance(self, FormData) else "query" if isinstance(self, QueryParams) else None
            if kind and isinstance(key, str):
                with _reads_lock:
                    _reads.add((kind, key))
            return original(self, key, *args)

        return recorded

    for name in originals:
        setattr(ImmutableMultiDict, name, wrap(name))
    try:
        yield _reads
    finally:
        for name, original in originals.items():
            setattr(ImmutableMultiDict, name, original)


def encode(pairs: list[tuple[str, bytes]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote_from_bytes(v, safe='')}" for k, v in pairs)


def pairs_for(fields: dict[str, bytes | tuple[bytes, ...]]) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for name, value in fields.items():
        out += [(name, v) for v in value] if isinstance(value, tuple) else [(name, value)]
    return out


def fill_path(path: str, params: dict[str, bytes]) -> str:
    return re.sub(r"\{([^}:]+)(?::[^}]*)?\}", lambda m: quote_from_bytes(params.get(m.group(1), GOOD), safe=""), path)


def path_params(path: str) -> list[str]:
    return re.findall(r"\{([^}:]+)", path)


def in_url(bad: bytes | tuple[bytes, ...]) -> bytes | tuple[bytes, ...]:
    """The value as it can travel in a path or a query string: the huge one cut to URL_MAX."""
    return tuple(v[:URL_MAX] for v in bad) if isinstance(bad, tuple) else bad[:URL_MAX]


def send(client, method, path, params, form, query):
    url = fill_path(path, params)
    q = encode(pairs_for(query))
    body = encode(pairs_for(form)) if method != "GET" else None
    headers = {"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
    return client.request(method, url + (f"?{q}" if q else ""), content=body, headers=headers)


def fields_read(client, method: str, path: str) -> tuple[set[str], set[str]]:
    """The form and query names the route looks up, given good values for those found so far."""
    form: set[str] = set()
    query: set[str] = set()
    for _ in range(5):
        with recording_reads() as reads:
            reads.clear()
            send(client, method, path, {}, {f: GOOD for f in form}, {q: GOOD for q in query})
            found = set(reads)
        new_form = {k for kind, k in found if kind == "form"} - form
        new_query = {k for kind, k in found if kind == "query"} - query
        if not new_form and not new_query:
            break
        form |= new_form
        query |= new_query
    return form, query


def matrix_failures(client, targets: list[tuple[str, str]]) -> tuple[list[str], int]:
    """Every BAD value in every place each route reads; returns the failures and the request count."""
    failures: list[str] = []
    count = 0

    def check(method, path, params, form, query, where):
        nonlocal count
        count += 1
        r = send(client, method, path, params, form, query)
        if r.status_code >= 500 or "Traceback" in r.text:
            failures.append(f"{method} {path} {where}: {r.status_code} {r.text[:120]!r}")

    for method, path in targets:
        form_names, query_names = fields_read(client, method, path)
        good_form = {f: GOOD for f in form_names}
        good_query = {q: GOOD for q in query_names}
        for bad in BAD:
            url_bad = in_url(bad)
            segment = url_bad[0] if isinstance(url_bad, tuple) else url_bad
            for name in path_params(path):
                check(method, path, {name: segment}, good_form, good_query, f"path {name}={segment!r:.40}")
            for name in sorted(form_names):
                check(method, path, {}, {**good_form, name: bad}, good_query, f"form {name}={bad!r:.40}")
            for name in sorted(query_names):
                check(method, path, {}, good_form, {**good_query, name: url_bad}, f"query {name}={bad!r:.40}")
            # And everything bad at once, with names the probe may not see (a handler that iterates the form).
            some = tuple(v[:10_000] for v in bad) if isinstance(bad, tuple) else bad[:10_000]
            everything = dict.fromkeys([*FIELDS, *form_names], some) if method != "GET" else {}
            few = dict.fromkeys([*query_names, "q", "key", "client"], in_url(bad) if len(segment) < 500 else b"x")
            check(method, path, {}, everything, few, f"all={bad!r:.40}")
    return failures, count


@pytest.fixture
def settings(settings, botify):
    # The fake Botify answers at once; a closed port makes the token check retry for a while.
    return replace(settings, botify_api=botify.base_url)


@pytest.fixture
def seeded_client(client, app):
    """Row 1 exists in each table, so good ids lead the handlers past their "not found" branch."""
    db = app.state.ctx.db
    db.tasks.insert(profile_id=1, name="seed task")
    return client


@pytest.mark.slow
def test_matrix_of_bad_values_never_gets_a_500(seeded_client, app):
    targets = routes(app)
    assert len(targets) > 50, targets  # the enumeration itself works
    failures, count = matrix_failures(seeded_client, targets)
    assert not failures, f"{len(failures)} of {count} requests failed:\n" + "\n".join(failures[:40])


def test_field_discovery_finds_what_handlers_read(seeded_client):
    # If the probe found nothing, the matrix would test no fields and always pass.
    assert "ids" in fields_read(seeded_client, "POST", "/tasks/sort")[0]
    assert "profile_id" in fields_read(seeded_client, "POST", "/profile/select")[0]
    assert "path" in fields_read(seeded_client, "GET", "/graph_view/file")[1]


def plant_500(app, path: str, field: str, trigger: bytes) -> None:
    """Make one route fail with a 500 when one form field has one value, as a real bug would."""
    route = next(r for r in app.routes if getattr(r, "path", None) == path)
    original = route.app

    async def planted(scope, receive, send):
        messages, more = [], True
        while more:
            message = await receive()
            messages.append(message)
            more = message.get("more_body", False)
        body = b"".join(m.get("body", b"") for m in messages)
        if (field.encode(), trigger) in parse_qsl(body, keep_blank_values=True):
            raise RuntimeError("planted bug")
        replay = iter(messages)

        async def again():
            return next(replay, {"type": "http.disconnect"})

        await original(scope, again, send)

    route.app = planted


@pytest.mark.parametrize(("path", "field", "trigger"), [("/tasks/sort", "ids", b":"),
                                                         ("/profile/select", "profile_id", str(2**63).encode()),
                                                         ("/tasks/insert", "name", b"\x00")])
def test_matrix_catches_a_planted_500(seeded_client, app, path, field, trigger):
    plant_500(app, path, field, trigger)
    failures, _ = matrix_failures(seeded_client, [("POST", path)])
    assert any(f"form {field}=" in f and ": 500" in f for f in failures), failures


# -- random examples on top

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
ascii_text = st.text(alphabet=string.printable, max_size=30)
values = st.one_of(text, ascii_text, st.sampled_from(["", "0", "-1", "1", "99999999999999999999", "1e309", "nan",
                                                        "../../etc/passwd", "/etc/passwd", "<script>", "%00", "{}"]))
forms = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)


def fill(path: str, data) -> str:
    def one(_):
        raw = data.draw(st.one_of(st.sampled_from(["1", "0", "abc", "name", "-5", ".."]), text.filter(bool)))
        return quote(raw, safe="")

    return re.sub(r"\{[^}]+\}", one, path)


@pytest.mark.slow
@hypothesis_settings(max_examples=int(os.environ.get("CARDFLOW_FUZZ_EXAMPLES", "250")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_route_answers_500(client, app, data):
    method, path = data.draw(st.sampled_from(routes(app)))
    url = fill(path, data)
    query = data.draw(st.dictionaries(st.sampled_from(["key", "q", "client", "token", "x"]), values, max_size=3))
    form = data.draw(forms)
    headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
    r = client.request(method, url, params=query, data=form if method != "GET" else None, headers=headers)
    assert r.status_code < 500, (method, url, query, form, r.text[:300])
    assert "Traceback" not in r.text
