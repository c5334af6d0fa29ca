"""Shared UI pieces. Components are plain functions that return FT trees."""

from __future__ import annotations

from typing import Any

from fasthtml.common import FT, Button, Div, P, Progress, Small


def Toast(message: str, kind: str = "info") -> FT:
    """A notice that removes itself after a few seconds (see cardflow.js)."""
    return Div(message, cls=f"toast toast-{kind}", role="status", data_autoclose="4000")


def ProgressBar(value: float | None, *, label: str = "", id: str | None = None) -> FT:
    bar = Progress(value=f"{value:.0f}", max="100") if value is not None else Progress()
    return Div(bar, Small(label, cls="progress-label") if label else None, cls="progress", id=id)


def FieldError(message: str | None, *, id: str | None = None) -> FT:
    return Small(message or "", cls="field-error", id=id, role="alert" if message else None)


def NotFound(what: str = "That item") -> FT:
    return Div(P(f"{what} was not found. It may have been deleted, or belong to another profile."),
               cls="not-found", role="alert")


def IconButton(label: str, *, icon: str, **kw: Any) -> FT:
    """A compact button whose text is an icon; `label` is what a screen reader says."""
    return Button(icon, aria_label=label, title=label, cls=f"icon-btn {kw.pop('cls', '')}".strip(), **kw)
