"""Batch runs: one workflow run per row of a CSV (or a pasted list of keys), resumed after a restart.

parse.py reads the file, store.py keeps batches and rows in SQLite, runner.py runs the rows through
the workflow's own actions, actions.py offers `<app>.batch*` to every caller, views.py and
routes.py are the page. See docs/workflows.md, "Batches".
"""
