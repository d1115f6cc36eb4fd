"""One msgspec struct per event type: the `data` of each event, as the server emits it and clients read it.

`decode_event` checks an event against its schema; the tests use it on every event they receive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from server.domain.views import DraftView, LeadView, MessageView


class MessageCreated(msgspec.Struct, forbid_unknown_fields=True):
    message: MessageView


class LeadUpdated(msgspec.Struct, forbid_unknown_fields=True):
    lead: LeadView


class LeadSentimentChanged(msgspec.Struct, forbid_unknown_fields=True):
    lead: LeadView
    previous_sentiment_tag: str


class DraftChanged(msgspec.Struct, forbid_unknown_fields=True):
    """draft.created, draft.updated, draft.rejected."""

    draft: DraftView


class DraftApproved(msgspec.Struct, forbid_unknown_fields=True):
    draft: DraftView
    message: MessageView


class DraftSuperseded(msgspec.Struct, forbid_unknown_fields=True):
    draft: DraftView
    superseded_by: str


class DraftFailed(msgspec.Struct, forbid_unknown_fields=True):
    lead_id: str
    channel: str
    reason: str


class InsightUpdated(msgspec.Struct, forbid_unknown_fields=True):
    insight: dict[str, Any]


class Viewer(msgspec.Struct, forbid_unknown_fields=True):
    user_id: str
    name: str
    state: str  # viewing | composing | idle
    channel: str | None


class PresenceChanged(msgspec.Struct, forbid_unknown_fields=True):
    lead_id: str
    viewers: list[Viewer]


EVENT_DATA: dict[str, type[msgspec.Struct]] = {
    "message.created": MessageCreated,
    "lead.updated": LeadUpdated,
    "lead.sentiment_changed": LeadSentimentChanged,
    "draft.created": DraftChanged,
    "draft.updated": DraftChanged,
    "draft.rejected": DraftChanged,
    "draft.approved": DraftApproved,
    "draft.superseded": DraftSuperseded,
    "draft.failed": DraftFailed,
    "insight.updated": InsightUpdated,
    "presence.changed": PresenceChanged,
}


class Event(msgspec.Struct, forbid_unknown_fields=True):
    """The envelope: ids increase with commit order per workspace. Presence events have id null."""

    id: int | None
    type: str
    workspace_id: str
    lead_id: str | None
    at: datetime
    data: dict[str, Any]


def decode_event(raw: bytes | dict[str, Any]) -> tuple[Event, msgspec.Struct]:
    """The event and its typed data; raises msgspec.ValidationError when either breaks its schema."""
    event = (
        msgspec.json.decode(raw, type=Event)
        if isinstance(raw, bytes)
        else msgspec.convert(raw, Event, strict=False)
    )
    schema = EVENT_DATA.get(event.type)
    if schema is None:
        raise msgspec.ValidationError(f"unknown event type {event.type!r}")
    return event, msgspec.convert(event.data, schema, strict=False)
