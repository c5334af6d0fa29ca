"""The graph viewer's Analyses section, in process: each analysis renders, its CSV holds the rows
the table shows (and all the others), bad input gets a sentence, user text is escaped, reports are
kept per build of the graph, and the `graph_view.analysis` action answers over the CLI."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cardflow.errors import Problem
from cardflow.linkgraph import reports
from cardflow.linkgraph.ingest import ingest

GID = "shop-analyses"
S = "https://shop.test"
ODD = f'{S}/odd,"quoted"\npage'  # a comma, quotes and a newline: the CSV must quote it
XSS = "<script>alert('x')</script><b>bold</b>"
HX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parents[2]


def build(data_dir: Path, gid: str = GID, extra_edges: int = 0) -> Path:
    """home -> cat/1, cat/2, gone (404), down (500), ODD (404); cats -> products; products -> home;
    /lonely (titled XSS) and ODD's sibling /promo are orphans known from the metadata."""
    folder = data_dir / "linkgraph" / gid
    folder.mkdir(parents=True, exist_ok=True)
    edges = [(f"{S}/", f"{S}/cat/{c}") for c in (1, 2)] + [(f"{S}/", f"{S}/gone"), (f"{S}/", f"{S}/down"),
                                                           (f"{S}/", ODD), (f"{S}/cat/1", f"{S}/gone")]
    edges += [(f"{S}/cat/{1 + i % 2}", f"{S}/p/{i}") for i in range(60 + extra_edges)]
    edges += [(f"{S}/p/{i}", f"{S}/") for i in range(60 + extra_edges)]
    meta = [(f"{S}/", 200, 0, "Home", "home"), (f"{S}/cat/1", 200, 1, "Cat 1", "cat"),
            (f"{S}/cat/2", 200, 1, "Cat 2", "cat"), (f"{S}/gone", 404, 1, "Gone", "other"),
            (f"{S}/down", 500, 1, "Down", "other"), (ODD, 404, 1, "Odd", "other"),
            (f"{S}/lonely", 200, 2, XSS, "landing"), (f"{S}/promo", 200, 2, "Promo", "landing")]
    meta += [(f"{S}/p/{i}", 200, 2, f"Product {i}", "product") for i in range(60 + extra_edges)]
    for name, header, rows in (("edges.csv", ["source", "target"], edges),
                               ("metadata.csv", ["url", "http_code", "depth", "title", "description", "pagetype"],
                                [(u, c, d, t, "", p) for u, c, d, t, p in meta])):
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
    ingest(folder / "edges.csv", folder / "metadata.csv", folder / "graph.duckdb")
    return folder


class Tables(HTMLParser):
    """Each ``table[data-analysis]``: its rows, each a list of cells ``{text, value, items}``."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[dict[str, Any]]]] = {}
        self.current: str | None = None
        self.row: list[dict[str, Any]] | None = None
        self.cell: dict[str, Any] | None = None
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-analysis"):
            self.current = a["data-analysis"]
            self.tables[self.current] = []
        elif self.current and tag == "tbody":
            self.in_body = True
        elif self.current and self.in_body and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = {"text": "", "value": a.get("data-value"), "items": []}
        elif self.cell is not None and tag == "li":
            self.cell["items"].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None and self.current:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell["text"] += data
            if self.cell["items"]:
                self.cell["items"][-1] += data


def parse(html: str) -> dict[str, list[list[dict[str, Any]]]]:
    p = Tables()
    p.feed(html)
    return p.tables


def same(cell: dict[str, Any], value: str) -> bool:
    """A table cell shows what the CSV holds: numbers by their data-value, lists as a prefix."""
    if cell["items"]:
        return value.split("\n")[: len(cell["items"])] == [i.strip() for i in cell["items"]]
    if cell["value"] not in (None, ""):
        return value != "" and float(cell["value"]) == pytest.approx(float(value), rel=1e-9)
    if cell["value"] == "":
        return value == ""
    return cell["text"].strip() == value


def wait_ready(client: Any, name: str, gid: str = GID, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get("/graph_view/analysis", params={"graph": gid, "name": name}, headers=HX)
        assert r.status_code == 200, r.text
        if 'data-ready="1"' in r.text:
            return r.text
        assert "Computing over the whole graph" in r.text or "Waiting" in r.text, r.text
        time.sleep(0.05)
    raise AssertionError(f"{name} was not computed")


def test_every_analysis_renders_and_its_csv_holds_the_table_rows(client: Any, data_dir: Path) -> None:
    build(data_dir)
    page = client.get("/graph_view", params={"graph": GID}).text
    assert re.search(r'<section [^>]*id="analyses"', page) and "/static/analyses.js" in page
    assert all(f'id="analysis-{n}"' in page for n in reports.NAMES)
    for name in reports.NAMES:
        html = wait_ready(client, name)
        assert "<h3>" in html and 'class="analysis-explanation"' in html
        assert "Download CSV" in html and "data-chart=" in html and "aria-label=" in html
        shown = parse(html)[name]
        r = client.get("/graph_view/analysis/csv", params={"graph": GID, "name": name})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert f'filename="{GID}-{name}.csv"' in r.headers["content-disposition"]
        header, *rows = list(csv.reader(io.StringIO(r.text)))
        assert len(rows) >= len(shown) and (len(shown) > 0 or not rows), name
        for table_row, csv_row in zip(shown, rows, strict=False):
            assert len(table_row) == len(csv_row) == len(header), (name, table_row, csv_row)
            assert all(same(c, v) for c, v in zip(table_row, csv_row, strict=True)), (name, table_row, csv_row)

    pagerank = client.get("/graph_view/analysis", params={"graph": GID, "name": "pagerank"}).text
    assert "Top 50 of 68 pages; the CSV has them all." in pagerank
    assert len(parse(pagerank)["pagerank"]) == 50
    broken = parse(wait_ready(client, "broken"))["broken"]
    # Most-linked broken page first; the odd URL's cell shows it whole, as text.
    assert [row[0]["text"].strip() for row in broken] == [f"{S}/gone", f"{S}/down", ODD]
    assert [row[1]["value"] for row in broken] == ["404", "500", "404"]
    assert [row[2]["value"] for row in broken] == ["2", "1", "1"]
    segments = parse(wait_ready(client, "segments"))["segments"]
    assert [row[0]["text"] for row in segments][:2] == ["cat", "product"]


def test_csv_quotes_odd_urls_and_the_page_escapes_titles(client: Any, data_dir: Path) -> None:
    build(data_dir)
    broken_csv = client.get("/graph_view/analysis/csv", params={"graph": GID, "name": "broken"}).text
    assert f'"{ODD.replace(chr(34), chr(34) * 2)}"' in broken_csv  # quoted, quotes doubled, newline kept
    rows = list(csv.DictReader(io.StringIO(broken_csv)))
    assert [r["target"] for r in rows] == [f"{S}/gone", f"{S}/down", ODD]
    assert rows[0]["sources"].split("\n") == [f"{S}/", f"{S}/cat/1"]  # every source, one a line
    orphans_csv = list(csv.DictReader(io.StringIO(
        client.get("/graph_view/analysis/csv", params={"graph": GID, "name": "orphans"}).text)))
    assert [r["url"] for r in orphans_csv] == [f"{S}/lonely", f"{S}/promo"] and orphans_csv[0]["title"] == XSS
    html = wait_ready(client, "orphans")
    assert "<script>alert" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html or "&lt;script&gt;alert('x')" in html
    assert "cannot find a page that nothing links to" in html


def test_bad_input_gets_a_sentence_not_a_500(client: Any, data_dir: Path) -> None:
    build(data_dir)
    for params, text in (({"graph": "nope", "name": "pagerank"}, "There is no link graph “nope”"),
                         ({"graph": "../../etc", "name": "pagerank"}, "There is no link graph"),
                         ({"graph": GID, "name": "bogus<b>"}, "There is no analysis “bogus&lt;b&gt;”"),
                         ({"name": "pagerank"}, "There is no link graph")):
        for route in ("/graph_view/analysis", "/graph_view/analysis/csv"):
            page = client.get(route, params=params)
            assert page.status_code == 404 and text in page.text, (route, params, page.text[:300])
            fragment = client.get(route, params=params, headers=HX)
            assert fragment.status_code == 200 and "error-fragment" in fragment.text and text in fragment.text
    # A damaged graph file: the article says so and offers a retry; the CSV a 409 sentence.
    (data_dir / "linkgraph" / "broken-file").mkdir()
    (data_dir / "linkgraph" / "broken-file" / "graph.duckdb").write_bytes(b"not a database")
    deadline = time.monotonic() + 30
    while "could not be computed" not in (r := client.get("/graph_view/analysis", headers=HX, params={
            "graph": "broken-file", "name": "depth"})).text:
        assert time.monotonic() < deadline and r.status_code == 200, r.text
        time.sleep(0.05)
    assert "Try again" in r.text and "retry=1" in r.text
    r = client.get("/graph_view/analysis/csv", params={"graph": "broken-file", "name": "depth"})
    assert r.status_code == 409 and "could not be computed" in r.text


def test_reports_are_kept_per_build_and_recomputed_after_a_rebuild(client: Any, data_dir: Path) -> None:
    folder = build(data_dir)
    wait_ready(client, "depth")
    stored = reports.cached(folder, "depth")
    assert stored is not None and (folder / "analyses" / "depth.csv").is_file()
    # A second visit is served from the stored report at once (no "computing" answer).
    assert 'data-ready="1"' in client.get("/graph_view/analysis", params={"graph": GID, "name": "depth"}).text
    (folder / "graph.duckdb").unlink()
    build(data_dir, extra_edges=5)  # a rebuild: 5 more product pages at depth 2
    assert reports.cached(folder, "depth") is None
    shown = parse(wait_ready(client, "depth"))["depth"]
    assert [(r[0]["text"], r[1]["text"]) for r in shown] == [("0", "1"), ("1", "5"), ("2", "67")]


def test_analysis_action_in_process_and_from_the_cli(app: Any, data_dir: Path) -> None:
    build(data_dir)
    ctx = app.state.ctx
    out = asyncio.run(ctx.actions.run("graph_view.analysis", {"graph": GID, "name": "broken", "limit": 2},
                                      actor="cli")).result
    assert out["columns"] == ["target", "http_code", "source_count", "sources"] and out["total"] == 3
    assert [r["target"] for r in out["rows"]] == [f"{S}/gone", f"{S}/down"]
    pr = asyncio.run(ctx.actions.run("graph_view.analysis", {"graph": GID, "name": "pagerank"}, actor="cli")).result
    assert len(pr["rows"]) == 50 and pr["total"] == 68 and pr["rows"][0]["url"] == f"{S}/"
    with pytest.raises(Problem):
        asyncio.run(ctx.actions.run("graph_view.analysis", {"graph": GID, "name": "bogus"}, actor="cli"))
    with pytest.raises(Problem, match="no link graph"):
        asyncio.run(ctx.actions.run("graph_view.analysis", {"graph": "nope", "name": "depth"}, actor="cli"))
    cli = subprocess.run([sys.executable, "-m", "cardflow", "call", "graph_view.analysis", f"graph={GID}",
                          "name=segments", "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, stdin=subprocess.DEVNULL)
    assert cli.returncode == 0, cli.stderr
    assert '"source_segment"' in cli.stdout and '"cat"' in cli.stdout
    bad = subprocess.run([sys.executable, "-m", "cardflow", "call", "graph_view.analysis", f"graph={GID}",
                          "name=nope", "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, stdin=subprocess.DEVNULL)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr + bad.stdout


def test_compute_all_is_the_pages_path_and_reuses_what_is_stored(data_dir: Path) -> None:
    folder = build(data_dir)
    done = reports.compute_all(folder, use_cache=False)
    assert list(done) == ["depth", "inlinks", "orphans", "dead_ends", "broken", "segments", "pagerank", "hubs",
                          "authorities"]
    assert done["hubs"].seconds == done["authorities"].seconds  # one HITS computation for both
    stamps = {p.name: p.stat().st_mtime_ns for p in (folder / "analyses").iterdir()}
    assert len(stamps) == 2 * len(reports.NAMES) and not any(".tmp-" in n for n in stamps)
    again = reports.compute_all(folder)
    assert {p.name: p.stat().st_mtime_ns for p in (folder / "analyses").iterdir()} == stamps
    assert again["pagerank"].rows == done["pagerank"].rows and again["broken"].total == 3
