"""Validate model output against the small JSON-schema subset our prompts use.

Errors name the path and the rule, never the offending value: values are model output and may hold
message content, which must not reach logs.
"""

from __future__ import annotations

from typing import Any

# Keywords that only describe; everything else must be one this module enforces.
_ANNOTATIONS = {"description", "title", "$schema", "examples", "default"}
_ENFORCED = {
    "type", "enum", "properties", "required", "additionalProperties", "items",
    "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
}  # fmt: skip


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this validator would silently ignore."""


def schema_errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    unknown = set(schema) - _ENFORCED - _ANNOTATIONS
    if unknown:
        raise UnsupportedSchema(f"{path}: unsupported keywords {sorted(unknown)}")
    expected = schema.get("type")
    if expected is not None:
        types = expected if isinstance(expected, list) else [expected]
        if not any(_is_type(value, t) for t in types):
            return [f"{path}: expected {'|'.join(types)}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not one of the allowed values")
    if isinstance(value, dict):
        errors += _object_errors(value, schema, path)
    elif isinstance(value, list):
        errors += _array_errors(value, schema, path)
    elif isinstance(value, str):
        errors += _bound_errors(len(value), schema, path, "minLength", "maxLength", "length")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        errors += _bound_errors(value, schema, path, "minimum", "maximum", "value")
    return errors


def conforms(value: Any, schema: dict[str, Any]) -> bool:
    return not schema_errors(value, schema)


def _is_type(value: Any, name: str) -> bool:
    match name:
        case "object":
            return isinstance(value, dict)
        case "array":
            return isinstance(value, list)
        case "string":
            return isinstance(value, str)
        case "boolean":
            return isinstance(value, bool)
        case "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "null":
            return value is None
    raise UnsupportedSchema(f"unknown type {name!r}")


def _object_errors(value: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    properties: dict[str, Any] = schema.get("properties", {})
    errors = [f"{path}: missing {key!r}" for key in schema.get("required", []) if key not in value]
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            errors += schema_errors(item, properties[key], f"{path}.{key}")
        elif extra is False:
            errors.append(f"{path}: unexpected property")
        elif isinstance(extra, dict):
            errors += schema_errors(item, extra, f"{path}.{key}")
    return errors


def _array_errors(value: list[Any], schema: dict[str, Any], path: str) -> list[str]:
    errors = _bound_errors(len(value), schema, path, "minItems", "maxItems", "item count")
    if "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{path}[{index}]")
    return errors


def _bound_errors(
    measure: float, schema: dict[str, Any], path: str, low: str, high: str, what: str
) -> list[str]:
    errors = []
    if low in schema and measure < schema[low]:
        errors.append(f"{path}: {what} below {low} {schema[low]}")
    if high in schema and measure > schema[high]:
        errors.append(f"{path}: {what} above {high} {schema[high]}")
    return errors
