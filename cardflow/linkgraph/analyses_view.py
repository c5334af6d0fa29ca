"""The "Analyses" section of the graph viewer page: one article per report of
:mod:`cardflow.linkgraph.reports`, each a heading, one sentence, a chart, a table and a CSV link.

Components only (plain functions of their data); the routes are in ``cardflow.apps.graph_analyses``.
The section is drawn at once with a placeholder per analysis that loads itself over htmx; a
report still being computed answers with a "computing" article that asks again a second later.
Charts are drawn by ``/static/analyses.js`` from the JSON in each canvas's ``data-chart``
attribute (escaped like any attribute); the table beside the chart is its text alternative.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from fasthtml.common import (
    H3,
    A,
    Article,
    Button,
    Canvas,
    Caption,
    Div,
    Li,
    Link,
    P,
    Script,
    Section,
    Small,
    Span,
    Table,
    Tbody,
    Td,
    Th,
    Thead,
    Tr,
    Ul,
)

from cardflow.linkgraph.reports import NAMES, Report
from cardflow.linkgraph.view import ORPHANS_NOTE, VIEW, url_button

ASSET_VERSION = "2"
SHOWN = 50  # rows of a long list shown on the page; the CSV has them all
SHOWN_SEGMENTS = 20  # rows and columns of the segment matrix shown
CHART_BARS = 15  # bars of a "top" chart
POLL = "load delay:1s"  # how a computing placeholder asks again

TITLES = {
    "pagerank": "Internal PageRank", "hubs": "Hubs", "authorities": "Authorities", "depth": "Click depth",
    "inlinks": "Inlinks per page", "orphans": "Orphan pages", "dead_ends": "Dead ends", "broken": "Broken links",
    "segments": "Link flow between segments",
}
HEADERS = {
    "url": "Page", "pagerank": "PageRank", "inlinks": "Inlinks", "outlinks": "Outlinks", "pagetype": "Segment",
    "depth": "Depth", "hub": "Hub score", "authority": "Authority", "pages": "Pages", "http_code": "HTTP status",
    "title": "Title", "target": "Broken page", "source_count": "Linking pages", "sources": "Linked from",
    "source_segment": "From \\ to",
}
LONG = ("pagerank", "hubs", "authorities", "orphans", "dead_ends", "broken")


def assets() -> Any:
    return (Link(rel="stylesheet", href=f"/static/analyses.css?v={ASSET_VERSION}"),
            Script(src=f"/static/analyses.js?v={ASSET_VERSION}", defer=True))


def one_url(gid: str, name: str, **extra: str) -> str:
    return f"{VIEW}/analysis?{urlencode({'graph': gid, 'name': name, **extra})}"


def csv_url(gid: str, name: str) -> str:
    return f"{VIEW}/analysis/csv?{urlencode({'graph': gid, 'name': name})}"


def section(gid: str) -> Any:
    """The whole section, every analysis a placeholder that loads itself."""
    return Section(
        H3("Analyses", id="analyses-title"),
        P("Computed over the whole graph, not only the pages drawn above. Each table shows the first rows; "
          "its CSV has them all.", cls="muted"),
        Ul(*[Li(A(TITLES[n], href=f"#analysis-{n}")) for n in NAMES], cls="analyses-toc"),
        *[placeholder(gid, n, "load") for n in NAMES],
        assets(),
        id="analyses", aria_labelledby="analyses-title", cls="analyses",
    )


def placeholder(gid: str, name: str, trigger: str, note: str = "Waiting to compute…") -> Any:
    return Article(H3(TITLES[name]), P(note, cls="muted analysis-computing", aria_busy="true"),
                   id=f"analysis-{name}", cls="analysis", hx_get=one_url(gid, name), hx_trigger=trigger,
                   hx_swap="outerHTML")


def computing(gid: str, name: str) -> Any:
    return placeholder(gid, name, POLL, "Computing over the whole graph… (large graphs take a while; "
                                        "the result is kept for the next visit)")


def failed(gid: str, name: str, message: str) -> Any:
    return Article(H3(TITLES[name]), Div(P(message), role="alert", cls="error-fragment"),
                   Button("Try again", type="button", cls="outline secondary", hx_get=one_url(gid, name, retry="1"),
                          hx_target=f"#analysis-{name}", hx_swap="outerHTML"),
                   id=f"analysis-{name}", cls="analysis")


# -- cells ---------------------------------------------------------------------------------------
def _num(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _code(v: Any) -> Any:
    if v is None:
        return ""
    if v == 0:
        return Span("0 (no answer)", cls="analysis-bad")
    return Span(str(v), cls="analysis-bad") if 400 <= int(v) <= 599 else str(v)


def _cell(gid: str, col: str, value: Any, row: dict[str, Any]) -> Any:
    if col in ("url", "target") and value:
        return Td(url_button(gid, str(value), str(value)), data_col=col)
    if col == "http_code":
        return Td(_code(value), data_col=col, data_value="" if value is None else str(value))
    if col == "sources":
        items = [Li(url_button(gid, s, s)) for s in value or []]
        more = int(row.get("source_count") or 0) - len(items)
        return Td(Ul(*items, cls="analysis-sources"),
                  Small(f"and {more:,} more (in the CSV)", cls="muted") if more > 0 else None, data_col=col)
    if col == "depth" and value is None:
        return Td("unknown", data_col=col, data_value="")
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return Td(_num(value), data_col=col, data_value=repr(value) if numeric else None,
              cls="num" if numeric else None)


def _caption(report: Report, shown: int, noun: str = "rows") -> str:
    if report.total <= shown:
        return f"All {report.total:,} {noun}."
    return f"Top {shown:,} of {report.total:,} {noun}; the CSV has them all."


def table(gid: str, report: Report) -> Any:
    if report.name == "segments":
        return matrix(report)
    rows = report.rows[:SHOWN] if report.name in LONG else report.rows
    noun = {"depth": "depths", "inlinks": "buckets", "broken": "broken pages"}.get(report.name, "pages")
    return Table(Caption(_caption(report, len(rows), noun)),
                 Thead(Tr(*[Th(HEADERS.get(c, c), scope="col", data_col=c) for c in report.columns])),
                 Tbody(*[Tr(*[_cell(gid, c, row.get(c), row) for c in report.columns]) for row in rows]),
                 data_analysis=report.name, cls="analysis-table")


def matrix(report: Report) -> Any:
    """Links from each segment (rows) to each segment (columns); a cell's shade is its share of its row."""
    labels: list[str] = report.extra.get("segments", [])[:SHOWN_SEGMENTS]
    body = []
    for row in report.rows[:SHOWN_SEGMENTS]:
        values = row["links"][:SHOWN_SEGMENTS]
        sent = sum(row["links"]) or 1
        cells = [Td(f"{v:,}", data_value=str(v), cls="num",
                    style=f"--share:{v / sent:.3f}" if v else None,
                    title=f"{v:,} links from {row['source_segment']} to {to} ({v / sent:.0%} of its links)")
                 for v, to in zip(values, labels, strict=False)]
        body.append(Tr(Th(row["source_segment"], scope="row"), *cells))
    count = report.extra.get("segment_count", len(labels))
    caption = (f"All {count:,} segments; rows link to columns." if count <= SHOWN_SEGMENTS else
               f"The {SHOWN_SEGMENTS} segments sending the most links, of {count:,}; the CSV has them all.")
    return Table(Caption(caption), Thead(Tr(Th(HEADERS["source_segment"], scope="col"),
                                            *[Th(s, scope="col") for s in labels])),
                 Tbody(*body), data_analysis="segments", cls="analysis-table analysis-matrix")


# -- charts ---------------------------------------------------------------------------------------
def _short(url: str) -> str:
    """A chart label: the address without scheme and host (the table has the whole of it)."""
    parts = urlsplit(url)
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return rest or url


def chart_spec(report: Report) -> dict[str, Any] | None:
    """What analyses.js draws: bars, their labels, datasets of numbers and the axis titles."""
    x = report.extra
    name = report.name
    if name in ("pagerank", "orphans", "dead_ends"):
        seg = x.get("by_segment", [])[:CHART_BARS]
        if not seg:
            return None
        pct = name == "pagerank"
        return {"labels": [s["segment"] or "(none)" for s in seg],
                "datasets": [{"label": "share of PageRank (%)" if pct else "pages",
                              "data": [round(s["value"] * 100, 3) if pct else s["value"] for s in seg]}],
                "x": "segment", "y": "% of the site's PageRank" if pct else "pages"}
    if name in ("hubs", "authorities"):
        key = "hub" if name == "hubs" else "authority"
        top = report.rows[:CHART_BARS]
        return {"labels": [_short(r["url"]) for r in top], "horizontal": True,
                "datasets": [{"label": f"{key} score", "data": [r[key] for r in top]}], "x": f"{key} score"} if top else None
    if name == "depth":
        return {"labels": ["unknown" if r["depth"] is None else str(r["depth"]) for r in report.rows],
                "datasets": [{"label": "pages", "data": [r["pages"] for r in report.rows]}],
                "x": "clicks from the start page", "y": "pages"} if report.rows else None
    if name == "inlinks":
        return {"labels": [r["inlinks"] for r in report.rows],
                "datasets": [{"label": "pages", "data": [r["pages"] for r in report.rows]}],
                "x": "inlinks (distinct linking pages)", "y": "pages"} if report.rows else None
    if name == "broken":
        codes = x.get("by_code", [])
        return {"labels": [f"HTTP {c['http_code']}" if c["http_code"] else "no answer" for c in codes],
                "datasets": [{"label": "links", "data": [c["links"] for c in codes]},
                             {"label": "broken pages", "data": [c["pages"] for c in codes], "danger": True}],
                "x": "status", "y": "count"} if codes else None
    if name == "segments":
        labels = x.get("segments", [])[:10]
        rows = report.rows[:10]
        if not rows:
            return None
        return {"labels": [r["source_segment"] for r in rows], "stacked": True,
                "datasets": [{"label": f"to {to}", "data": [r["links"][j] for r in rows]} for j, to in enumerate(labels)],
                "x": "linking segment", "y": "links"}
    return None


def chart(report: Report) -> Any:
    spec = chart_spec(report)
    if spec is None:
        return P("Nothing to chart.", cls="muted analysis-nochart")
    label = f"Chart of {TITLES[report.name].lower()}; the table next to it has the figures."
    return Div(Canvas(data_chart=json.dumps(spec, separators=(",", ":")), role="img", aria_label=label),
               cls="analysis-chart")


# -- one analysis ---------------------------------------------------------------------------------
def article(gid: str, report: Report, *, crawled: bool = False) -> Any:
    note = None
    if report.name == "orphans":
        note = P(ORPHANS_NOTE + (" The crawl fetched listed pages that no link reached on their own, "
                                 "so they are here." if crawled else ""), cls="muted")
    return Article(
        H3(TITLES[report.name]),
        P(report.explanation, cls="analysis-explanation"),
        note,
        Div(chart(report), Div(table(gid, report), cls="analysis-scroll", tabindex="0", role="region",
                                 aria_label=f"Table of {TITLES[report.name].lower()}"), cls="analysis-body"),
        P(A("Download CSV", href=csv_url(gid, report.name), download=f"{gid}-{report.name}.csv",
            data_csv=report.name),
          Small(f" computed in {report.seconds:.1f} s", cls="muted")),
        id=f"analysis-{report.name}", cls="analysis", data_ready="1",
    )
