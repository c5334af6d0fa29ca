"""The data side of the link graph.

Three steps, each usable alone:

- :mod:`cardflow.linkgraph.crawl`: a polite crawler for users without Botify. It writes
  ``edges.csv`` and ``metadata.csv`` in the same shapes as Botify's exports.
- :mod:`cardflow.linkgraph.ingest`: loads those CSVs (plain or gzip, Botify's or ours) into a
  DuckDB file, aggregating in SQL.
- :mod:`cardflow.linkgraph.graphdata`: read-only queries on that file for the browser: a
  sampled, laid-out graph for sigma.js, a page's links, and URL search.

Import from the modules (``from cardflow.linkgraph.crawl import crawl``). This package
re-exports nothing: the functions ``crawl`` and ``ingest`` share their modules' names, and
re-exporting them would shadow the modules (breaking ``mock.patch`` paths). It also keeps
``import cardflow.linkgraph`` free of httpx and DuckDB. None of these modules imports the web
layer, so they can run in a job or a notebook. Two modules are the web side, shared by the apps:
:mod:`~cardflow.linkgraph.view` (where graphs live, the viewer's components) and
:mod:`~cardflow.linkgraph.steps` (the graph step and a run's files).
"""
