"""The Table kind: a paged, sortable preview of an upload or of a query over uploads, read by DuckDB.

The card holds one page (50 rows by default) and asks for the next with htmx: a click on a column
header sorts by it (again: the other way), the pager moves. Each page is the read-only
`<app>.preview` action, so MCP and the CLI get the same rows. `query=` is SQL over the source
steps, each named by its step id (`SELECT country, count(*) AS n FROM data GROUP BY 1`); it is the
workflow author's SQL, never the user's; the user only picks a column, which is checked against
the columns and quoted.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from fasthtml.common import Button, Div, Nav, P, Small, Span, Tbody, Td, Th, Thead, Tr
from fasthtml.common import Table as TableTag
from starlette.requests import Request

from cardflow.datasteps.base import DataFlow, part_url, source_of
from cardflow.datasteps.query import Source, count, page, q
from cardflow.errors import Problem
from cardflow.fields import ValidationError
from cardflow.steps import Step, StepCall

PAGE_SIZE = 50
MAX_PAGE = 10_000_000
STEP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _options(params: Any) -> dict[str, Any]:
    """page / sort / desc from a query string or an action's parameters, checked."""
    raw = str(params.get("page") or "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ValidationError("The page is a whole number from 1.", field="page")
    desc = params.get("desc")
    return {"page": int(raw), "sort": params.get("sort") or None,
            "desc": desc is True or str(desc).lower() in ("1", "true", "on", "yes")}


async def preview_rows(wf: DataFlow, source: Source, step_id: str, *, page_size: int = PAGE_SIZE,
                       **options: Any) -> dict[str, Any]:
    """One page of a step's rows, as the `<app>.preview` action returns it."""
    opts = _options(options)
    result = await asyncio.to_thread(page, wf.ctx.settings.data_dir, source, opts["page"], page_size,
                                     opts["sort"], opts["desc"])
    return {"step": step_id, "source": source.label, **result.to_dict()}


@dataclass(frozen=True)
class Table:
    """Rows of `source` (an upload or table step's id), optionally through `query`, `page_size` a page."""

    source: str
    query: str | None = None
    page_size: int = PAGE_SIZE

    def __post_init__(self) -> None:
        if not STEP_NAME.fullmatch(self.source):
            raise ValueError(f"Table(source={self.source!r}): name a step id (letters, digits, _)")
        if not 1 <= self.page_size <= 500:
            raise ValueError("Table(page_size=...) is from 1 to 500")

    # -- hooks -------------------------------------------------------------------------------------
    def render(self, wf: DataFlow, call: StepCall) -> Any:
        return lazy(wf, call.key, call.step.id)

    async def submit(self, wf: DataFlow, call: StepCall) -> dict[str, Any]:
        source = self.relation(wf, call.state, call.step)
        total = await asyncio.to_thread(count, wf.ctx.settings.data_dir, source)
        return {call.step.id: {"source": self.source, "rows": total, "columns": source.columns}}

    def locked(self, wf: DataFlow, call: StepCall) -> Any:
        return lazy(wf, call.key, call.step.id)

    # -- abilities ---------------------------------------------------------------------------------
    def relation(self, wf: DataFlow, state: dict[str, Any], step: Step) -> Source:
        base = source_of(wf, state, self.source)
        if not self.query:
            return base
        sql = f"WITH {q(self.source)} AS ({base.sql}) {self.query}"
        return _described(wf, sql, f"{base.label} (query)")

    async def preview(self, wf: DataFlow, state: dict[str, Any], step: Step, **options: Any) -> dict[str, Any]:
        source = await asyncio.to_thread(self.relation, wf, state, step)
        return await preview_rows(wf, source, step.id, page_size=self.page_size, **options)

    async def part(self, wf: Any, req: Request, key: str, step: Step) -> Any:
        return await table_part(wf, req, key, step)


_shapes: dict[str, tuple[list[str], list[str]]] = {}


def _described(wf: DataFlow, sql: str, label: str) -> Source:
    """A query's columns (asked of DuckDB once per SQL text; files never change under a path)."""
    import duckdb

    from cardflow.datasteps.query import connect

    if sql not in _shapes:
        con = connect(wf.ctx.settings.data_dir)
        try:
            rows = con.execute(f"DESCRIBE {sql}").fetchall()
        except duckdb.Error as exc:
            raise Problem(f"The step's query does not run: {str(exc).splitlines()[0][:300]}") from None
        finally:
            con.close()
        if len(_shapes) > 256:
            _shapes.clear()
        _shapes[sql] = ([str(r[0]) for r in rows], [str(r[1]) for r in rows])
    cols, types = _shapes[sql]
    return Source(sql=sql, columns=cols, types=types, rows=None, label=label)


# -- components ------------------------------------------------------------------------------------
def lazy(wf: DataFlow, key: str, step_id: str) -> Any:
    """The table's place in the card: it loads its first page at once."""
    return Div(P("Loading the rows…", cls="muted"), hx_get=part_url(wf, key, step_id), hx_trigger="load",
               hx_swap="outerHTML", hx_target="this", cls="data-table-wrap", aria_busy="true")


async def table_part(wf: Any, req: Request, key: str, step: Step) -> Any:
    """The partial: fetch the page through the action, then render it."""
    params = dict(req.query_params)
    try:
        options = {k: v for k, v in _options(params).items() if v is not None}
        result = (await wf.act(req, "preview", key=key, step=step.id, **options)).result
    except Problem as exc:
        return Div(P(str(exc), cls="field-error", role="alert"), cls="data-table-wrap", data_table=step.id)
    return table_view(wf, key, step.id, result)


def table_view(wf: DataFlow, key: str, step_id: str, r: dict[str, Any]) -> Any:
    wrap_id = f"{wf.name}-{step_id}-table"
    target = {"hx_target": f"#{wrap_id}", "hx_swap": "outerHTML"}

    def go(page_no: int, sort: str | None, desc: bool) -> str:
        return part_url(wf, key, step_id, page=page_no, sort=sort, desc="1" if desc else None)

    heads = []
    for col in r["columns"]:
        active = col == r["sort"]
        mark = (" ▼" if r["desc"] else " ▲") if active else ""
        heads.append(Th(Button(col, Span(mark, aria_hidden="true"), cls="sort", type="button",
                               hx_get=go(1, col, active and not r["desc"]), **target,
                               title=f"Sort by {col}"),
                        scope="col", aria_sort=("descending" if r["desc"] else "ascending") if active else None))
    body = [Tr(*[Td("" if v is None else str(v)) for v in row]) for row in r["rows"]]
    first, last = (r["page"] - 1) * r["page_size"] + 1, (r["page"] - 1) * r["page_size"] + len(r["rows"])
    pager = Nav(
        Button("← Previous", type="button", cls="secondary outline", disabled=r["page"] <= 1,
               hx_get=go(r["page"] - 1, r["sort"], r["desc"]), **target),
        Small(f"Rows {first:,}–{last:,} of {r['total']:,} · page {r['page']:,} of {r['pages']:,}"
              if r["rows"] else "No rows.", cls="muted table-count"),
        Button("Next →", type="button", cls="secondary outline", disabled=r["page"] >= r["pages"],
               hx_get=go(r["page"] + 1, r["sort"], r["desc"]), **target),
        cls="table-pager")
    return Div(Div(TableTag(Thead(Tr(*heads)), Tbody(*body), cls="data-table"), cls="data-table-scroll"), pager,
               id=wrap_id, cls="data-table-wrap", data_table=step_id, data_page=str(r["page"]),
               data_sort=r["sort"] or "")
