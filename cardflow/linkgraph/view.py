"""The web side of the link graph, shared by both workflows and the viewer app.

Unlike the data layer of this package, this module builds HTML (FastHTML components); only the
web side (:mod:`cardflow.linkgraph.steps` and the apps) imports it.

- Where a graph lives: ``<data dir>/linkgraph/<graph id>/`` (:func:`graph_dir_for`), and the one
  check every served file goes through (:func:`safe_data_file`).
- The panel (:func:`graph_panel`): a ``<div>`` that ``/static/graph.js`` turns into a sigma.js
  WebGL canvas, with the colour toggle, search, the links of a page and the summary tables.
- How a finished step shows a graph (:func:`show_graph`) or its files (:func:`files_table`), through
  the display-only :class:`Shown` field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import urlencode

from fasthtml.common import (
    A,
    Button,
    Details,
    Div,
    Fieldset,
    Input,
    Label,
    Legend,
    Li,
    Link,
    P,
    Script,
    Small,
    Span,
    Summary,
    Table,
    Tbody,
    Td,
    Th,
    Thead,
    Tr,
    Ul,
)

from cardflow.config import Settings
from cardflow.fields import Field

GRAPHS = "linkgraph"
GRAPH_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,119}")
SERVED_SUFFIXES = (".csv",)
VIEW = "/graph_view"
ASSET_VERSION = "5"


# -- where graphs live -------------------------------------------------------------------------
def graphs_root(settings: Settings) -> Path:
    return Path(settings.data_dir) / GRAPHS


def graph_id(app: str, key: str) -> str:
    """A stable folder name for one workflow run: readable, and unique by a hash of the key."""
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:40] or "run"
    return f"{app.replace('_', '-')}-{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def graph_dir_for(settings: Settings, gid: str) -> Path | None:
    return graphs_root(settings) / gid if isinstance(gid, str) and GRAPH_ID.fullmatch(gid) else None


def db_file(settings: Settings, gid: str) -> Path | None:
    d = graph_dir_for(settings, gid)
    return d / "graph.duckdb" if d is not None else None


def file_url(gid: str, name: str) -> str:
    return f"{VIEW}/file?{urlencode({'path': f'{GRAPHS}/{gid}/{name}'})}"


class Refused(NamedTuple):
    """Why a file is not served: the HTTP status and a sentence."""

    status: int
    message: str


def safe_data_file(settings: Settings, rel: str) -> Path | Refused:
    """A link-graph file under the data dir, or why not. Refuses absolute paths, ``..``,
    backslashes and anything that resolves (symlinks included) outside ``<data>/linkgraph``."""
    rel = (rel or "").strip()
    if not rel:
        return Refused(400, "Say which file, e.g. ?path=linkgraph/<graph>/edges.csv")
    if "\x00" in rel or "\\" in rel or rel.startswith(("/", "~")) or re.match(r"[A-Za-z]:", rel):
        return Refused(400, "Absolute paths are refused.")
    if ".." in PurePosixPath(rel).parts:
        return Refused(400, "Paths containing .. are refused.")
    root = graphs_root(settings).resolve()
    full = (Path(settings.data_dir) / rel).resolve()
    if not full.is_relative_to(root):
        return Refused(400, "Only link-graph files are served.")
    if full.suffix.lower() not in SERVED_SUFFIXES or not full.is_file():
        return Refused(404, "There is no such file.")
    return full


def read_meta(directory: Path) -> dict[str, Any]:
    try:
        value = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def read_summary(db: Path) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM summary").fetchall()}
    finally:
        con.close()


# -- components --------------------------------------------------------------------------------
def assets() -> Any:
    """The viewer's CSS and JS; graph.js loads sigma and graphology itself, when a graph is shown."""
    return (Link(rel="stylesheet", href=f"/static/graph.css?v={ASSET_VERSION}"),
            Script(src=f"/static/graph.js?v={ASSET_VERSION}"))


def links_id(gid: str) -> str:
    return f"gv-{gid}-links"


def url_button(gid: str, url: str, label: str) -> Any:
    return Button(label, type="button", cls="linklike", title=url, hx_get=f"{VIEW}/links?{urlencode({'graph': gid, 'url': url})}",
                  hx_target=f"#{links_id(gid)}", hx_swap="innerHTML")


def graph_panel(gid: str, *, full: bool = False) -> Any:
    """The graph panel; ``full`` opens it full-screen at once (graph.js reads ``data-graph-full``)."""
    if not GRAPH_ID.fullmatch(gid or ""):
        return P("This graph has an invalid name.", cls="error-fragment")
    q = urlencode({"graph": gid})
    radio = f"color-{gid}"
    return Div(
        Div(Fieldset(Legend("Colour by", cls="graph-legend-title"),
                     Label(Input(type="radio", name=radio, value="pagetype", checked=True, data_graph_color="1"),
                           "section", title="Botify segments when the export has them, else the first folder"),
                     Label(Input(type="radio", name=radio, value="depth", data_graph_color="1"), "depth")),
            Small(Span("…", data_graph_count="nodes"), " pages and ", Span("…", data_graph_count="edges"),
                  " links drawn", cls="muted"),
            Button("Full screen", type="button", cls="outline secondary graph-full-toggle", data_graph_full_toggle="1",
                   aria_pressed="false", title="Fill the window with the graph (Escape to come back)"),
            cls="graph-toolbar"),
        Div(cls="graph-canvas", role="img",
            aria_label="The link graph: each dot is a page, each arrow a link from one page to another"),
        P("…", cls="graph-summary", aria_live="polite"),
        P("Loading the graph…", cls="graph-status muted", aria_live="polite"),
        Ul(cls="graph-legend"),
        Input(type="search", name="q", placeholder="Search page addresses…", aria_label="Search page addresses",
              hx_get=f"{VIEW}/search?{q}", hx_trigger="input changed delay:300ms, search",
              hx_target=f"#gv-{gid}-hits", autocomplete="off"),
        Div(id=f"gv-{gid}-hits", cls="graph-search-results", aria_live="polite"),
        Div(P("Click a page in the graph, a search result or a table row to list its links.", cls="muted"),
            id=links_id(gid), cls="graph-links", aria_live="polite"),
        Div(P("Loading the tables…", cls="muted"), hx_get=f"{VIEW}/tables?{q}", hx_trigger="load",
            hx_target="this", hx_swap="innerHTML", cls="graph-tables"),
        cls="graph-view", id=f"gv-{gid}", data_graph_src=f"{VIEW}/data?{q}", data_graph_full="1" if full else None,
        data_graph_links=f"{VIEW}/links?{q}", data_links_target=links_id(gid),
    )


ORPHANS_NOTE = ("A crawl follows links, so it cannot find a page that nothing links to by itself. The orphans "
                "here are pages known from a list (a Botify export's metadata, or for a crawl the site's "
                "sitemap.xml and the address list given in the limits step) that no crawled page links to.")


def tables(gid: str, summary: dict[str, Any], broken: dict[str, Any] | None = None, *, crawled: bool = False) -> Any:
    """The summary tables. ``broken`` is :func:`~cardflow.linkgraph.graphdata.broken_pages`'s answer:
    broken targets are flagged in the most-linked table and listed on their own."""
    top = summary.get("top") or []
    orphans, dead = summary.get("orphans") or [], summary.get("dead_ends") or []
    broken = broken or {"pages": 0, "links": 0, "items": []}
    codes = {b["url"]: b["http_code"] for b in broken["items"]}

    def url_list(urls: list[str], total: int) -> Any:
        more = Small(f"The first {len(urls):,} of {total:,}, by address.", cls="muted") if total > len(urls) else None
        return (Ul(*[Li(url_button(gid, u, u)) for u in urls]), more) if urls else P("None.", cls="muted")

    def top_row(t: dict[str, Any]) -> Any:
        if t["url"] not in codes:
            return Tr(Td(url_button(gid, t["url"], t.get("title") or t["url"])), Td(f"{t['inlinks']:,}"))
        # A 404's title ("Error response") would pass for a page: show its address and the code.
        return Tr(Td(url_button(gid, t["url"], t["url"]), " ", broken_badge(codes[t["url"]])),
                  Td(f"{t['inlinks']:,}"), cls="graph-broken-row")

    note = ORPHANS_NOTE + (" Listed pages that the crawl's limits kept it from reaching by links count too."
                           if crawled else "")
    return Div(
        Details(Summary(f"Most-linked pages ({len(top):,})"),
                Table(Thead(Tr(Th("Page"), Th("Inlinks"))), Tbody(*[top_row(t) for t in top])),
                open=True, cls="graph-top"),
        Details(Summary(f"Broken links: {broken['links']:,} (to {broken['pages']:,} pages)"),
                P("Links to pages that answered 4xx or 5xx, or did not answer (unreachable).", cls="muted"),
                Ul(*[Li(url_button(gid, b["url"], b["url"]), " ", broken_badge(b["http_code"]),
                        Small(f" {b['inlinks']:,} inlinks", cls="muted")) for b in broken["items"]])
                if broken["items"] else P("None.", cls="muted"), cls="graph-broken"),
        Details(Summary(f"Orphans: {summary.get('orphan_count', 0):,}"), P(note, cls="muted"),
                url_list(orphans, summary.get("orphan_count", 0)), cls="graph-orphans"),
        Details(Summary(f"Dead ends: {summary.get('dead_end_count', 0):,}"),
                P("Pages fetched fine that link to no other page.", cls="muted"),
                url_list(dead, summary.get("dead_end_count", 0)), cls="graph-dead-ends"),
    )


def broken_badge(code: int | None) -> Any:
    return Span(f"broken · HTTP {code}" if code else "broken · unreachable", cls="graph-broken-badge")


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def files_table(gid: str, files: list[dict[str, Any]]) -> Any:
    rows = [Tr(Td(A(f["name"], href=file_url(gid, f["name"]), download=f["name"])), Td(f.get("label", "")),
               Td(f"{f.get('rows', 0):,}"), Td(human_bytes(int(f.get("bytes", 0))))) for f in files]
    return Table(Thead(Tr(Th("File"), Th("Content"), Th("Rows"), Th("Size"))), Tbody(*rows), cls="graph-files")


@dataclass
class Shown(Field):
    """A display-only field: the locked card shows ``show(value)`` (any FT); it asks nothing."""

    show: Any = None

    def parse(self, raw: Any) -> Any:
        return ""

    def display(self, value: Any) -> Any:
        if value in (None, ""):
            return ""
        return Div(self.show(value), cls="shown") if self.show else str(value)

    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        return None


def summary_line(value: dict[str, Any]) -> str:
    """One sentence of counts, from the graph step's value or ``meta.json`` (same keys). Graphs
    built before broken links were counted have no ``broken_links``: it is left out then."""
    broken = f"{value['broken_links']:,} broken links · " if "broken_links" in value else ""
    return (f"{value.get('nodes', 0):,} pages and {value.get('edges', 0):,} links · {broken}"
            f"{value.get('orphans', 0):,} orphans · {value.get('dead_ends', 0):,} dead ends "
            f"(built in {value.get('seconds', 0):.1f} s). ")


def show_graph(value: dict[str, Any]) -> Any:
    gid = value.get("graph", "")
    return Div(
        P(summary_line(value), A("Open the full graph view", href=f"{VIEW}?{urlencode({'graph': gid, 'full': '1'})}")),
        graph_panel(gid),
    )
