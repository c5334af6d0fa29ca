"""The graph view's own action: what the browser canvas draws of a graph, and how it sampled it.

The page draws a whole graph up to 50,000 pages and 200,000 links and samples above that; this
gives MCP and the CLI the same answer the sentence under the canvas gives the user, without
placing or colouring anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cardflow.actions.base import Action, Call
from cardflow.actions.graph_actions import GRAPH, _db, _read
from cardflow.actions.schema import integer, obj
from cardflow.linkgraph.graphdata import sample

if TYPE_CHECKING:
    from cardflow.config import Settings


def view_actions(app: str, settings: Settings, node_cap: int, edge_cap: int) -> list[Action]:
    async def view_sample(call: Call) -> dict[str, Any]:
        got = await _read(sample, _db(settings, call.params["graph"]),
                          max_nodes=call.params.get("max_nodes", node_cap),
                          max_edges=call.params.get("max_edges", edge_cap))
        return {"graph": call.params["graph"], "drawn_pages": len(got.nodes), "drawn_links": len(got.edges),
                "total_pages": got.total_nodes, "total_links": got.total_edges,
                "sampled": len(got.nodes) < got.total_nodes or len(got.edges) < got.total_edges, "rule": got.rule}

    params = obj({"graph": GRAPH,
                  "max_nodes": integer(f"Draw at most this many pages (default and most: {node_cap:,}).",
                                       minimum=1, maximum=node_cap),
                  "max_edges": integer(f"Draw at most this many links (default and most: {edge_cap:,}).",
                                       minimum=0, maximum=edge_cap)}, ["graph"])
    return [Action(f"{app}.view_sample",
                   f"What the browser's graph view draws of a graph: every page and link up to {node_cap:,} pages "
                   f"and {edge_cap:,} links, above that the most-linked pages and the links among them; "
                   "the counts and the sentence that says how it sampled.",
                   view_sample, params, read_only=True, app=app, chat=False)]
