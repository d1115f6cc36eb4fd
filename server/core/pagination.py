"""Opaque keyset cursors: (timestamp, id) of the last item of a page."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from server.core.errors import InvalidInput


def encode_cursor(at: datetime, item_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{item_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, item_id = base64.urlsafe_b64decode(padded.encode()).decode().split("|", 1)
        return datetime.fromisoformat(at), uuid.UUID(item_id)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor is not valid", code="invalid_cursor") from None


def clamp_limit(limit: int | None, *, default: int = 50, maximum: int = 200) -> int:
    if limit is None:
        return default
    if limit < 1:
        raise InvalidInput("limit must be at least 1", code="invalid_limit")
    return min(limit, maximum)
