"""Random form posts and query strings to every route of the app: never a 500, never a traceback."""

import os
import re
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
ascii_text = st.text(alphabet=string.printable, max_size=30)
values = st.one_of(text, ascii_text, st.sampled_from(["", "0", "-1", "1", "99999999999999999999", "1e309", "nan",
                                                        "../../etc/passwd", "/etc/passwd", "<script>", "%00", "{}"]))
forms = st.dictionaries(st.sampled_from(["key", "name", "msg", "ids", "profile_id", "duration", "updates", "topic",
                                         "greeting", "note", "final", "backend", "tone", "word_limit", "model",
                                         "real_name", "address", "code", "token", "wait", "label", "url"]),
                        values, max_size=6)


def routes(app):
    out = []
    for route in app.routes:
        methods = set(getattr(route, "methods", None) or ())
        path = getattr(route, "path", "")
        if not methods or path.startswith("/static") or path in ("/sse",):
            continue  # /sse streams forever by design
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            out.append((method, path))
    return out


def fill(path: str, data) -> str:
    def one(_):
        raw = data.draw(st.one_of(st.sampled_from(["1", "0", "abc", "name", "-5", ".."]), text.filter(bool)))
        return quote(raw, safe="")

    return re.sub(r"\{[^}]+\}", one, path)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("CARDFLOW_FUZZ_EXAMPLES", "250")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
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
