"""Link graph from a file: a Screaming Frog "All Inlinks" export (plain, gzip, Parquet) becomes the same
graph as the other sources; unknown headers get the mapping form; bad files get a message."""

from __future__ import annotations

import asyncio
import gzip
import json

import duckdb
import pytest

from cardflow.linkgraph.edgelist import recognise
from cardflow.linkgraph.graphdata import broken_pages
from cardflow.linkgraph.view import db_file
from tests import waiting
from tests.fakes.edgelists import GONE, PAGES, ROOT, SF_COLUMNS, SITE, sf_inlinks_text, write_sf_inlinks

HX = {"HX-Request": "true"}


def wait_step(ctx, key, step, timeout=60.0):
    return waiting.wait_step(ctx, key, step, timeout, poll=0.05)


def upload(client, key, name, body):
    client.post("/import_graph/init", data={"key": key}, headers=HX)
    return client.post(f"/import_graph/upload/edges?key={key}", files={"edges": (name, body, "text/csv")}, headers=HX)


def test_recognises_screaming_frog_and_other_spellings():
    assert recognise(SF_COLUMNS) == {"source": "Source", "destination": "Destination", "status": "Status Code",
                                     "follow": "Follow", "anchor": "Anchor", "type": "Type", "rel": "Rel"}
    old = recognise(["Type", "From", "To", "Anchor", "Target", "Status Code", "Follow"])
    assert old["source"] == "From" and old["destination"] == "To"  # not "Target", the link's target attribute
    assert recognise(["a", "b"]) == {}


@pytest.mark.parametrize("kind", ["csv", "csv.gz", "parquet"])
def test_screaming_frog_export_to_graph(client, tmp_path, kind):
    ctx = client.app.state.ctx
    text = sf_inlinks_text()
    if kind == "csv.gz":
        body = gzip.compress(text.encode())
    elif kind == "parquet":
        src = tmp_path / "in.csv"
        src.write_text(text)
        out = tmp_path / "in.parquet"
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true)) TO '{out}' (FORMAT parquet)")
        body = out.read_bytes()
    else:
        body = text.encode()
    r = upload(client, "sf", f"all_inlinks.{kind}", body)
    assert "rows" in r.text and r.status_code == 200, r.text
    form = client.get("/import_graph/step/columns?key=sf", headers=HX).text
    assert "Recognised from the headers" in form
    assert '<option value="Destination" selected' in form and '<option value="Status Code" selected' in form
    r = client.post("/import_graph/step/columns?key=sf", headers=HX, data={
        "source": "Source", "destination": "Destination", "status": "Status Code", "follow": "Follow",
        "anchor": "Anchor", "type": "Type", "rel": "Rel", "nofollow": "keep"})
    assert "Source → Destination" in r.text
    client.post("/import_graph/step/graph?key=sf", headers=HX)
    job = wait_step(ctx, "sf", "graph")
    graph = ctx.pipulate.get_step_data("sf", "graph").get("graph")
    assert graph, json.loads(job.detail).get("message")
    assert graph["import"]["links"] == SITE["hyperlinks"] and graph["import"]["skipped_type"] == SITE["images"]
    assert graph["import"]["nofollow"] == 1 and graph["nodes"] == SITE["pages"]
    db = db_file(ctx.settings, graph["graph"])
    broken = broken_pages(db, 10)
    assert [i["url"] for i in broken["items"]] == [GONE] and broken["links"] == 2
    con = duckdb.connect(str(db), read_only=True)
    top = con.execute("SELECT url FROM nodes ORDER BY inlinks DESC, url LIMIT 1").fetchone()[0]
    depths = dict(con.execute("SELECT url, depth FROM nodes").fetchall())
    con.close()
    assert top == SITE["top_pagerank"]
    # No depth column in the export: click depths are counted from the home page, breadth first.
    assert graph["import"]["start"] == f"{ROOT}/" and depths[f"{ROOT}/"] == 0
    assert {depths[p] for p in PAGES[1:]} == {1} and depths[GONE] == 2 and depths[f"{ROOT}/login"] == 2
    assert f"{ROOT}/logo.png" not in depths  # images are not links
    card = client.get("/import_graph/step/graph?key=sf", headers=HX).text
    assert "/graph_view?graph=" in card and "nofollow (kept)" in card
    assert f"Click depth is counted from {ROOT}/." in card


def test_unknown_headers_get_the_mapping_form(client):
    cols = ["Col A", "Col B", "Col C", "Size (Bytes)", "Alt Text", "Anchor", "Code", "Status", "Follow", "Target",
            "Rel", "Path Type", "Link Path", "Link Position", "Link Origin"]
    upload(client, "m", "links.csv", sf_inlinks_text(cols).encode())
    form = client.get("/import_graph/step/columns?key=m", headers=HX).text
    assert "were not recognised from the headers: choose them below" in form
    r = client.post("/import_graph/step/columns?key=m", headers=HX, data={"source": "", "destination": ""})
    assert "Choose the column of the source and the destination" in r.text
    r = client.post("/import_graph/step/columns?key=m", headers=HX, data={"source": "Col B", "destination": "Col B"})
    assert "two different columns" in r.text
    r = client.post("/import_graph/step/columns?key=m", headers=HX, data={"source": "nope", "destination": "Col C"})
    assert "There is no column “nope”" in r.text
    r = client.post("/import_graph/step/columns?key=m", headers=HX,
                    data={"source": "Col B", "destination": "Col C", "type": "Col A", "status": "Code"})
    assert "Col B → Col C" in r.text


@pytest.mark.parametrize(("name", "body", "message"), [
    ("empty.csv", b"", "The file is empty"),
    ("links.csv.gz", b"Source,Destination\na,b\n", "not gzip-compressed"),
    ("links.parquet", b"Source,Destination\na,b\n", "not a Parquet file"),
    ("links.json", b"[]", "is not a file this step reads"),
])
def test_bad_edge_files(client, data_dir, name, body, message):
    r = upload(client, "bad", name, body)
    assert r.status_code == 200 and message in r.text
    assert not [p for p in (data_dir / "uploads").rglob("*") if p.is_file()]


def test_header_only_file_is_refused_at_columns(client):
    upload(client, "h", "links.csv", ",".join(SF_COLUMNS).encode() + b"\n")
    r = client.post("/import_graph/step/columns?key=h", headers=HX, data={"source": "Source",
                                                                         "destination": "Destination"})
    assert "no rows" in r.text


def test_whole_import_over_actions(client, tmp_path):
    """What MCP and the CLI do: start, submit file=path, submit the columns, run the job."""
    ctx = client.app.state.ctx
    path = write_sf_inlinks(tmp_path / "inlinks.csv.gz", gz=True)

    async def go():
        run = ctx.actions.run
        await run("import_graph.start", {"key": "cli"}, actor="cli")
        await run("import_graph.submit", {"key": "cli", "step": "edges", "file": str(path)}, actor="cli")
        await run("import_graph.submit", {"key": "cli", "step": "columns",
                                          "value": {"source": "Source", "destination": "Destination",
                                                    "type": "Type", "status": "Status Code", "follow": "Follow"}},
                  actor="cli")
        await run("import_graph.job_start", {"key": "cli", "step": "graph"}, actor="cli")
        for _ in range(600):
            status = (await run("import_graph.job_status", {"key": "cli", "step": "graph"}, actor="cli")).result
            if status["status"] not in ("queued", "running"):
                return status
            await asyncio.sleep(0.05)
        raise AssertionError("job did not end")

    status = client.portal.call(go) if hasattr(client, "portal") and client.portal else None
    assert status is None or status["status"] == "done", status
    graph = ctx.pipulate.get_step_data("cli", "graph").get("graph")
    assert graph and graph["import"]["nofollow"] == 1 and graph["import"]["dropped_nofollow"] == 0


def test_nofollow_links_can_be_left_out(client):
    ctx = client.app.state.ctx
    upload(client, "nf", "inlinks.csv", sf_inlinks_text().encode())
    client.post("/import_graph/step/columns?key=nf", headers=HX, data={
        "source": "Source", "destination": "Destination", "type": "Type", "follow": "Follow", "nofollow": "drop"})
    client.post("/import_graph/step/graph?key=nf", headers=HX)
    wait_step(ctx, "nf", "graph")
    graph = ctx.pipulate.get_step_data("nf", "graph")["graph"]
    assert graph["import"]["dropped_nofollow"] == 1 and graph["nodes"] == SITE["pages"] - 1  # no /login


def test_odd_nofollow_choice_is_refused(client):
    upload(client, "odd", "inlinks.csv", sf_inlinks_text().encode())
    r = client.post("/import_graph/step/columns?key=odd", headers=HX,
                    data={"source": "Source", "destination": "Destination", "nofollow": "maybe"})
    assert "Nofollow links: choose keep or drop." in r.text
