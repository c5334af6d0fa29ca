"""How a sampled link graph looks: positions, sizes and colours, computed once on the server.

The browser draws what it is given and runs no layout, so 50,000 pages cost no main-thread
work beyond uploading the positions to the GPU.

Layout: concentric rings by depth (depth 0 in the centre; unknown depth outermost; without any
depth, rings by inlink count, most-linked innermost). Within a ring, pages are sorted by
pagetype and then inlinks, so each pagetype is an angular sector; the radius within the ring
is spread by the golden ratio so that large rings do not collapse into a line.
Size: 2 to 15, by log(1 + inlinks) relative to the most-linked page kept.
Colour, "by section": the Botify segments when the graph has any (the metadata's ``pagetype``
holds the main segment), else the first folder of the URL path (``/blog/``; pages at the top
level share ``/``), because a crawl's pagetype is the first path segment, one per file name on a
flat site. At most :data:`MAX_GROUPS` groups get a colour (the largest; the rest are "other"), so
the legend stays readable. Broken pages (HTTP 4xx, 5xx, or 0 = unreachable) are red and left out
of the groups: they are targets of links, not pages of a section. "By depth": a sequential
palette, unknown depth grey. The legend lists what was used.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from cardflow.linkgraph.urls import pagetype_of

__all__ = [
    "BROKEN_COLOR",
    "DEPTH_PALETTE",
    "MAX_GROUPS",
    "OTHER_COLOR",
    "PAGETYPE_PALETTE",
    "colour",
    "first_folder",
    "is_broken",
    "layout",
    "size",
]

# No red or pink here: red means broken, and must not be mistaken for a section.
PAGETYPE_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#9c755f",
    "#a0cbe8",
    "#8cd17d",
    "#499894",
)
MAX_GROUPS = len(PAGETYPE_PALETTE)  # more colours than this cannot be told apart in a legend
BROKEN_COLOR = "#d62728"
DEPTH_PALETTE = (  # depth 0, 1, ... 9; deeper pages take the last colour
    "#440154",
    "#472c7a",
    "#3b518b",
    "#2c718e",
    "#21908d",
    "#27ad81",
    "#5cc863",
    "#aadc32",
    "#d8e219",
    "#fde725",
)
OTHER_COLOR = "#bab0ac"
GOLDEN = (math.sqrt(5) - 1) / 2
MIN_SIZE, MAX_SIZE = 2.0, 15.0


def is_broken(http_code: int | None) -> bool:
    """A link target that does not work: 4xx, 5xx, or 0 (no answer). None = never fetched."""
    return http_code is not None and (http_code == 0 or http_code >= 400)


def first_folder(url: str) -> str:
    """``/blog/`` for ``/blog/post-1`` and ``/blog/``; ``/`` for the top level (``/``, ``/about.html``)."""
    parts = urlsplit(url).path.lstrip("/").split("/")
    return f"/{parts[0]}/" if len(parts) > 1 and parts[0] else "/"


def size(nodes: list[dict[str, Any]]) -> None:
    """Each node's ``size``, by log(1 + inlinks) relative to the most-linked node."""
    top = max((n["inlinks"] for n in nodes), default=0)
    for n in nodes:
        n["size"] = (
            round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.log1p(n["inlinks"]) / math.log1p(top), 2) if top else 3.0
        )


def layout(nodes: list[dict[str, Any]], have_depth: bool) -> None:
    """Give each node x, y: rings by depth (or by inlinks bucket), sectors by pagetype."""

    def ring_of(n: dict[str, Any]) -> int:
        if have_depth:
            return n["depth"] if n["depth"] is not None else 1_000_000
        return -int(math.log2(n["inlinks"] + 1))  # most linked innermost

    rings: dict[int, list[dict[str, Any]]] = {}
    for n in nodes:
        rings.setdefault(ring_of(n), []).append(n)
    inner = 0.0
    for ring_no, key in enumerate(sorted(rings)):
        members = sorted(rings[key], key=lambda n: (n["pagetype"] or "", -n["inlinks"], n["key"]))
        count = len(members)
        if inner == 0.0 and count == 1:  # a lone centre (the start page)
            members[0]["x"] = members[0]["y"] = 0.0
            inner = 1.0
            continue
        width = 1.0 + math.sqrt(count) / 4  # roomier rings for crowded depths
        r0 = inner + 1.0
        turn = 2 * math.pi * GOLDEN * ring_no  # so that rings do not all start on the x axis
        for i, n in enumerate(members):
            angle = turn + 2 * math.pi * i / count
            r = r0 + width * ((i * GOLDEN) % 1.0)
            n["x"] = round(r * math.cos(angle), 3)
            n["y"] = round(r * math.sin(angle), 3)
        inner = r0 + width


def _group_of(nodes: list[dict[str, Any]]) -> dict[str, str]:
    """Each node's colour group: its segment when the graph has Botify segments, else its first
    folder. A crawl (or ingest, without metadata) sets pagetype to the first path segment, so a
    graph where every pagetype is just that has no segments."""
    segments = any(n["pagetype"] and n["pagetype"] != pagetype_of(n["key"]) for n in nodes)
    return {n["key"]: (n["pagetype"] or "(none)") if segments else first_folder(n["key"]) for n in nodes}


def colour(nodes: list[dict[str, Any]], color_by: str) -> list[dict[str, Any]]:
    """Set each node's ``color`` (and ``group`` by section) and return the legend."""
    counts: dict[Any, int] = {}  # by page type, or by depth
    if color_by == "pagetype":
        group = _group_of(nodes)
        whole = [n for n in nodes if not n["broken"]]
        for n in whole:
            counts[group[n["key"]]] = counts.get(group[n["key"]], 0) + 1
        ranked = sorted(counts, key=lambda p: (-counts[p], p))
        # All groups when they fit; else the largest MAX_GROUPS - 1 and "other", 10 entries in all.
        shown = ranked if len(ranked) <= MAX_GROUPS else ranked[: MAX_GROUPS - 1]
        colours = {p: PAGETYPE_PALETTE[i] for i, p in enumerate(shown)}
        for n in nodes:
            n["group"] = "broken" if n["broken"] else group[n["key"]]
            n["color"] = BROKEN_COLOR if n["broken"] else colours.get(group[n["key"]], OTHER_COLOR)
        legend = [{"label": p, "color": colours[p], "count": counts[p]} for p in shown]
        rest = sum(counts[p] for p in ranked if p not in colours)
        if rest:
            legend.append({"label": "other", "color": OTHER_COLOR, "count": rest})
        if len(whole) < len(nodes):
            legend.append({"label": "broken (4xx, 5xx, unreachable)", "color": BROKEN_COLOR,
                           "count": len(nodes) - len(whole)})
        return legend
    for n in nodes:
        d = n["depth"]
        n["color"] = OTHER_COLOR if d is None else DEPTH_PALETTE[min(max(d, 0), len(DEPTH_PALETTE) - 1)]
        counts[d] = counts.get(d, 0) + 1
    legend = []
    for d in sorted(counts, key=lambda d: (d is None, d or 0)):
        if d is None:
            legend.append({"label": "unknown depth", "color": OTHER_COLOR, "count": counts[d]})
        else:
            legend.append(
                {
                    "label": f"depth {d}",
                    "color": DEPTH_PALETTE[min(max(d, 0), len(DEPTH_PALETTE) - 1)],
                    "count": counts[d],
                }
            )
    return legend
