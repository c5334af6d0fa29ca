"""Orphans a crawl cannot see by links: addresses from sitemap.xml or the user's list (issue 17)."""

from __future__ import annotations

import asyncio
import csv
import gzip

import pytest

from cardflow.linkgraph.crawl import crawl
from cardflow.linkgraph.ingest import ingest
from cardflow.linkgraph.robots import parse_sitemap
from tests.fakes.site import GraphSite


def run(site: GraphSite, **kw):
    with site as base:
        return base, asyncio.run(crawl(base + "/", max_depth=5, **kw))


@pytest.mark.parametrize("in_robots", [True, False])
def test_sitemap_orphans_found_and_counted_by_the_ingest(in_robots, tmp_path):
    site = GraphSite(sitemap_in_robots=in_robots)
    base, result = run(site, sitemap=True)
    # robots.txt's Sitemap: line (an index, then its child), else /sitemap.xml.
    expected = ["/sitemap-index.xml", "/sitemap-pages.xml"] if in_robots else ["/sitemap.xml"]
    assert [u.removeprefix(base) for u in result.sitemaps] == expected
    assert sorted(u.removeprefix(base) for u in result.unlinked) == sorted(GraphSite.ORPHANS)
    assert len(result.listed) == len(GraphSite.LISTED)
    assert all(result.pages[base + p].depth is None for p in GraphSite.ORPHANS)
    assert result.pages[base + "/blog/post-1"].depth == 1  # listed and linked: an ordinary page
    assert len(site.paths) == len(set(site.paths))  # nothing fetched twice
    # An orphan's own links are recorded (they are real links), not followed.
    assert (base + "/landing/spring", base + "/products/p1") in result.edges

    edges, meta = result.write(tmp_path)
    rows = {r["url"]: r for r in csv.DictReader(meta.open())}
    assert rows[base + "/landing/spring"]["depth"] == ""  # no depth: what makes it an orphan
    summary = ingest(edges, meta, tmp_path / "graph.duckdb")
    assert sorted(u.removeprefix(base) for u in summary.orphans) == sorted(GraphSite.ORPHANS)
    assert summary.orphan_count == 3


def test_a_given_address_list_works_without_a_sitemap(tmp_path):
    site = GraphSite()
    with site as base:
        result = asyncio.run(crawl(base + "/", max_depth=5, listed_urls=[
            base + "/old-promo.html", base + "/blog/post-2", "https://other.example/x", base + "/landing/summer#top"]))
    assert not [p for p in site.paths if "sitemap" in p]  # sitemap=False: not requested
    assert sorted(u.removeprefix(base) for u in result.unlinked) == ["/landing/summer", "/old-promo.html"]
    assert len(result.listed) == 3  # the other host is out of scope


def test_without_a_list_or_sitemap_nothing_more_is_requested():
    site = GraphSite()
    _, result = run(site)
    assert not result.unlinked and not result.sitemaps
    assert not [p for p in site.paths if "sitemap" in p or p.startswith("/landing")]


def test_listed_pages_fetched_are_bounded_by_max_pages():
    site = GraphSite()
    with site as base:
        result = asyncio.run(crawl(base + "/", max_pages=2, max_depth=0, sitemap=True))
    # The walk fetched the start page only, but its links count as reaching /blog/post-1 and
    # /products/; the 3 orphans remain, and 2 of them fit the page limit.
    assert len(result.unlinked) == 2 and result.listed_skipped == 1


def test_parse_sitemap_forms():
    xml = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           b"<url><loc> https://a.test/p?x=1&amp;y=2 </loc></url><url><loc>https://a.test/q</loc></url></urlset>")
    assert parse_sitemap(xml) == (["https://a.test/p?x=1&y=2", "https://a.test/q"], [])
    assert parse_sitemap(gzip.compress(xml)) == parse_sitemap(xml)
    index = b"<sitemapindex><sitemap><loc>https://a.test/s1.xml</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index) == ([], ["https://a.test/s1.xml"])
    assert parse_sitemap(b"\x1f\x8bnot gzip") == ([], [])
    assert parse_sitemap(b"<html>Not found</html>") == ([], [])
    # Entities are not expanded: a "billion laughs" file is just text without <loc>.
    assert parse_sitemap(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><urlset>&a;</urlset>') == ([], [])
