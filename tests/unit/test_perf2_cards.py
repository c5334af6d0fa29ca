"""The locked card and the step placeholder are string templates now (issue 19): they must be the
same HTML as the FT trees they replaced (same elements, attributes and text; only the whitespace
between tags differs), with everything a user or a model wrote escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from fasthtml.common import (
    H3,
    A,
    Article,
    Button,
    Datalist,
    Div,
    Header,
    NotStr,
    Option,
    Small,
    Span,
    Td,
    Tr,
    to_xml,
)

from cardflow.flow_views import CardView, FlowView, KeyFormView, RunRow, RunsView
from cardflow.ui import cards
from cardflow.ui.components import Icon

HOSTILE = 'a"<b>&\'x</b>'


def flow() -> FlowView:
    def url(action: str, **params: Any) -> str:
        return f"/hello/{action}?" + "&".join(f"{k}={v}" for k, v in params.items())

    return FlowView(name="hello", title="Hello", description="", path="/hello", key_label="Key", key_help="",
                    first_step="name", url=url, event=lambda key: "flow-1", runs_event="runs-hello")


def ft_locked_card(flow: FlowView, card: CardView) -> Any:
    """The FT version this replaced, kept as the oracle."""
    revert = None if card.finalized else Button(
        Icon("undo"), " Revert", cls="secondary outline",
        hx_post=flow.url("revert", step_id=card.step_id, key=card.key),
        hx_target=f"#{flow.dom_id('chain')}", hx_swap="outerHTML", aria_label=f"Revert {card.title}",
        title="Clear this step and every later one")
    fork = Button("Fork from here", cls="secondary outline",
                  hx_post=flow.url("fork", step_id=card.step_id, key=card.key),
                  hx_target=f"#{flow.dom_id(card.step_id)}", hx_swap="outerHTML",
                  aria_label=f"Fork from here: {card.title}",
                  title="Copy this run up to this step into a new run, to try other values for the later steps")
    return Article(
        Header(H3(Icon("lock", label="🔒") if card.finalized else Icon("check", label="✓"), " ", card.title),
               Div(fork, revert, cls="step-actions")),
        Div(card.value, cls="step-value"),
        Small(card.notice, cls="field-error", role="alert") if card.notice else None,
        id=flow.dom_id(card.step_id), cls="step-card locked", data_step=card.step_id,
    )


def ft_placeholder(flow: FlowView, key: str, step_id: str) -> Any:
    return Div(id=flow.dom_id(step_id), hx_get=flow.url("step", step_id=step_id, key=key), hx_trigger="load",
               hx_swap="outerHTML", cls="step-placeholder", aria_busy="true")


class Tree(HTMLParser):
    """Elements with their attributes as sets, and text with runs of whitespace collapsed."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[Any] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(("<", tag, frozenset(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(("<>", tag, frozenset(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.out.append((">", tag))

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text:
            self.out.append(("text", text))


def same_html(a: str, b: str) -> bool:
    return Tree(a).out == Tree(b).out


@pytest.mark.parametrize("finalized", [False, True])
@pytest.mark.parametrize("value", ["plain & <text>", Div("Ada <b>", Span("x")), NotStr("<em>kept</em>"), 42,
                                   ("two ", Div("parts")), None])
@pytest.mark.parametrize("notice", [None, "Refused: <x> & “y”"])
def test_the_locked_card_is_the_same_html_as_the_ft_tree(finalized: bool, value: Any, notice: str | None) -> None:
    card = CardView(key=HOSTILE, step_id="name", title=f"Your {HOSTILE}", help="", done=True, finalized=finalized,
                    next_step="greeting", value=value, notice=notice)
    assert same_html(str(cards.locked_card(flow(), card)), to_xml(ft_locked_card(flow(), card)))


def test_the_placeholder_is_the_same_html_as_the_ft_tree() -> None:
    assert same_html(str(cards.StepPlaceholder(flow(), HOSTILE, "greeting")),
                     to_xml(ft_placeholder(flow(), HOSTILE, "greeting")))


def test_user_and_model_text_is_escaped() -> None:
    card = CardView(key=HOSTILE, step_id="name", title="<script>alert(1)</script>", help="", done=True,
                    finalized=False, next_step=None, value="<img src=x onerror=alert(1)>", notice="<b>no</b>")
    html = str(cards.locked_card(flow(), card))
    assert "<script>" not in html and "<img" not in html and "<b>no" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'a&quot;&lt;b&gt;&amp;&#x27;x' in html  # the key inside hx-post: no way out of the attribute
    both = to_xml((cards.locked_card(flow(), card), cards.StepPlaceholder(flow(), "k", "greeting")))
    assert both.startswith("<article") and 'class="step-placeholder"' in both  # as parts of a response


def ft_key_rows(flow: FlowView, runs: RunsView) -> str:
    """The FT rows of the saved-runs table this replaced, kept as the oracle."""
    table_id = flow.dom_id("key-table")
    return "".join(to_xml(Tr(
        Td(A(r.key, href=f"{flow.path}?{urlencode({'key': r.key})}")),
        Td(r.updated[:19].replace("T", " ")),
        Td(r.status),
        Td(A("JSON", href=flow.url("export", key=r.key), download=True, aria_label=f"Download {r.key} as JSON"),
           " ",
           Button("Delete", cls="secondary outline", hx_post=flow.url("delete", key=r.key),
                  hx_confirm=f"Delete the saved state of “{r.key}”? (Activity can undo it.)",
                  hx_target=f"#{table_id}", hx_swap="outerHTML", aria_label=f"Delete {r.key}")),
    )) for r in runs.rows)


def test_the_saved_runs_rows_and_key_list_are_the_same_html_as_the_ft_trees() -> None:
    runs = RunsView(rows=[RunRow(HOSTILE, "2026-12-02T10:00:00.000+00:00", "in progress"),
                          RunRow("plain", "2026-12-01T09:00:00.000+00:00", "finalized")], total=2)
    html = to_xml(cards.key_table(flow(), runs))
    body = html[html.index("<tbody>") + len("<tbody>"):html.index("</tbody>")]
    assert same_html(body, ft_key_rows(flow(), runs))
    form = to_xml(cards.key_form(flow(), KeyFormView(value="", error=None, known_keys=[HOSTILE, "b"])))
    datalist = form[form.index("<datalist"):form.index("</datalist>") + len("</datalist>")]
    assert same_html(datalist, to_xml(Datalist(Option(value=HOSTILE), Option(value="b"), id="hello-keys")))
    assert "<b>" not in html and "<b>" not in form
