"""Runs the "Data steps" example of docs/workflows.md as the guide shows it: upload, a query table,
a chart of the query, a markdown note, and the preview action the guide's CLI lines call."""

from __future__ import annotations

import html
import json

from tests.http.test_docs_workflows import GUIDE, doc_client, doc_files  # noqa: F401 - the fixture

SALES = "region,amount\n" + "".join(f"{r},{a}\n" for r, a in [("north", 10), ("south", 5), ("north", 7),
                                                              ("east", 1), ("south", 4)])


def chart_spec(fragment: str) -> dict:
    """The JSON of the chart canvas's data-datastep-chart attribute, whichever quotes it was written with."""
    after = fragment.split("data-datastep-chart=")[1]
    quote = after[0]
    return json.loads(html.unescape(after[1:].split(quote)[0]))


def test_guide_has_the_data_steps_example():
    assert "sales_doc.py" in doc_files()
    text = GUIDE.read_text()
    for kind in ("Upload(accept=, max_mb=)", "Table(source=, query=None, page_size=50)", "Markdown(text=)"):
        assert kind in text


def test_data_steps_example_runs(doc_client, tmp_path):  # noqa: F811 - the fixture
    c = doc_client
    c.post("/sales_doc/init", data={"key": "q1"})
    r = c.post("/sales_doc/upload/sales?key=q1", files={"sales": ("sales-q1.csv", SALES.encode(), "text/csv")})
    assert "5 rows · 2 columns" in r.text
    page = c.get("/sales_doc/part/by_region?key=q1").text
    rows = page.split("<tbody>")[1]
    assert rows.index("north") < rows.index("south") < rows.index("east") and "<td>17</td>" in rows
    c.post("/sales_doc/step/by_region?key=q1")
    form = c.get("/sales_doc/step/chart?key=q1").text
    assert '<option value="region" selected' in form and '<option value="total" selected' in form
    c.post("/sales_doc/step/chart?key=q1", data={"x": "region", "y": "total", "type": "pie"})
    drawn = c.get("/sales_doc/part/chart?key=q1").text
    spec = chart_spec(drawn)
    assert spec["labels"] == ["east", "north", "south"] and spec["values"] == [1.0, 17.0, 9.0]
    assert "<strong>5</strong> sales read." in c.get("/sales_doc/step/note?key=q1").text

    import asyncio

    ctx = c.app.state.ctx
    local = tmp_path / "sales-q1.csv"
    local.write_text(SALES)

    async def cli_lines():
        await ctx.actions.run("sales_doc.start", {"key": "q2"}, actor="cli")
        await ctx.actions.run("sales_doc.submit", {"key": "q2", "step": "sales", "file": str(local)}, actor="cli")
        return (await ctx.actions.run("sales_doc.preview", {"key": "q2", "step": "sales", "page": "1",
                                                            "sort": "amount", "desc": "true"}, actor="cli")).result

    result = asyncio.run(cli_lines())
    assert [r[1] for r in result["rows"]] == [10, 7, 5, 4, 1] and result["total"] == 5
