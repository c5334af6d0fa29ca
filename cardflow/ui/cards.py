"""Workflow cards: the landing (key box and key list), the chain, open/locked step cards, finalize.

Plain functions of view data (`cardflow.flow_views`): the workflow fetches, these only render.
"""

from __future__ import annotations

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

from cardflow.flow_views import CardView, FlowView, KeyFormView, RunsView
from cardflow.ui.components import FieldError, Icon
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
        Datalist(*[Option(value=k) for k in form.known_keys], id=list_id),
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


def StepPlaceholder(flow: FlowView, key: str, step_id: str) -> FT:
    return Div(id=flow.dom_id(step_id), hx_get=flow.url("step", step_id=step_id, key=key), hx_trigger="load",
               hx_swap="outerHTML", cls="step-placeholder", aria_busy="true")


def step_card(flow: FlowView, card: CardView) -> FT | tuple[FT, FT]:
    """An open card, or a done card followed by what comes next (the next step, or finalize)."""
    if not card.done:
        return open_card(flow, card)
    following = StepPlaceholder(flow, card.key, card.next_step) if card.next_step else \
        finalize_card(flow, card.key, card.finalized)
    return locked_card(flow, card), following


def locked_card(flow: FlowView, card: CardView) -> FT:
    revert = None if card.finalized else Button(
        Icon("undo"), " Revert", cls="secondary outline",
        hx_post=flow.url("revert", step_id=card.step_id, key=card.key),
        hx_target=f"#{flow.dom_id('chain')}", hx_swap="outerHTML", aria_label=f"Revert {card.title}",
        title="Clear this step and every later one")
    # Fork works on a finalized run too: the copy is a new run, the original stays as it is.
    fork = Button("Fork from here", cls="secondary outline",
                  hx_post=flow.url("fork", step_id=card.step_id, key=card.key),
                  hx_target=f"#{flow.dom_id(card.step_id)}", hx_swap="outerHTML",
                  aria_label=f"Fork from here: {card.title}",
                  title="Copy this run up to this step into a new run, to try other values for the later steps")
    return Article(
        # The icon's name is the character it replaced: a screen reader says what it said before.
        Header(H3(Icon("lock", label="🔒") if card.finalized else Icon("check", label="✓"), " ", card.title),
               Div(fork, revert, cls="step-actions")),
        Div(card.value, cls="step-value"),
        Small(card.notice, cls="field-error", role="alert") if card.notice else None,
        id=flow.dom_id(card.step_id), cls="step-card locked", data_step=card.step_id,
    )


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
    body = [Tr(
        Td(A(r.key, href=f"{flow.path}?{urlencode({'key': r.key})}")),
        Td(r.updated[:19].replace("T", " ")),
        Td(r.status),
        Td(A("JSON", href=flow.url("export", key=r.key), download=True, aria_label=f"Download {r.key} as JSON"),
           " ",
           Button("Delete", cls="secondary outline", hx_post=flow.url("delete", key=r.key),
                  hx_confirm=f"Delete the saved state of “{r.key}”? (Activity can undo it.)",
                  hx_target=f"#{table_id}", hx_swap="outerHTML", aria_label=f"Delete {r.key}")),
    ) for r in runs.rows]
    more = P(f"The {len(runs.rows)} most recent of {runs.total} runs; type a key above to open any other.",
             cls="muted") if runs.total > len(runs.rows) else None
    compare = P(A("Compare two runs", href=flow.url("compare", a=runs.rows[0].key, b=runs.rows[1].key)),
                cls="compare-link") if len(runs.rows) > 1 else None
    return Div(H3("Saved runs"), Table(Thead(Tr(Th("Key"), Th("Updated (UTC)"), Th("Status"), Th(""))), Tbody(*body),
                                      cls="key-table"), more, compare, id=table_id, **live)
