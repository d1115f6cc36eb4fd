"""Build the smallest value that satisfies a schema of the subset in schema_check.

The offline provider answers tasks it has no dedicated writer for with it, and the fake OpenAI server in the
tests answers with it by default. Strings come from a callback that knows the property name, so a caller can
make them read like real text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

TextFor = Callable[[str], str]


def minimal_instance(schema: dict[str, Any], text_for: TextFor, name: str = "") -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    match kind:
        case "object":
            properties: dict[str, Any] = schema.get("properties", {})
            return {key: minimal_instance(sub, text_for, key) for key, sub in properties.items()}
        case "array":
            count = max(1, schema.get("minItems", 1))
            count = min(count, schema.get("maxItems", count))
            return [minimal_instance(schema.get("items", {}), text_for, name) for _ in range(count)]
        case "string":
            text = text_for(name)
            text = text.ljust(schema.get("minLength", 0), ".")
            return text[: schema["maxLength"]] if "maxLength" in schema else text
        case "integer" | "number":
            low, high = schema.get("minimum"), schema.get("maximum")
            number = low if low is not None else min(0, high) if high is not None else 0
            return math.ceil(number) if kind == "integer" else float(number)
        case "boolean":
            return False
    return None
