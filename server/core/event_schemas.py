"""Every event type and the schema of its `data` (API.md), as the server emits it and clients read it.

The unit of work checks each event against its schema when it is emitted (`check_event_data`), and the tests
check every event they receive with `decode_event`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import msgspec

from server.core.actors import SYSTEM
from server.core.views import DraftView, LeadView, MessageView


class MessageCreated(msgspec.Struct, forbid_unknown_fields=True):
    message: MessageView


class MessageUpdated(msgspec.Struct, forbid_unknown_fields=True):
    """An outbound message's delivery changed (API.md, "Sending")."""

    message: MessageView


class LeadUpdated(msgspec.Struct, forbid_unknown_fields=True):
    lead: LeadView


class LeadReadData(msgspec.Struct, forbid_unknown_fields=True):
    """A user read a lead up to `read_at`: that user's other tabs and devices clear its unread count."""

    lead_id: str
    user_id: str
    read_at: datetime


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


MESSAGE_CREATED: Final = "message.created"
MESSAGE_UPDATED: Final = "message.updated"
LEAD_UPDATED: Final = "lead.updated"
LEAD_READ: Final = "lead.read"
LEAD_SENTIMENT_CHANGED: Final = "lead.sentiment_changed"
DRAFT_CREATED: Final = "draft.created"
DRAFT_UPDATED: Final = "draft.updated"
DRAFT_REJECTED: Final = "draft.rejected"
DRAFT_APPROVED: Final = "draft.approved"
DRAFT_SUPERSEDED: Final = "draft.superseded"
DRAFT_FAILED: Final = "draft.failed"
INSIGHT_UPDATED: Final = "insight.updated"
PRESENCE_CHANGED: Final = "presence.changed"  # published by the realtime side, never stored

EVENT_DATA: Final[dict[str, type[msgspec.Struct]]] = {
    MESSAGE_CREATED: MessageCreated,
    MESSAGE_UPDATED: MessageUpdated,
    LEAD_UPDATED: LeadUpdated,
    LEAD_READ: LeadReadData,
    LEAD_SENTIMENT_CHANGED: LeadSentimentChanged,
    DRAFT_CREATED: DraftChanged,
    DRAFT_UPDATED: DraftChanged,
    DRAFT_REJECTED: DraftChanged,
    DRAFT_APPROVED: DraftApproved,
    DRAFT_SUPERSEDED: DraftSuperseded,
    DRAFT_FAILED: DraftFailed,
    INSIGHT_UPDATED: InsightUpdated,
    PRESENCE_CHANGED: PresenceChanged,
}


class Actor(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """Who did it: a user (id, name), the AI, a provider (name), or the system."""

    type: str  # user | ai | provider | system
    id: str | None = None
    name: str | None = None


class Event(msgspec.Struct, forbid_unknown_fields=True):
    """The envelope: ids increase with commit order per workspace. Presence events have id null."""

    id: int | None
    type: str
    workspace_id: str
    lead_id: str | None
    at: datetime
    data: dict[str, Any]
    actor: Actor


def event_envelope(event: Any, *, at: datetime | str) -> dict[str, Any]:
    """An event row (an `events` ORM object or a plain record) in the envelope above, as the websocket sends
    it and the activity list returns it; `at` is its `created_at`, formatted as the caller's output needs."""
    return {
        "id": event.id,
        "type": event.type,
        "workspace_id": str(event.workspace_id),
        "lead_id": str(event.lead_id) if event.lead_id else None,
        "at": at,
        "data": event.data,
        "actor": event.actor or SYSTEM,  # events written before actors existed: the system
    }


def check_event_data(type_: str, data: dict[str, Any]) -> None:
    """Raise msgspec.ValidationError when `data` breaks the schema of `type_` (or the type is unknown)."""
    schema = EVENT_DATA.get(type_)
    if schema is None:
        raise msgspec.ValidationError(f"unknown event type {type_!r}")
    msgspec.convert(data, schema, strict=False)


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
