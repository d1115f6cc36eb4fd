"""Append the events of API.md (type and data) to a unit of work; they commit with the change.

The event types and their schemas are in `server.core.event_schemas`; the types are re-exported here for the
actions that emit them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from server.core.db.models import Draft, Insight, Lead, Message
from server.core.event_schemas import (
    DRAFT_APPROVED,
    DRAFT_CREATED,
    DRAFT_FAILED,
    DRAFT_REJECTED,
    DRAFT_SUPERSEDED,
    DRAFT_UPDATED,
    INSIGHT_UPDATED,
    LEAD_SENTIMENT_CHANGED,
    LEAD_UPDATED,
    MESSAGE_CREATED,
    MESSAGE_UPDATED,
)
from server.core.unit_of_work import UnitOfWork
from server.core.views import draft_view, insight_view, lead_view, message_view, to_data

__all__ = [
    "DRAFT_APPROVED",
    "DRAFT_CREATED",
    "DRAFT_FAILED",
    "DRAFT_REJECTED",
    "DRAFT_SUPERSEDED",
    "DRAFT_UPDATED",
    "INSIGHT_UPDATED",
    "LEAD_SENTIMENT_CHANGED",
    "LEAD_UPDATED",
    "MESSAGE_CREATED",
    "MESSAGE_UPDATED",
    "emit_draft",
    "emit_insight_updated",
    "emit_lead_updated",
    "emit_message_created",
    "emit_message_updated",
    "emit_sentiment_changed",
    "lead_data",
]


async def lead_data(uow: UnitOfWork, lead: Lead | Row[Any], *, is_new: bool = False) -> dict[str, Any]:
    await uow.session.flush()
    data: dict[str, Any] = to_data(await lead_view(uow.session, lead, is_new=is_new))
    return data


async def emit_lead_updated(uow: UnitOfWork, lead: Lead | Row[Any], *, is_new: bool = False) -> None:
    """`is_new`: the lead was created in this transaction, so it has no drafts to look up."""
    data = {"lead": await lead_data(uow, lead, is_new=is_new)}  # flushes first, so a new lead has its id
    uow.emit(LEAD_UPDATED, lead.id, data)


async def emit_sentiment_changed(uow: UnitOfWork, lead: Lead, previous: str) -> None:
    data = {"lead": await lead_data(uow, lead), "previous_sentiment_tag": previous}
    uow.emit(LEAD_SENTIMENT_CHANGED, lead.id, data)


def emit_message_created(uow: UnitOfWork, message: Message | Row[Any]) -> None:
    uow.emit(MESSAGE_CREATED, message.lead_id, {"message": to_data(message_view(message))})


def emit_message_updated(uow: UnitOfWork, message: Message) -> None:
    uow.emit(MESSAGE_UPDATED, message.lead_id, {"message": to_data(message_view(message))})


def emit_draft(uow: UnitOfWork, type_: str, draft: Draft, **extra: Any) -> None:
    uow.emit(type_, draft.lead_id, {"draft": to_data(draft_view(draft)), **extra})


def emit_insight_updated(uow: UnitOfWork, insight: Insight, lead: Lead) -> None:
    uow.emit(INSIGHT_UPDATED, lead.id, {"insight": to_data(insight_view(insight, lead))})
