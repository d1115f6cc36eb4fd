"""The JSON-schema subset the runner validates model output against."""

from __future__ import annotations

from typing import Any

import pytest

from server.ai.schema_check import UnsupportedSchema, conforms, schema_errors
from server.ai.schema_instance import minimal_instance

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "tag": {"type": "string", "enum": ["a", "b"]},
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "ratio": {"type": "number", "minimum": 0.0, "maximum": 1.0},
        "flag": {"type": "boolean"},
        "notes": {"type": "array", "items": {"type": "string", "maxLength": 5}, "minItems": 1, "maxItems": 2},
        "nested": {
            "type": "object",
            "properties": {"x": {"type": ["string", "null"]}},
            "required": ["x"],
            "additionalProperties": False,
        },
    },
    "required": ["tag", "score", "ratio", "flag", "notes", "nested"],
    "additionalProperties": False,
}
VALID: dict[str, Any] = {
    "tag": "a",
    "score": 5,
    "ratio": 0.5,
    "flag": True,
    "notes": ["ok"],
    "nested": {"x": None},
}


def test_a_valid_value_conforms() -> None:
    assert schema_errors(VALID, SCHEMA) == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"tag": "c"}, "$.tag: not one of the allowed values"),
        ({"score": 101}, "$.score: value above maximum 100"),
        ({"score": -1}, "$.score: value below minimum 0"),
        ({"score": 1.5}, "$.score: expected integer"),
        ({"score": True}, "$.score: expected integer"),
        ({"ratio": "0.5"}, "$.ratio: expected number"),
        ({"flag": 1}, "$.flag: expected boolean"),
        ({"notes": []}, "$.notes: item count below minItems 1"),
        ({"notes": ["a", "b", "c"]}, "$.notes: item count above maxItems 2"),
        ({"notes": ["too long"]}, "$.notes[0]: length above maxLength 5"),
        ({"nested": {"x": 3}}, "$.nested.x: expected string|null"),
        ({"nested": {}}, "$.nested: missing 'x'"),
        ({"extra": "secret text"}, "$: unexpected property"),
    ],
)
def test_each_rule_reports_its_path_and_never_the_value(change: dict[str, Any], error: str) -> None:
    errors = schema_errors(VALID | change, SCHEMA)

    assert errors == [error]
    assert "secret" not in " ".join(errors)


def test_a_missing_required_property_is_reported() -> None:
    value = {k: v for k, v in VALID.items() if k != "flag"}

    assert schema_errors(value, SCHEMA) == ["$: missing 'flag'"]


def test_keywords_it_cannot_enforce_are_refused_not_ignored() -> None:
    with pytest.raises(UnsupportedSchema):
        conforms("x", {"type": "string", "pattern": "^a$"})


def test_minimal_instance_conforms() -> None:
    instance = minimal_instance(SCHEMA, lambda name: "hello")

    assert conforms(instance, SCHEMA)
    assert conforms(
        minimal_instance({"type": "integer", "maximum": -3}, str), {"type": "integer", "maximum": -3}
    )
