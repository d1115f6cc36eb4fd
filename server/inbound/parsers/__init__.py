"""One pure parser per provider into the provider-neutral `WebhookParse`; `parse_body` picks by channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from server.core.errors import InvalidInput
from server.core.text_cleaning import BodyNotJson, decode_json_body
from server.inbound.parsers.emailbison import parse_emailbison
from server.inbound.parsers.gohighlevel import parse_gohighlevel
from server.inbound.parsers.normalized import InvalidPayload, WebhookParse
from server.inbound.parsers.unipile import parse_unipile

PARSERS: Final[dict[str, Callable[[Any], WebhookParse]]] = {
    "email": parse_emailbison,
    "sms": parse_gohighlevel,
    "linkedin": parse_unipile,
}


def parse_body(channel: str, body: bytes) -> WebhookParse:
    """What a raw body means; InvalidInput (400) when it is no JSON object or identifies no message."""
    try:
        decoded = decode_json_body(body)
    except BodyNotJson as exc:
        raise InvalidInput(f"body is not valid JSON ({exc})", code="invalid_json") from None
    if not isinstance(decoded, dict):
        raise InvalidInput("body must be a JSON object", code="invalid_payload")
    try:
        return PARSERS[channel](decoded)
    except InvalidPayload as exc:
        raise InvalidInput(str(exc), code="invalid_payload") from None
