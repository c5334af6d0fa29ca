"""A workflow's steps: what each card asks, and the hooks that let a step do anything else.

Every hook has one signature, `hook(wf, call)`: `wf` is the workflow instance (so a method written
in the class body can be passed as it is), `call` a `StepCall` with everything the hook may need.
Hooks are passed explicitly to `Step`; nothing is looked up by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile

from cardflow.fields import Field
from cardflow.jobs import JobContext

# `wf` is typed Any on purpose: a hook written for a subclass (`def render_x(self: Hello, ...)`)
# must be accepted where any workflow is expected.
RenderHook = Callable[[Any, "StepCall"], Any]
SubmitHook = Callable[[Any, "StepCall"], "dict[str, Any] | Awaitable[dict[str, Any]]"]
LockedHook = Callable[[Any, "StepCall"], Any]
JobHook = Callable[[Any, JobContext], Awaitable["dict[str, Any] | None"]]


@dataclass(frozen=True)
class Step:
    """One card. `field` reads one value; the hooks let a step render, save and run anything.

    render(wf, call) -> FT          the open card's inputs
    submit(wf, call) -> dict        the data to save (may be async); raise ValidationError to refuse
    locked(wf, call) -> FT          how a finished step shows its value
    job(wf, ctx) -> dict | None     a background job whose result is saved as the step's data;
                                    `field` (optional) is asked first and passed as ctx.params[step id]
    suggest(values) -> Any          pre-fills the field from earlier steps' values
    message(value) -> str           the chat note when the step is saved
    """

    id: str
    title: str
    field: Field | None = None
    _: KW_ONLY
    suggest: Callable[[dict[str, Any]], Any] | None = None
    help: str = ""
    render: RenderHook | None = None
    submit: SubmitHook | None = None
    locked: LockedHook | None = None
    message: Callable[[Any], str] | None = None
    job: JobHook | None = None
    resumable: bool = False  # a job step started again after a restart
    # A ready-made behaviour (cardflow.datasteps: Upload, Table, Chart, Markdown): its render, submit
    # and locked fill the hooks left unset; its other abilities are attributes the workflow looks for.
    kind: Any = None

    def __post_init__(self) -> None:
        if self.kind is not None:
            for name in ("render", "submit", "locked"):
                if getattr(self, name) is None and callable(getattr(self.kind, name, None)):
                    object.__setattr__(self, name, getattr(self.kind, name))  # frozen: set once, here
        # Fail at import with the step's name, rather than at the first click on its card.
        for name in ("suggest", "render", "submit", "locked", "message", "job"):
            hook = getattr(self, name)
            if hook is not None and not callable(hook):
                raise TypeError(f"Step {self.id!r}: {name}= must be a function, not {hook!r}: "
                                "hooks are passed by reference, never by name")

    def value_of(self, data: dict[str, Any] | None) -> Any:
        return (data or {}).get(self.id)

    def display(self, data: dict[str, Any]) -> Any:
        value = self.value_of(data)
        if self.field is not None:
            return self.field.display(value)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class StepCall:
    """What every step hook receives."""

    key: str
    step: Step
    state: dict[str, Any]  # the key's whole saved state
    values: dict[str, Any]  # each finished step's main value by step id (Workflow.values(state))
    form: FormData | None = None  # the submitted form, for submit hooks only

    @property
    def data(self) -> dict[str, Any]:
        """This step's saved data, {} when the step is not done."""
        data = self.state.get(self.step.id)
        return data if isinstance(data, dict) else {}


def as_form(form: FormData | Mapping[str, Any]) -> FormData:
    """A JSON caller's mapping as the browser would have posted it, so validation is the form's.

    Lists become repeated fields, booleans a checkbox ("on" when ticked, "" when not), None is
    left out (like an input the browser does not send) and anything else is str().
    """
    if isinstance(form, FormData):
        return form
    items: list[tuple[str, str | UploadFile]] = []
    for name, value in form.items():
        for one in value if isinstance(value, list | tuple) else [value]:
            if one is None:
                continue
            if isinstance(one, bool):
                items.append((str(name), "on" if one else ""))
            else:
                items.append((str(name), str(one)))
    return FormData(items)


__all__ = ["JobHook", "LockedHook", "RenderHook", "Step", "StepCall", "SubmitHook", "as_form"]
