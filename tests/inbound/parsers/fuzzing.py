"""Fuzzing shared by the inbound parser tests: whatever arrives, a parser hands back a
WebhookParse or raises InvalidPayload, never anything else."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from hypothesis import strategies as st

from server.inbound.parsers.normalized import InvalidPayload, LeadIdentity, ParsedMessage, WebhookParse

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)


def json_values(keys: Sequence[str]) -> st.SearchStrategy[Any]:
    """Any JSON value, its object keys drawn from `keys` (the names a parser looks for) or made up."""
    key = st.sampled_from(keys) | st.text(max_size=8)
    return st.recursive(
        SCALARS,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(key, children, max_size=5),
        max_leaves=25,
    )


def _containers(value: Any) -> list[Any]:
    found = [value] if isinstance(value, (dict, list)) and value else []
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for child in children:
        found.extend(_containers(child))
    return found


def mutated(samples: Sequence[Any], values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One of `samples` with 1–4 entries anywhere in it deleted or replaced by one of `values`."""

    @st.composite
    def mutated_samples(draw: st.DrawFn) -> Any:
        body = copy.deepcopy(draw(st.sampled_from(samples)))
        for _ in range(draw(st.integers(1, 4))):
            container = draw(st.sampled_from(_containers(body)))
            key = draw(
                st.sampled_from(
                    list(container.keys()) if isinstance(container, dict) else range(len(container))
                )
            )
            if isinstance(container, dict) and draw(st.booleans()):
                del container[key]
            else:
                container[key] = draw(values)
            if not _containers(body):
                break
        return body

    return mutated_samples()


def assert_parses_or_rejects(
    parser: Callable[[object], WebhookParse],
    body: Any,
    check_message: Callable[[ParsedMessage, LeadIdentity], None],
) -> None:
    """`parser` rejects `body` with a reason or parses it into well-typed fields; a parsed
    message always has a lead, and `check_message` asserts what that parser promises of both."""
    try:
        parsed = parser(body)
    except InvalidPayload as exc:
        assert str(exc)
        return
    # A round trip through typed decoding proves every field holds its declared type.
    assert msgspec.json.decode(msgspec.json.encode(parsed), type=WebhookParse) == parsed
    if parsed.kind == "message":
        assert parsed.lead is not None and parsed.message is not None
        check_message(parsed.message, parsed.lead)
