"""Tolerant accessors for provider JSON: any value may have any JSON type, and none of these raise."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from server.core.text_cleaning import clean_optional, clean_text

# Epoch numbers above this are milliseconds (1e11 seconds is the year 5138).
_EPOCH_MILLIS_THRESHOLD = 100_000_000_000
_TRUE_WORDS = frozenset({"true", "1", "yes"})


def as_dict(value: object) -> dict[str, Any]:
    """The value when it is a JSON object, else {} (providers send "", [] or "null" for "no object")."""
    return value if isinstance(value, dict) else {}


def nested(value: object, *keys: str) -> dict[str, Any]:
    """The object at `keys` inside `value`, or {} when any step is missing or not an object."""
    current = as_dict(value)
    for key in keys:
        current = as_dict(current.get(key))
    return current


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def text_or_none(value: object) -> str | None:
    """One value as clean, stripped text; None for null, "", containers, booleans and "null"-like words.

    Integral numbers read as integers (an id sent as 42 or 42.0 becomes "42").
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        return clean_optional(value)
    except ValueError:
        # str() refuses integers with thousands of digits; no real field looks like that.
        return None


def first_text(*values: object) -> str | None:
    """The first of `values` that holds text (see `text_or_none`)."""
    for value in values:
        text = text_or_none(value)
        if text is not None:
            return text
    return None


def message_text(value: object) -> str:
    """Free text written by a person: kept even when it reads "null" or "none" (a lead may answer "None")."""
    if isinstance(value, str):
        return clean_text(value).strip()
    return ""


def truthy(value: object) -> bool:
    """A boolean sent as true, "true", 1 or "1"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return False


def parse_timestamp(value: object) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (fractions, "Z", offsets) or epoch numbers; else None.

    Times without an offset are taken as UTC.
    """
    try:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip())
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = value / 1000 if abs(value) > _EPOCH_MILLIS_THRESHOLD else value
            parsed = datetime.fromtimestamp(seconds, tz=UTC)
        else:
            return None
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None


def address_list(value: object) -> list[str]:
    """Addresses from None, [], a single string, {address|email, name} objects or plain strings."""
    items = value if isinstance(value, list) else [value]
    addresses = []
    for item in items:
        address = _address_of(item)
        if address is not None:
            addresses.append(address)
    return addresses


def _address_of(item: object) -> str | None:
    if isinstance(item, Mapping):
        return first_text(item.get("address"), item.get("email"))
    if isinstance(item, str):
        return text_or_none(item)
    return None
