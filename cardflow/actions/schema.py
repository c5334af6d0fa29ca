"""JSON-schema helpers for action parameters: builders, and a validator with readable messages.

Actions declare their parameters as JSON schema because that is what MCP clients and LLM tool
calling consume as is. The validator covers the subset the builders produce (object, string,
integer, number, boolean, array, enum, anyOf, lengths, bounds, required, no extra keys); its messages
name the parameter, since a person reads them in the chat, the CLI or an MCP client.
"""

from __future__ import annotations

import math
import re
from typing import Any

from cardflow.errors import Problem

Schema = dict[str, Any]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, newline and carriage return are text


def obj(properties: dict[str, Schema] | None = None, required: list[str] | tuple[str, ...] = ()) -> Schema:
    return {"type": "object", "properties": dict(properties or {}), "required": list(required),
            "additionalProperties": False}


def string(description: str = "", *, max_length: int = 500, min_length: int = 0,
           enum: list[str] | None = None) -> Schema:
    out: Schema = {"type": "string", "maxLength": max_length}
    if min_length:
        out["minLength"] = min_length
    if enum is not None:
        out["enum"] = list(enum)
    return _described(out, description)


def integer(description: str = "", *, minimum: int | None = None, maximum: int | None = None) -> Schema:
    out: Schema = {"type": "integer"}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    return _described(out, description)


def boolean(description: str = "") -> Schema:
    return _described({"type": "boolean"}, description)


def array(items: Schema, description: str = "", *, max_items: int = 500) -> Schema:
    return _described({"type": "array", "items": items, "maxItems": max_items}, description)


def either(*options: Schema, description: str = "") -> Schema:
    """A value that fits one of ``options`` (JSON schema's anyOf): a word from a list, or a number."""
    return _described({"anyOf": list(options)}, description)


def anything(description: str = "") -> Schema:
    """A value whose check belongs to someone else (a workflow step's field validates it)."""
    return _described({"type": ["string", "number", "boolean", "array", "object", "null"]}, description)


def _described(schema: Schema, description: str) -> Schema:
    if description:
        schema["description"] = description
    return schema


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list, tuple), "object": (dict,), "null": (type(None),),
}
_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
          "array": "a list", "object": "an object", "null": "null"}


def kind_said(schema: Schema) -> str:
    """What a value of ``schema`` is, as a sentence says it: "top, bottom, up or a whole number from 1"."""
    said = _kinds_said(schema)
    return ", ".join(said[:-1]) + " or " + said[-1] if len(said) > 1 else "".join(said)


def _kinds_said(schema: Schema) -> list[str]:
    if "enum" in schema:
        return [str(v) for v in schema["enum"]]
    if "anyOf" in schema:
        return [piece for option in schema["anyOf"] for piece in _kinds_said(option)]
    kinds = schema.get("type", "object")
    said = [_NAMES[k] for k in ([kinds] if isinstance(kinds, str) else kinds)]
    return [f"{s} from {schema['minimum']}" if "minimum" in schema and s == _NAMES["integer"] else s for s in said]


def _is(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False  # JSON true is not 1
    if kind == "number" and isinstance(value, float) and not math.isfinite(value):
        return False
    return isinstance(value, _TYPES[kind])


def validate(schema: Schema, value: Any, where: str = "") -> Any:
    """Return `value` (integers given as digit strings are converted) or raise Problem naming the parameter."""
    label = f"“{where}”" if where else "The parameters"
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            try:
                return validate(option, value, where)
            except Problem:
                continue
        raise Problem(f"{label} must be {kind_said(schema)}.", field=where or None)
    kinds = schema.get("type", "object")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    if "integer" in kinds and isinstance(value, str) and value.strip().lstrip("-").isdigit() \
            and value.strip().isascii() and len(value.strip()) <= 18:
        value = int(value.strip())  # the CLI's key=value pairs arrive as text
    if "boolean" in kinds and isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if not any(_is(value, k) for k in kinds):
        raise Problem(f"{label} must be {' or '.join(_NAMES[k] for k in kinds)}.", field=where or None)
    if "enum" in schema and value not in schema["enum"]:
        raise Problem(f"{label} must be one of: {', '.join(map(str, schema['enum']))}.", field=where or None)
    if isinstance(value, str):
        if CONTROL.search(value):
            raise Problem(f"{label} contains control characters.", field=where or None)
        if len(value) > schema.get("maxLength", 100_000):
            raise Problem(f"{label} is too long: at most {schema['maxLength']} characters.", field=where or None)
        if len(value.strip()) < schema.get("minLength", 0):
            raise Problem(f"{label} is empty." if schema["minLength"] == 1 else
                          f"{label} needs at least {schema['minLength']} characters.", field=where or None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise Problem(f"{label} must be at least {schema['minimum']}.", field=where or None)
        if "maximum" in schema and value > schema["maximum"]:
            raise Problem(f"{label} must be at most {schema['maximum']}.", field=where or None)
    if isinstance(value, list | tuple):
        if len(value) > schema.get("maxItems", 10_000):
            raise Problem(f"{label} has too many items: at most {schema['maxItems']}.", field=where or None)
        items = schema.get("items")
        return [validate(items, v, f"{where}[{i}]") if items else v for i, v in enumerate(value)]
    if isinstance(value, dict) and "properties" in schema:
        return _validate_object(schema, value, where)
    return value


def _validate_object(schema: Schema, value: dict[str, Any], where: str) -> dict[str, Any]:
    props: dict[str, Schema] = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        extra = [k for k in value if k not in props]
        if extra:
            allowed = ", ".join(props) or "none"
            raise Problem(f"Unknown parameter{'s' if len(extra) > 1 else ''} "
                          f"{', '.join('“' + str(k)[:40] + '”' for k in extra)} (allowed: {allowed}).")
    missing = [k for k in schema.get("required", []) if k not in value]
    if missing:
        raise Problem(f"Missing parameter{'s' if len(missing) > 1 else ''}: "
                      f"{', '.join('“' + k + '”' for k in missing)}.", field=missing[0])
    prefix = f"{where}." if where else ""
    return {k: validate(props[k], v, f"{prefix}{k}") if k in props else v for k, v in value.items()}
