"""The browser's copy of a sampled link graph, as typed arrays in one binary body.

At 50,000 pages and 200,000 links, JSON (an object per page, a pair per link) costs the browser
hundreds of milliseconds of parsing and megabytes of garbage before anything is drawn. Here
numbers travel as little-endian arrays that JavaScript views in place (``new Float32Array(buf,
offset, n)``, no copy, no parse); only the strings (addresses, labels, legends) are JSON.

Layout of the body, every section starting on a 4-byte boundary::

    b"CFG1"                       magic and version
    uint32 H                      byte length of the header
    H bytes                       UTF-8 JSON header, padded with spaces to a multiple of 4
    float32 x[n], y[n], size[n]   positions and sizes (graphstyle: no layout in the browser)
    uint32 inlinks[n]
    uint8 section[n], depth[n]    colour indexes into header["palette"], one per colouring
    uint8 flags[n]                bit 0: a broken page
    (zero padding to a multiple of 4)
    uint32 edges[2 m]             source index, target index, ...

The header holds ``n``, ``m``, ``keys`` (page URLs), ``labels``, ``palette``, ``legends``
(``{"pagetype": [...], "depth": [...]}``), ``rule``, ``total_nodes``, ``total_edges`` and
``broken``; callers add their own fields (``extra``). Both colourings travel at once, so the
colour toggle needs no second request.
"""

from __future__ import annotations

import json
import os
import sys
from array import array
from typing import Any

from cardflow.linkgraph.graphdata import sample
from cardflow.linkgraph.graphstyle import OTHER_COLOR, colour, layout, size

__all__ = ["MAGIC", "pack", "unpack"]

MAGIC = b"CFG1"
FLAG_BROKEN = 1


def _le(values: array) -> bytes:  # type: ignore[type-arg]
    if sys.byteorder != "little":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _pad(data: bytes, filler: bytes = b"\0") -> bytes:
    return data + filler * (-len(data) % 4)


def pack(
    db_path: str | os.PathLike[str], *, max_nodes: int, max_edges: int, extra: dict[str, Any] | None = None
) -> bytes:
    """The sample of ``graphdata.sample`` placed, sized and coloured, as the binary body above."""
    got = sample(db_path, max_nodes=max_nodes, max_edges=max_edges)
    nodes = got.nodes
    for n in nodes:
        n.update(size=0.0, color=OTHER_COLOR, x=0.0, y=0.0)
    size(nodes)
    layout(nodes, have_depth=any(n["depth"] is not None for n in nodes))
    palette: dict[str, int] = {}
    indexes: dict[str, bytes] = {}
    legends: dict[str, list[dict[str, Any]]] = {}
    for mode in ("pagetype", "depth"):
        legends[mode] = colour(nodes, mode)
        indexes[mode] = bytes(palette.setdefault(n["color"], len(palette)) for n in nodes)
    header = {
        "n": len(nodes),
        "m": len(got.edges),
        "keys": [n["key"] for n in nodes],
        "labels": [n["label"] for n in nodes],
        "palette": list(palette),
        "legends": legends,
        "rule": got.rule,
        "total_nodes": got.total_nodes,
        "total_edges": got.total_edges,
        "broken": got.broken,
        **(extra or {}),
    }
    head = _pad(json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode(), b" ")
    edges = array("I", [0]) * (2 * len(got.edges))
    edges[0::2] = array("I", (s for s, _ in got.edges))
    edges[1::2] = array("I", (t for _, t in got.edges))
    parts = [
        MAGIC,
        _le(array("I", [len(head)])),
        head,
        _le(array("f", (n["x"] for n in nodes))),
        _le(array("f", (n["y"] for n in nodes))),
        _le(array("f", (n["size"] for n in nodes))),
        _le(array("I", (n["inlinks"] for n in nodes))),
        _pad(indexes["pagetype"] + indexes["depth"] + bytes(FLAG_BROKEN if n["broken"] else 0 for n in nodes)),
        _le(edges),
    ]
    return b"".join(parts)


def unpack(body: bytes) -> dict[str, Any]:
    """The header with the arrays decoded into lists (``x``, ``y``, ``size``, ``inlinks``,
    ``section``, ``depth``, ``flags``, ``edges`` as pairs): for tests and scripts, the mirror of
    what graph.js reads."""
    if body[:4] != MAGIC:
        raise ValueError("not a packed link graph")
    (h,) = array("I", body[4:8]) if sys.byteorder == "little" else _swapped("I", body[4:8])
    header: dict[str, Any] = json.loads(body[8 : 8 + h])
    n, m, at = header["n"], header["m"], 8 + h

    def take(code: str, count: int) -> list[Any]:
        nonlocal at
        width = array(code).itemsize
        chunk = body[at : at + width * count]
        at += width * count
        return list(array(code, chunk) if sys.byteorder == "little" else _swapped(code, chunk))

    for name, code in (("x", "f"), ("y", "f"), ("size", "f"), ("inlinks", "I")):
        header[name] = take(code, n)
    header["section"], header["depth"], header["flags"] = take("B", n), take("B", n), take("B", n)
    at += -at % 4
    flat = take("I", 2 * m)
    header["edges"] = list(zip(flat[0::2], flat[1::2], strict=True))
    return header


def _swapped(code: str, chunk: bytes) -> array:  # type: ignore[type-arg]
    values = array(code, chunk)
    values.byteswap()
    return values
