"""A graph's files as served for download: formulas defused, streamed whole, nothing outside reachable."""

from __future__ import annotations

from tests.http._link_graph_helpers import (
    bf_fixture,  # noqa: F401 - the fixture "bf"
    lg_fixture,  # noqa: F401 - the fixture "lg"
)


def test_a_downloaded_csv_cannot_run_formulas_but_the_file_keeps_the_sites_text(lg, data_dir):
    graph = data_dir / "linkgraph" / "g2"
    graph.mkdir(parents=True)
    kept = ('url,title,depth\r\nhttps://a.example/,"=HYPERLINK(""http://evil.example"",""x"")",-3\r\n'
            'https://a.example/b,"@SUM(1+1)",+1.5e3\r\nhttps://a.example/c,"Plain, with a comma",2\r\n')
    (graph / "metadata.csv").write_text(kept, newline="")
    r = lg.get("/graph_view/file", params={"path": "linkgraph/g2/metadata.csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"] and "metadata.csv" in r.headers["content-disposition"]
    import csv as csv_module
    import io

    assert list(csv_module.reader(io.StringIO(r.text))) == [
        ["url", "title", "depth"],
        ["https://a.example/", "'=HYPERLINK(\"http://evil.example\",\"x\")", "-3"],  # numbers stay numbers
        ["https://a.example/b", "'@SUM(1+1)", "+1.5e3"],
        ["https://a.example/c", "Plain, with a comma", "2"],
    ]
    assert (graph / "metadata.csv").read_bytes() == kept.encode()  # ingest and analyses read it unchanged


def test_a_large_csv_streams_in_chunks_with_every_row(tmp_path):
    from cardflow.csv_safe import stream_file

    path = tmp_path / "edges.csv"
    path.write_text("source,target\n" + "".join(f"=a{i},b{i}\n" for i in range(4999)))
    chunks = list(stream_file(path, chunk_rows=1000))
    assert len(chunks) == 5 and "".join(chunks).splitlines()[1:3] == ["'=a0,b0", "'=a1,b1"]
    assert len("".join(chunks).splitlines()) == 5000


def test_file_route_refuses_traversal(lg, data_dir):
    graph = data_dir / "linkgraph" / "g1"
    graph.mkdir(parents=True)
    (graph / "edges.csv").write_text("source,target\na,b\n")
    (graph / "notes.txt").write_text("not a csv")
    (data_dir / "botify_token").write_text("SECRET-TOKEN")
    (data_dir / "secret.csv").write_text("SECRET,CSV")
    (graph / "evil.csv").symlink_to(data_dir / "botify_token")
    assert lg.get("/graph_view/file", params={"path": "linkgraph/g1/edges.csv"}).text == "source,target\na,b\n"
    for path in ("../cardflow.db", "/etc/passwd", "linkgraph/../botify_token", "linkgraph/g1/../../botify_token",
                 "linkgraph/g1/../../secret.csv", "secret.csv", "botify_token", "cardflow.db", "\\etc\\passwd",
                 "linkgraph/g1/evil.csv", "linkgraph/g1/notes.txt", "~/x.csv", "", "linkgraph/g1",
                 "C:/windows/x.csv", str(data_dir / "secret.csv")):
        r = lg.get("/graph_view/file", params={"path": path})
        assert r.status_code in (400, 404), (path, r.status_code)
        assert "SECRET" not in r.text and "SQLite" not in r.text
    r = lg.get("/graph_view/file?path=linkgraph%2Fg1%2F%2e%2e%2F%2e%2e%2Fsecret.csv")
    assert r.status_code == 400 and "SECRET" not in r.text
