"""The compare page of a workflow: two key pickers, then each step's value in both runs.

A plain function of view data (the handler in `cardflow.flow_extras` fetches): every value is
user or model text and goes into the page as text, escaped by the components.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fasthtml.common import (
    FT,
    H2,
    A,
    Button,
    Datalist,
    Div,
    Form,
    Input,
    Label,
    Option,
    P,
    Small,
    Table,
    Tbody,
    Td,
    Th,
    Thead,
    Tr,
)

from cardflow.flow_views import FlowView
from cardflow.fork import Comparison
from cardflow.ui.components import FieldError

NOT_DONE = "(not done)"


def compare_page(flow: FlowView, known_keys: list[str], a: str, b: str, comparison: Comparison | None,
                 error: str | None) -> FT:
    return Div(
        H2(f"Compare runs of {flow.title}"),
        P(A(f"Back to {flow.title}", href=flow.path)),
        pickers(flow, known_keys, a, b, error),
        compare_table(flow, comparison) if comparison is not None else None,
        cls="workflow compare", data_workflow=flow.name, id=flow.dom_id("compare"),
    )


def pickers(flow: FlowView, known_keys: list[str], a: str, b: str, error: str | None) -> FT:
    list_id = flow.dom_id("compare-keys")
    error_id = flow.dom_id("compare-error")

    def picker(name: str, label: str, value: str) -> FT:
        field_id = flow.dom_id(f"compare-{name}")
        return Div(Label(label, fr=field_id),
                   Input(name=name, id=field_id, value=value, list=list_id, required=True, maxlength="200",
                         autocomplete="off", aria_describedby=error_id,
                         aria_invalid="true" if error else None))

    return Form(
        Div(picker("a", "Run A", a), picker("b", "Run B", b), cls="grid"),
        Datalist(*[Option(value=k) for k in known_keys], id=list_id),
        FieldError(error, id=error_id),
        Button("Compare", type="submit"),
        method="get", action=flow.url("compare"), id=flow.dom_id("compare-form"),
    )


def compare_table(flow: FlowView, c: Comparison) -> FT:
    def run_link(key: str) -> FT:
        return A(key, href=f"{flow.path}?{urlencode({'key': key})}")

    rows = [Tr(
        Th(r.title, scope="row"),
        Td(r.a if r.a is not None else Small(NOT_DONE, cls="muted"), cls="compare-value"),
        Td(r.b if r.b is not None else Small(NOT_DONE, cls="muted"), cls="compare-value"),
        Td("same" if r.same else Small("differs", cls="differs-mark")),
        cls="differs" if not r.same else None, data_step=r.step_id,
    ) for r in c.rows]
    count = c.differences
    summary = "The two runs have the same values at every step." if not count else \
        f"{count} step{'s' if count != 1 else ''} differ{'' if count != 1 else 's'}: marked below."
    return Div(
        P(summary, role="status"),
        Table(
            Thead(Tr(Th("Step"), Th("A: ", run_link(c.a), Small(f" ({c.a_status})", cls="muted")),
                     Th("B: ", run_link(c.b), Small(f" ({c.b_status})", cls="muted")), Th(""))),
            Tbody(*rows), cls="compare-table",
        ),
        id=flow.dom_id("compare-result"),
    )
