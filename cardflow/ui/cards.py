"""Workflow cards: the landing (key box and key list), the chain, open/locked step cards, finalize."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fasthtml.common import (
    H2,
    H3,
    A,
    Article,
    Button,
    Datalist,
    Div,
    Form,
    Header,
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

from cardflow.ui.components import FieldError

if TYPE_CHECKING:
    from cardflow.workflow import Step, Workflow


def Problem(message: str) -> Any:
    return Div(P(message), cls="error-fragment", role="alert")


def dom_id(wf: Workflow, suffix: str) -> str:
    return f"{wf.name}-{suffix}"


def landing(wf: Workflow, key: str | None, error: str | None) -> Any:
    return Div(
        H2(wf.title),
        P(wf.description) if wf.description else None,
        key_form(wf, key or "", error),
        Div(workspace(wf, key) if key else None, id=dom_id(wf, "workspace")),
        key_table(wf),
        cls="workflow", data_workflow=wf.name,
    )


def key_form(wf: Workflow, value: str = "", error: str | None = None) -> Any:
    existing = wf.ctx.pipulate.list_keys(wf.name, profile_id=wf.ctx.current_profile_id(), limit=KEY_DATALIST)
    list_id = dom_id(wf, "keys")
    return Form(
        Label(wf.key_label, fr=dom_id(wf, "key-input")),
        Div(
            Input(name="key", id=dom_id(wf, "key-input"), value=value or wf.suggest_key(), list=list_id,
                  required=True, maxlength="200", aria_invalid="true" if error else None,
                  aria_describedby=dom_id(wf, "key-error"), autocomplete="off"),
            Button("Start or resume", type="submit"),
            role="group",
        ),
        Datalist(*[Option(value=k["key"]) for k in existing], id=list_id),
        FieldError(error, id=dom_id(wf, "key-error")),
        Small(wf.key_help, cls="muted"),
        hx_post=wf.url("init"), hx_target=f"#{dom_id(wf, 'workspace')}", hx_swap="innerHTML",
        id=dom_id(wf, "key-form"),
    )


def key_error(wf: Workflow, value: str, error: str) -> Any:
    """The key form again, with the message at the field, swapped in place of the form."""
    from fasthtml.common import HtmxResponseHeaders

    return key_form(wf, value, error), HtmxResponseHeaders(retarget=f"#{dom_id(wf, 'key-form')}", reswap="outerHTML")


def workspace(wf: Workflow, key: str) -> Any:
    return Div(
        Div(Small("Workflow key: "), Small(key, cls="wf-key"), " ",
            A("Download JSON", href=wf.url("export", key=key), cls="secondary", download=True),
            cls="wf-key-line"),
        chain(wf, key),
    )


def chain(wf: Workflow, key: str) -> Any:
    first = wf.steps[0]
    return Div(StepPlaceholder(wf, key, first.id), id=dom_id(wf, "chain"), cls="chain")


def StepPlaceholder(wf: Workflow, key: str, step_id: str) -> Any:
    return Div(id=dom_id(wf, step_id), hx_get=wf.url("step", step_id=step_id, key=key), hx_trigger="load",
               hx_swap="outerHTML", cls="step-placeholder", aria_busy="true")


def next_after(wf: Workflow, key: str, step: Step) -> Any:
    ids = wf.step_ids
    i = ids.index(step.id)
    return StepPlaceholder(wf, key, ids[i + 1]) if i + 1 < len(ids) else None


def step_card(wf: Workflow, key: str, step: Step, state: dict[str, Any], notice: str | None = None) -> Any:
    if not wf.done(state, step):
        return open_card(wf, key, step, state)
    card = locked_card(wf, key, step, state, notice)
    following = next_after(wf, key, step)
    return card, following if following is not None else finalize_card(wf, key, state)


def locked_card(wf: Workflow, key: str, step: Step, state: dict[str, Any], notice: str | None = None) -> Any:
    finalized = bool(state.get("finalize", {}).get("finalized"))
    revert = None if finalized else Button(
        "↶ Revert", cls="secondary outline", hx_post=wf.url("revert", step_id=step.id, key=key),
        hx_target=f"#{dom_id(wf, 'chain')}", hx_swap="outerHTML", aria_label=f"Revert {step.title}",
        title="Clear this step and every later one")
    hook = getattr(wf, f"locked_{step.id}", None)  # a workflow may show a finished step its own way
    value = hook(key, state.get(step.id) or {}) if hook else step.display(state.get(step.id) or {})
    return Article(
        Header(H3("🔒 " + step.title if finalized else "✓ " + step.title), revert),
        Div(value, cls="step-value"),
        Small(notice, cls="field-error", role="alert") if notice else None,
        id=dom_id(wf, step.id), cls="step-card locked", data_step=step.id,
    )


def open_card(wf: Workflow, key: str, step: Step, state: dict[str, Any], *, error: str | None = None,
              raw: Any = None) -> Any:
    values = wf.values(state)
    if raw is not None:
        value = raw
    elif step.suggest is not None:
        try:
            value = step.suggest(values)
        except (KeyError, TypeError, ValueError):
            value = ""
    else:
        value = ""
    error_id = dom_id(wf, f"{step.id}-error")
    job = wf.ctx.jobs.latest(key, step.id) if step.job is not None else None
    if job is not None and job.status in ("running", "queued"):
        from cardflow.ui.jobs import job_live

        return Article(Header(H3(step.title)),
                       job_live(job, reload_url=wf.url("step", step_id=step.id, key=key), target=f"#{dom_id(wf, step.id)}"),
                       id=dom_id(wf, step.id), cls="step-card open running", data_step=step.id)
    if job is not None and job.status in ("failed", "cancelled", "interrupted") and not error:
        import json

        error = f"The last run {job.status}: {json.loads(job.detail or '{}').get('message', '')}"
    hook = step.render or getattr(wf, f"render_{step.id}", None)
    if hook is not None:
        inputs = hook(wf, key, values) if step.render else hook(key, values)
    elif step.field is not None:
        inputs = (Label(step.title, fr=f"field-{step.id}", cls="visually-hidden"),
                  step.field.widget(step.id, value, invalid=bool(error), error_id=error_id))
    else:
        inputs = None
    return Article(
        Header(H3(step.title)),
        Form(
            P(step.help, cls="muted") if step.help else None,
            inputs,
            FieldError(error, id=error_id),
            Button(("Retry" if job is not None else "Start") if step.job is not None else "Save and continue",
                   type="submit"),
            hx_post=wf.url("submit", step_id=step.id, key=key), hx_target=f"#{dom_id(wf, step.id)}",
            hx_swap="outerHTML",
        ),
        id=dom_id(wf, step.id), cls="step-card open", data_step=step.id,
    )


def finalize_card(wf: Workflow, key: str, state: dict[str, Any]) -> Any:
    target = {"hx_target": f"#{dom_id(wf, 'chain')}", "hx_swap": "outerHTML"}
    if state.get("finalize", {}).get("finalized"):
        body = (P("This workflow is finalized: every step is locked."),
                Button("🔓 Unlock", cls="secondary", hx_post=wf.url("unfinalize", key=key), **target))
    else:
        body = (P("Every step is done. Finalize to lock the result, or revert a step to change it."),
                Button("Finalize", hx_post=wf.url("finalize", key=key), **target))
    return Article(Header(H3("Finalize")), *body, id=dom_id(wf, "finalize"), cls="step-card finalize")


KEY_TABLE_ROWS = 25  # the table shows the newest runs; the key box (with its datalist) opens any
KEY_DATALIST = 200


def key_table(wf: Workflow) -> Any:
    profile_id = wf.ctx.current_profile_id()
    rows = wf.ctx.pipulate.list_keys(wf.name, profile_id=profile_id, limit=KEY_TABLE_ROWS)
    total = wf.ctx.pipulate.count_keys(wf.name, profile_id) if len(rows) == KEY_TABLE_ROWS else len(rows)
    table_id = dom_id(wf, "key-table")
    if not rows:
        return Div(P("No saved runs of this workflow yet for this profile.", cls="muted"), id=table_id)
    body = [Tr(
        Td(A(r["key"], href=f"{wf.path}?{_qs(key=r['key'])}")),
        Td(r["updated"][:19].replace("T", " ")),
        Td(r["status"]),
        Td(A("JSON", href=wf.url("export", key=r["key"]), download=True, aria_label=f"Download {r['key']} as JSON"),
           " ",
           Button("Delete", cls="secondary outline", hx_post=wf.url("delete", key=r["key"]),
                  hx_confirm=f"Delete the saved state of “{r['key']}”? This cannot be undone.",
                  hx_target=f"#{table_id}", hx_swap="outerHTML", aria_label=f"Delete {r['key']}")),
    ) for r in rows]
    more = P(f"The {len(rows)} most recent of {total} runs; type a key above to open any other.", cls="muted") \
        if total > len(rows) else None
    return Div(H3("Saved runs"), Table(Thead(Tr(Th("Key"), Th("Updated (UTC)"), Th("Status"), Th(""))), Tbody(*body),
                                      cls="key-table"), more, id=table_id)


def _qs(**params: Any) -> str:
    from urllib.parse import urlencode

    return urlencode(params)

