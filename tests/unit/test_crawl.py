"""The crawler against a small fake site on 127.0.0.1 (tests/fakes/site.py)."""

from __future__ import annotations

import asyncio
import csv
import itertools
import time

import pytest

from cardflow.linkgraph import crawl as crawl_mod
from cardflow.linkgraph.crawl import EDGES_HEADER, METADATA_HEADER, crawl, normalize_url
from tests.fakes.site import FakeSite


@pytest.fixture(scope="module")
def full():
    """One default crawl of the whole fake site, shared by the read-only assertions."""
    site = FakeSite()
    with site as base:
        result = asyncio.run(crawl(base + "/", max_depth=3))
    return site, base, result


def test_robots_fetched_first_and_obeyed(full):
    site, base, result = full
    assert site.paths[0] == "/robots.txt"
    assert not [p for p in site.paths if p.startswith("/private/")]
    assert f"{base}/private/secret" in result.disallowed
    # The link itself is still part of the graph; only the fetch is forbidden.
    assert (f"{base}/", f"{base}/private/secret") in result.edges
    assert all(h.user_agent == "Cardflow/0.1 (+local)" for h in site.hits)


def test_redirect_recorded_and_edges_point_at_final_url(full):
    _, base, result = full
    assert result.redirects[f"{base}/old"] == (301, f"{base}/new")
    assert (f"{base}/", f"{base}/new") in result.edges
    assert not [e for e in result.edges if e[1] == f"{base}/old"]
    page = result.pages[f"{base}/new"]
    assert (page.http_code, page.depth, page.title) == (200, 1, "New page")
    assert f"{base}/old" not in result.pages


def test_404_recorded_and_its_links_not_followed(full):
    _, base, result = full
    page = result.pages[f"{base}/missing"]
    assert page.http_code == 404 and not page.compliant
    assert page.title == "Not found"
    assert not [e for e in result.edges if e[0] == f"{base}/missing"]


def test_loops_terminate_and_nothing_is_fetched_twice(full):
    site, base, result = full
    assert len(site.paths) == len(set(site.paths)), site.paths
    assert (f"{base}/a", f"{base}/b") in result.edges and (f"{base}/b", f"{base}/a") in result.edges
    # The redirect loop is recorded where it was entered, as the 3xx it is.
    loop = result.pages[f"{base}/loop-1"]
    assert loop.http_code == 302 and loop.error == "redirect loop"
    assert (f"{base}/", f"{base}/loop-1") in result.edges


def test_nofollow_recorded_not_followed(full):
    site, base, result = full
    assert "/nofollow-target" not in site.paths
    assert (f"{base}/a", f"{base}/nofollow-target") in result.nofollow
    assert (f"{base}/a", f"{base}/nofollow-target") in result.edges


def test_non_html_recorded_not_parsed(full):
    _, base, result = full
    pdf = result.pages[f"{base}/files/report.pdf"]
    assert pdf.http_code == 200 and pdf.content_type.startswith("application/pdf")
    assert not pdf.compliant and pdf.title == ""
    assert result.pages[f"{base}/"].compliant


def test_same_host_only_and_no_fragments_or_mailto(full):
    site, base, result = full
    host = base.removeprefix("http://")
    assert {h.host for h in site.hits} == {host}
    assert result.external_links == 1
    urls = {u for e in result.edges for u in e} | set(result.pages)
    assert all(u.startswith(base + "/") for u in urls)
    assert not [u for u in urls if "#" in u or "mailto" in u]


def test_max_depth(full):
    site, base, result = full
    assert "/deep/3" in site.paths and "/deep/4" not in site.paths
    assert max(p.depth for p in result.pages.values()) == 3
    assert result.pages[f"{base}/deep/3"].depth == 3
    # Links from the last level are recorded, their targets not fetched.
    assert (f"{base}/deep/3", f"{base}/deep/4") in result.edges

    site2 = FakeSite()
    with site2 as base2:
        shallow = asyncio.run(crawl(base2 + "/", max_depth=1))
    assert max(p.depth for p in shallow.pages.values()) == 1
    assert "/deep/1" in site2.paths and "/deep/2" not in site2.paths and "/b" not in site2.paths


def test_max_pages_is_breadth_first():
    site = FakeSite()
    with site as base:
        result = asyncio.run(crawl(base + "/", max_pages=5, max_depth=5, concurrency=2))
    assert len(result.pages) == 5
    assert [p.depth for p in result.pages.values()].count(0) == 1
    assert all(p.depth <= 1 for p in result.pages.values())
    # Deterministic: the first links of the home page, in document order.
    assert set(result.pages) == {
        f"{base}/",
        f"{base}/a",
        f"{base}/new",
        f"{base}/missing",
        f"{base}/files/report.pdf",
    }


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_limit(concurrency):
    site = FakeSite(page_delay=0.04, wide=6)
    with site as base:
        result = asyncio.run(crawl(base + "/wide", max_depth=1, concurrency=concurrency))
    assert len(result.pages) == 7
    assert site.max_in_flight == concurrency


def test_cancel_stops_promptly():
    site = FakeSite(page_delay=1.0, wide=8)
    with site as base:
        cancel = asyncio.Event()
        state = {}

        def progress(done, total, message):
            if done == 1 and not cancel.is_set():  # /wide is done; its 8 slow pages start next
                state["t"] = time.monotonic()
                asyncio.get_running_loop().call_later(0.1, cancel.set)

        async def main():
            result = await crawl(base + "/wide", concurrency=4, on_progress=progress, cancel_event=cancel)
            return result, time.monotonic()

        result, ended = asyncio.run(main())
    assert result.cancelled
    assert ended - state["t"] < 0.5  # 0.1 s until the cancel, then prompt
    assert list(result.pages) == [f"{base}/wide"]


def test_cancel_before_start_fetches_nothing_but_robots():
    site = FakeSite()
    with site as base:
        ev = asyncio.Event()
        ev.set()
        result = asyncio.run(crawl(base + "/", cancel_event=ev))
    assert result.cancelled and not result.pages
    assert set(site.paths) <= {"/robots.txt"}


@pytest.mark.parametrize("is_async", [False, True])
def test_progress_callback(is_async):
    calls = []

    if is_async:

        async def progress(done, total, message):
            await asyncio.sleep(0)
            calls.append((done, total, message))
    else:

        def progress(done, total, message):
            calls.append((done, total, message))

    site = FakeSite()
    with site as base:
        result = asyncio.run(crawl(base + "/", max_depth=1, on_progress=progress))
    dones = [c[0] for c in calls]
    assert dones == sorted(dones) and dones[-1] == len(result.pages)
    assert all(total >= done for done, total, _ in calls)
    assert calls[-1][2] == "done"


def test_crawl_delay_obeyed_and_capped(monkeypatch):
    site = FakeSite(crawl_delay=0.1, wide=2)  # fractional: the stdlib parser alone drops it
    with site as base:
        result = asyncio.run(crawl(base + "/wide", max_depth=1, concurrency=4))
    assert result.crawl_delay == 0.1
    starts = [h.started for h in site.hits if h.path != "/robots.txt"]
    assert len(starts) == 3
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.095, gaps

    monkeypatch.setattr(crawl_mod, "MAX_CRAWL_DELAY", 0.02)
    site = FakeSite(crawl_delay=30, wide=3)
    with site as base:
        t0 = time.monotonic()
        result = asyncio.run(crawl(base + "/wide", max_depth=1))
    assert result.crawl_delay == 0.02 and len(result.pages) == 4
    assert time.monotonic() - t0 < 2


def test_start_url_disallowed_fetches_nothing():
    site = FakeSite()
    with site as base:
        result = asyncio.run(crawl(base + "/private/secret"))
    assert site.paths == ["/robots.txt"]
    assert not result.pages and f"{base}/private/secret" in result.disallowed


def test_output_csv_shapes(full, tmp_path):
    _, base, result = full
    edges_path, meta_path = result.write(tmp_path / "out")
    with open(edges_path, newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == EDGES_HEADER == ("source", "target")
    assert all(len(r) == 2 for r in rows)
    assert len(rows) - 1 == len(result.edges) and len(set(map(tuple, rows[1:]))) == len(rows) - 1

    with open(meta_path, newline="") as f:
        meta = list(csv.DictReader(f))
    assert tuple(meta[0].keys()) == METADATA_HEADER
    by_url = {m["url"]: m for m in meta}
    assert len(by_url) == len(result.pages)
    assert by_url[f"{base}/"] == {
        "url": f"{base}/",
        "http_code": "200",
        "depth": "0",
        "title": "Home",
        "description": "About Home",
        "pagetype": "home",
        "compliant": "true",
    }
    assert by_url[f"{base}/deep/1"]["pagetype"] == "deep"
    assert by_url[f"{base}/missing"]["http_code"] == "404"
    assert by_url[f"{base}/missing"]["compliant"] == "false"
    assert by_url[f"{base}/files/report.pdf"]["compliant"] == "false"
    assert not list((tmp_path / "out").glob("*.tmp"))


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("HTTP://Example.COM:80/a/./b/../c?x=1&Y=2#frag", None, "http://example.com/a/c?x=1&Y=2"),
        ("https://example.com:443", None, "https://example.com/"),
        ("https://example.com:8443/p/", None, "https://example.com:8443/p/"),
        ("../up", "http://h/a/b/c", "http://h/a/up"),
        ("?q=1", "http://h/a/b", "http://h/a/b?q=1"),
        ("#top", "http://h/a", "http://h/a"),
        ("//other.org/x", "https://h/", "https://other.org/x"),
        ("mailto:x@y.z", "http://h/", None),
        ("javascript:void(0)", "http://h/", None),
        ("ftp://h/file", None, None),
        ("http://h:notaport/", None, None),
    ],
)
def test_normalize_url(href, base, expected):
    assert normalize_url(href, base) == expected


def test_timeout_recorded_as_code_0():
    # Only /w/N pages are slow. The timeout leaves robots.txt and /wide ample time even on a busy
    # machine (a robots.txt that does not answer would mean "disallow all" and crawl nothing).
    site = FakeSite(page_delay=3.0, wide=1)
    with site as base:
        result = asyncio.run(crawl(base + "/wide", max_depth=1, timeout=1.0))
    page = result.pages[f"{base}/w/0"]
    assert page.http_code == 0 and "Timeout" in page.error
    assert result.pages[f"{base}/wide"].http_code == 200
