"""Field kinds for workflow steps: each renders its input and turns form text into a checked value."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fasthtml.common import Fieldset, Input, Label, Legend, Option, Textarea
from fasthtml.common import Select as SelectTag

from cardflow.errors import Problem


class ValidationError(Problem, ValueError):
    """The user's input cannot be accepted; the message is shown at the field."""


Raw = str | list[str] | None


def _one(raw: Raw) -> str:
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    return "" if raw is None else str(raw)


@dataclass
class Field:
    required: bool = False
    placeholder: str = ""
    help: str = ""

    def parse(self, raw: Raw) -> Any:
        text = _one(raw).strip()
        if not text:
            if self.required:
                raise ValidationError("This field is required.")
            return ""
        return self.convert(text)

    def convert(self, text: str) -> Any:
        return text

    def display(self, value: Any) -> str:
        return "" if value is None else str(value)

    def attrs(self, name: str, invalid: bool, error_id: str) -> dict[str, Any]:
        return {"name": name, "id": f"field-{name}", "required": self.required or None,
                "aria_invalid": "true" if invalid else None, "aria_describedby": error_id}

    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        return Input(type="text", value=self.display(value), placeholder=self.placeholder or None,
                     **self.attrs(name, invalid, error_id))

    def json_schema(self) -> dict[str, Any]:
        """The value as JSON schema, for actions (MCP, the CLI, the assistant). `parse` still has the
        last word, so a value that passes the schema gets exactly the message the form would show."""
        out: dict[str, Any] = {"type": "string"}
        if self.help or self.placeholder:
            out["description"] = self.help or f"e.g. {self.placeholder}"
        return out


@dataclass
class Text(Field):
    max_length: int = 500
    min_length: int = 0
    pattern: str | None = None
    pattern_message: str = "This value does not have the expected form."

    def convert(self, text: str) -> Any:
        if len(text) > self.max_length:
            raise ValidationError(f"Keep it under {self.max_length} characters (this is {len(text)}).")
        if len(text) < self.min_length:
            raise ValidationError(f"At least {self.min_length} characters, please.")
        if self.pattern and not re.fullmatch(self.pattern, text):
            raise ValidationError(self.pattern_message)
        return text

    def json_schema(self) -> dict[str, Any]:
        # The limit is stated, not enforced by the schema, so the message is the field's own.
        out = super().json_schema()
        out["description"] = (out.get("description", "") + f" At most {self.max_length} characters.").strip()
        return out


@dataclass
class TextArea(Text):
    max_length: int = 20_000
    rows: int = 6

    def parse(self, raw: Raw) -> Any:
        text = _one(raw).replace("\r\n", "\n").strip()
        if not text:
            if self.required:
                raise ValidationError("This field is required.")
            return ""
        return self.convert(text)

    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        return Textarea(self.display(value), rows=str(self.rows), placeholder=self.placeholder or None,
                        **self.attrs(name, invalid, error_id))


@dataclass
class Number(Field):
    min: float | None = None
    max: float | None = None
    integer: bool = False

    def convert(self, text: str) -> Any:
        try:
            value: float | int = int(text) if self.integer else float(text)
        except ValueError:
            raise ValidationError("Enter a whole number." if self.integer else "Enter a number.") from None
        if not math.isfinite(value):
            raise ValidationError("Enter a finite number.")
        if self.min is not None and value < self.min:
            raise ValidationError(f"The smallest allowed value is {self.min:g}.")
        if self.max is not None and value > self.max:
            raise ValidationError(f"The largest allowed value is {self.max:g}.")
        return value

    def json_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": ["integer", "string"] if self.integer else ["number", "string"]}
        if self.min is not None:
            out["minimum"] = self.min
        if self.max is not None:
            out["maximum"] = self.max
        return out

    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        return Input(type="number", value=self.display(value), min=self.min, max=self.max,
                     step="1" if self.integer else "any", **self.attrs(name, invalid, error_id))


@dataclass
class Select(Field):
    options: list[str | tuple[str, str]] = field(default_factory=list)

    def pairs(self) -> list[tuple[str, str]]:
        return [(o, o) if isinstance(o, str) else (str(o[0]), str(o[1])) for o in self.options]

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": [v for v, _ in self.pairs()]}

    def convert(self, text: str) -> Any:
        if text not in {v for v, _ in self.pairs()}:
            raise ValidationError("Choose one of the listed options.")
        return text

    def display(self, value: Any) -> str:
        return dict(self.pairs()).get(str(value), "" if value is None else str(value))

    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        opts = [Option("Choose…", value="", disabled=True, selected=value in (None, ""))]
        opts += [Option(label, value=v, selected=str(value) == v) for v, label in self.pairs()]
        return SelectTag(*opts, **self.attrs(name, invalid, error_id))


@dataclass
class Radio(Select):
    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        choices = [Label(Input(type="radio", name=name, value=v, checked=str(value) == v,
                               aria_invalid="true" if invalid else None), label) for v, label in self.pairs()]
        return Fieldset(Legend("Choose one", cls="visually-hidden"), *choices, id=f"field-{name}", aria_describedby=error_id)


@dataclass
class Checkbox(Field):
    label: str = "Yes"

    def parse(self, raw: Raw) -> Any:
        checked = _one(raw).lower() in ("on", "true", "1", "yes")
        if self.required and not checked:
            raise ValidationError("Tick this box to continue.")
        return checked

    def display(self, value: Any) -> str:
        return "Yes" if value else "No"

    def json_schema(self) -> dict[str, Any]:
        return {"type": ["boolean", "string"]}

    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        return Label(Input(type="checkbox", checked=bool(value), value="on", **self.attrs(name, invalid, error_id)),
                     self.label)


@dataclass
class Url(Text):
    schemes: tuple[str, ...] = ("http", "https")
    max_length: int = 2000

    def convert(self, text: str) -> Any:
        text = super().convert(text)
        parts = urlsplit(text)
        if parts.scheme.lower() not in self.schemes or not parts.netloc:
            allowed = " or ".join(f"{s}://" for s in self.schemes)
            raise ValidationError(f"Enter a full address starting with {allowed}.")
        return text

    def widget(self, name: str, value: Any, *, invalid: bool = False, error_id: str = "") -> Any:
        return Input(type="url", value=self.display(value), placeholder=self.placeholder or "https://",
                     **self.attrs(name, invalid, error_id))
