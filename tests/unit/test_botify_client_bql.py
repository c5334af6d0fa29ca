"""The BQL Cardflow sends: exact query and export shapes, edge counts by depth, the proposed depth."""

from __future__ import annotations

import pytest

from cardflow.botify import BotifyError, propose_depth
from cardflow.botify import queries as q
from tests.fakes.botify import ORG, PROJECT, expected_edge_count
from tests.unit._botify_client_helpers import (
    calls,
    fake_fixture,  # noqa: F401 - the fixture "fake"
    make,
    run,
)


def test_query_builders_exact_shapes():
    assert q.link_graph_query("20240301", "3") == {
        "collections": ["crawl.20240301"],
        "query": {
            "dimensions": ["url", "crawl.20240301.outlinks_internal.graph.url"],
            "metrics": [],
            "filters": {"field": "crawl.20240301.depth", "predicate": "lte", "value": 3},
        },
    }
    # The segment fields are the analysis's own segments, by their names, after the fixed fields.
    meta = q.page_metadata_query("20240301", segments=["pagetype", "lang"])
    assert meta["query"]["dimensions"] == [
        "crawl.20240301.url",
        "crawl.20240301.http_code",
        "crawl.20240301.depth",
        "crawl.20240301.metadata.title.content",
        "crawl.20240301.metadata.description.content",
        "crawl.20240301.compliant.is_compliant",
        "crawl.20240301.segments.pagetype.value",
        "crawl.20240301.segments.lang.value",
    ]
    bare = q.page_metadata_query("20240301")["query"]["dimensions"]
    assert bare == meta["query"]["dimensions"][:6] and not any(".segments." in d for d in bare)
    assert meta["query"]["metrics"] == []
    assert meta["query"]["filters"] == {"field": "crawl.20240301.http_code", "predicate": "eq", "value": 200}
    assert q.edge_count_query("20240301", 2)["query"]["metrics"] == [
        {"function": "sum", "args": ["crawl.20240301.outlinks_internal.nb.total"]}
    ]
    assert type(q.edge_count_query("x", "4")["query"]["filters"]["value"]) is int
    for bad in (True, -1, "two", 2.5, None):
        with pytest.raises(ValueError):
            q.as_depth(bad)


def test_export_body():
    body = q.export_job_body(
        "acme", "shop", q.link_graph_query("20240301", 2), export_size=1000, filetype="zip"
    )
    assert body["job_type"] == "export"
    p = body["payload"]
    assert (p["username"], p["project"], p["export_size"], p["formatter"], p["connector"]) == (
        "acme",
        "shop",
        1000,
        "csv",
        "direct_download",
    )
    assert p["extra_config"] == {"filetype": "zip"}
    assert p["formatter_config"]["print_header"] is True
    assert (
        q.export_job_body("a", "b", q.link_graph_query("s", 1), export_size=1)["payload"]["extra_config"]
        == {}
    )
    for size in (0, 1_000_001, "10", True):
        with pytest.raises(ValueError):
            q.export_job_body("a", "b", q.link_graph_query("s", 1), export_size=size)


def test_edge_counts_grow_then_stop(fake):
    async def go():
        async with make(fake) as bf:
            return await bf.edge_counts_by_depth(ORG, PROJECT, "20240301-2")

    counts = run(go())
    assert counts == {d: expected_edge_count(d) for d in (1, 2, 3, 4)}  # depth 4 adds nothing: stop
    assert counts[1] < counts[2] < counts[3] == counts[4]
    assert calls(fake, "POST", f"/v1/projects/{ORG}/{PROJECT}/query") == 4
    assert propose_depth(counts, 10_000) == 4
    assert propose_depth(counts, counts[3] - 1) == 2
    assert propose_depth(counts, counts[2]) == 2
    assert propose_depth(counts, 1) == 1
    assert propose_depth({}, 100) == 1


def test_query_unknown_analysis_1004(fake):
    async def go():
        async with make(fake) as bf:
            await bf.query(ORG, PROJECT, q.edge_count_query("19990101", 1))

    with pytest.raises(BotifyError) as info:
        run(go())
    assert (info.value.status, info.value.code) == (404, "1004")
