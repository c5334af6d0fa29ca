"""Workflow cards: the landing (key box and key list), the chain, open/locked step cards, finalize.

Plain functions of view data (`cardflow.flow_views`): the workflow fetches, these only render.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from fasthtml.common import (
    FT,
    H2,
    H3,
    A,
    Article,
    Button,
    Datalist,
    Div,
    Form,
    Header,
    HtmxResponseHeaders,
    Input,
    Label,
    NotStr,
    P,
    Safe,
    Small,
    Table,
    Tbody,
    Th,
    Thead,
    Tr,
    to_xml,
)

from cardflow.flow_views import CardView, FlowView, KeyFormView, RunsView
from cardflow.ui.components import FieldError, Fragments, Icon
from cardflow.ui.jobs import job_live


def landing(flow: FlowView, form: KeyFormView, runs: RunsView, key: str | None) -> FT:
    return Div(
        H2(flow.title),
        P(flow.description) if flow.description else None,
        key_form(flow, form),
        Div(workspace(flow, key) if key else None, id=flow.dom_id("workspace")),
        key_table(flow, runs),
        cls="workflow", data_workflow=flow.name,
    )


def key_form(flow: FlowView, form: KeyFormView) -> FT:
    list_id = flow.dom_id("keys")
    return Form(
        Label(flow.key_label, fr=flow.dom_id("key-input")),
        Div(
            Input(name="key", id=flow.dom_id("key-input"), value=form.value, list=list_id,
                  required=True, maxlength="200", aria_invalid="true" if form.error else None,
                  aria_describedby=flow.dom_id("key-error"), autocomplete="off"),
            Button("Start or resume", type="submit"),
            role="group",
        ),
        Datalist(Safe("".join(f'<option value="{_attr(k)}"></option>' for k in form.known_keys)), id=list_id),
        FieldError(form.error, id=flow.dom_id("key-error")),
        Small(flow.key_help, cls="muted"),
        hx_post=flow.url("init"), hx_target=f"#{flow.dom_id('workspace')}", hx_swap="innerHTML",
        id=flow.dom_id("key-form"),
    )


def key_error(flow: FlowView, form: KeyFormView) -> tuple[FT, Any]:
    """The key form again, with the message at the field, swapped in place of the form."""
    return key_form(flow, form), HtmxResponseHeaders(retarget=f"#{flow.dom_id('key-form')}", reswap="outerHTML")


def workspace(flow: FlowView, key: str) -> FT:
    return Div(
        Div(Small("Workflow key: "), Small(key, cls="wf-key"), " ",
            A("Download JSON", href=flow.url("export", key=key), cls="secondary", download=True), " ",
            A("Download notebook", href=flow.url("notebook", key=key), cls="secondary", download=True), " ",
            A("Download receipt (.zip)", href=flow.url("receipt", key=key), cls="secondary", download=True), " ",
            A("Compare with…", href=flow.url("compare", a=key), cls="secondary"),
            cls="wf-key-line"),
        chain(flow, key),
    )


def chain(flow: FlowView, key: str) -> FT:
    # A change made elsewhere (MCP, the CLI's server-side twin, the assistant, another tab) reloads the chain.
    return Div(StepPlaceholder(flow, key, flow.first_step), id=flow.dom_id("chain"), cls="chain",
               hx_get=flow.url("chain", key=key), hx_trigger=f"sse:{flow.event(key)}", hx_swap="outerHTML")


# The placeholder and the locked card are the hot path of every workflow page (the chain replays
# them one request each), so they are string templates, not FT trees: about 10x cheaper to build.
# Every value goes through `_attr` or `_content`, which escape it. `Safe` is a str that FT and
# `to_xml` insert as it is, alone or in a tuple.
def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


def _content(value: Any) -> str:
    """A card's content as HTML, as FT would render it as a child: text escaped, FT and NotStr as they are."""
    if value is None:
        return ""
    if hasattr(value, "__ft__"):
        value = value.__ft__()
    if isinstance(value, list | tuple):
        return "".join(_content(v) for v in value)
    if isinstance(value, FT):
        return str(to_xml(value))
    if hasattr(value, "__html__"):  # markup already rendered and escaped
        return str(value.__html__())
    if isinstance(value, NotStr):
        return str(value)
    return escape(str(value), quote=False)


_CHECK, _LOCK, _UNDO = (str(Icon("check", label="✓")), str(Icon("lock", label="🔒")), str(Icon("undo")))


def StepPlaceholder(flow: FlowView, key: str, step_id: str) -> Safe:
    return Safe(f'<div hx-get="{_attr(flow.url("step", step_id=step_id, key=key))}" hx-trigger="load" '
                  f'hx-swap="outerHTML" aria-busy="true" id="{_attr(flow.dom_id(step_id))}" '
                  'class="step-placeholder"></div>')


def step_card(flow: FlowView, card: CardView) -> FT | Safe | tuple[Any, ...]:
    """An open card, or a done card followed by what comes next (the next step, or finalize)."""
    if not card.done:
        return open_card(flow, card)
    following = StepPlaceholder(flow, card.key, card.next_step) if card.next_step else \
        finalize_card(flow, card.key, card.finalized)
    return Fragments(locked_card(flow, card), following)


def locked_card(flow: FlowView, card: CardView) -> Safe:
    card_id, title = _attr(flow.dom_id(card.step_id)), _attr(card.title)
    # Fork works on a finalized run too: the copy is a new run, the original stays as it is.
    fork = (f'<button hx-post="{_attr(flow.url("fork", step_id=card.step_id, key=card.key))}" hx-swap="outerHTML" '
            f'aria-label="Fork from here: {title}" hx-target="#{card_id}" class="secondary outline" '
            'title="Copy this run up to this step into a new run, to try other values for the later steps">'
            'Fork from here</button>')
    revert = "" if card.finalized else (
        f'<button hx-post="{_attr(flow.url("revert", step_id=card.step_id, key=card.key))}" hx-swap="outerHTML" '
        f'aria-label="Revert {title}" hx-target="#{_attr(flow.dom_id("chain"))}" class="secondary outline" '
        f'title="Clear this step and every later one">{_UNDO} Revert</button>')
    notice = f'<small role="alert" class="field-error">{_content(card.notice)}</small>' if card.notice else ""
    # The icon's name is the character it replaced: a screen reader says what it said before.
    return Safe(f'<article data-step="{_attr(card.step_id)}" id="{card_id}" class="step-card locked"><header>'
                  f'<h3>{_LOCK if card.finalized else _CHECK} {_content(card.title)}</h3>'
                  f'<div class="step-actions">{fork}{revert}</div></header>'
                  f'<div class="step-value">{_content(card.value)}</div>{notice}</article>')


def open_card(flow: FlowView, card: CardView) -> FT:
    card_id = flow.dom_id(card.step_id)
    if card.running is not None:
        return Article(Header(H3(card.title)),
                       job_live(card.running, reload_url=flow.url("step", step_id=card.step_id, key=card.key),
                                target=f"#{card_id}"),
                       id=card_id, cls="step-card open running", data_step=card.step_id)
    if card.inputs is not None:
        inputs: Any = card.inputs
    elif card.widget is not None:
        inputs = (Label(card.title, fr=f"field-{card.step_id}", cls="visually-hidden"), card.widget)
    else:
        inputs = None
    label = ("Retry" if card.ran_before else "Start") if card.job_step else "Save and continue"
    return Article(
        Header(H3(card.title)),
        Form(
            P(card.help, cls="muted") if card.help else None,
            inputs,
            FieldError(card.error, id=error_id(flow, card.step_id)),
            Button(label, type="submit"),
            # A card with a file input posts multipart to the workflow's streaming upload route.
            hx_post=flow.url("upload" if _has_file_input(inputs) else "submit", step_id=card.step_id, key=card.key),
            hx_target=f"#{card_id}", hx_swap="outerHTML",
            hx_encoding="multipart/form-data" if _has_file_input(inputs) else None,
        ),
        id=card_id, cls="step-card open", data_step=card.step_id,
    )


def _has_file_input(node: Any) -> bool:
    """A form with a file input must post multipart, or the browser sends only the file's name."""
    if isinstance(node, list | tuple):
        return any(_has_file_input(n) for n in node)
    if isinstance(node, FT):
        return (node.tag == "input" and node.attrs.get("type") == "file") or _has_file_input(node.children)
    return False


def error_id(flow: FlowView, step_id: str) -> str:
    """The id of a step's error line, which its input names in aria-describedby."""
    return flow.dom_id(f"{step_id}-error")


def finalize_card(flow: FlowView, key: str, finalized: bool) -> FT:
    target = {"hx_target": f"#{flow.dom_id('chain')}", "hx_swap": "outerHTML"}
    if finalized:
        body = (P("This workflow is finalized: every step is locked."),
                Button(Icon("unlock", label="🔓"), " Unlock", cls="secondary",
                       hx_post=flow.url("unfinalize", key=key), **target))
    else:
        body = (P("Every step is done. Finalize to lock the result, or revert a step to change it."),
                Button("Finalize", hx_post=flow.url("finalize", key=key), **target))
    return Article(Header(H3("Finalize")), *body, id=flow.dom_id("finalize"), cls="step-card finalize")


def key_table(flow: FlowView, runs: RunsView) -> FT:
    table_id = flow.dom_id("key-table")
    # A run started, finished or deleted elsewhere (another tab, MCP, the assistant) reloads the table.
    live = {"hx_get": flow.url("runs"), "hx_trigger": f"sse:{flow.runs_event}", "hx_swap": "outerHTML"}
    if not runs.rows:
        return Div(P("No saved runs of this workflow yet for this profile.", cls="muted"), id=table_id, **live)
    # The rows as a template (up to 25 on every landing page load; as FT they were most of its cost).
    body = Safe("".join(
        f'<tr><td><a href="{_attr(flow.path + "?" + urlencode({"key": r.key}))}">{_content(r.key)}</a></td>'
        f'<td>{_content(r.updated[:19].replace("T", " "))}</td><td>{_content(r.status)}</td>'
        f'<td><a href="{_attr(flow.url("export", key=r.key))}" download aria-label="Download {_attr(r.key)} as JSON">'
        f'JSON</a> <button hx-post="{_attr(flow.url("delete", key=r.key))}" '
        f'hx-confirm="Delete the saved state of “{_attr(r.key)}”? (Activity can undo it.)" hx-swap="outerHTML" '
        f'aria-label="Delete {_attr(r.key)}" hx-target="#{_attr(table_id)}" class="secondary outline">Delete</button>'
        '</td></tr>' for r in runs.rows))
    more = P(f"The {len(runs.rows)} most recent of {runs.total} runs; type a key above to open any other.",
             cls="muted") if runs.total > len(runs.rows) else None
    compare = P(A("Compare two runs", href=flow.url("compare", a=runs.rows[0].key, b=runs.rows[1].key)),
                cls="compare-link") if len(runs.rows) > 1 else None
    return Div(H3("Saved runs"), Table(Thead(Tr(Th("Key"), Th("Updated (UTC)"), Th("Status"), Th(""))), Tbody(body),
                                      cls="key-table"), more, compare, id=table_id, **live)
