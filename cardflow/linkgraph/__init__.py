"""The data side of the link graph.

Three steps, each usable alone:

- :mod:`cardflow.linkgraph.crawl`: a polite crawler for users without Botify. It writes
  ``edges.csv`` and ``metadata.csv`` in the same shapes as Botify's exports.
- :mod:`cardflow.linkgraph.ingest`: loads those CSVs (plain or gzip, Botify's or ours) into a
  DuckDB file, aggregating in SQL.
- :mod:`cardflow.linkgraph.graphdata`: read-only queries on that file for the browser: a
  sampled, laid-out graph for sigma.js, a page's links, and URL search.

Nothing here imports the web layer, so it can run in a job or a notebook.
"""

from cardflow.linkgraph.crawl import CrawlResult, Page, crawl, normalize_url
from cardflow.linkgraph.graphdata import graph_for_view, links_for, search_urls
from cardflow.linkgraph.ingest import EDGES_HEADER, METADATA_HEADER, GraphSummary, ingest

__all__ = [
    "EDGES_HEADER",
    "METADATA_HEADER",
    "CrawlResult",
    "GraphSummary",
    "Page",
    "crawl",
    "graph_for_view",
    "ingest",
    "links_for",
    "normalize_url",
    "search_urls",
]
