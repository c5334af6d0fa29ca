"""A pasted Botify project URL: what it names, and why a wrong one is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardflow.botify import parse_project_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.botify.com/acme/shop/", ("acme", "shop")),
        ("https://app.botify.com/acme/shop", ("acme", "shop")),
        ("  https://APP.botify.com/acme/shop/  ", ("acme", "shop")),
        ("app.botify.com/acme/shop/", ("acme", "shop")),
        ("https://app.botify.com/acme/shop/20240301/segmentation/?x=1#top", ("acme", "shop")),
        ("http://app.botify.com/my.org/my-project_2/", ("my.org", "my-project_2")),
    ],
)
def test_parse_project_url_good(url, expected):
    assert parse_project_url(url) == expected


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("", "Paste the project URL"),
        ("https://api.botify.com/acme/shop/", "host must be app.botify.com"),
        ("https://evil.com/app.botify.com/acme/shop/", "host must be app.botify.com"),
        ("https://app.botify.com.evil.com/acme/shop/", "host must be app.botify.com"),
        ("https://app.botify.com/acme/", "needs both the organisation and the project"),
        ("https://app.botify.com/", "needs both"),
        ("ftp://app.botify.com/acme/shop/", "scheme"),
        ("https://app.botify.com/acme/%20shop/", "not a Botify slug"),
    ],
)
def test_parse_project_url_bad(url, needle):
    with pytest.raises(ValueError, match=needle):
        parse_project_url(url)


_slug = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)


@given(_slug, _slug, st.booleans())
def test_parse_project_url_round_trip(org, project, slash):
    assert parse_project_url(f"https://app.botify.com/{org}/{project}{'/' if slash else ''}") == (
        org,
        project,
    )
