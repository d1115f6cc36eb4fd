"""Reading the event log: the source of every replay and of every live delivery."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from server.db.engine import session_factory
from server.db.models import Event

# A client further behind than this refetches over REST instead of replaying.
REPLAY_LIMIT = 1000


def event_json(row: Event) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "workspace_id": str(row.workspace_id),
        "lead_id": str(row.lead_id) if row.lead_id else None,
        "at": row.created_at.isoformat(),
        "data": row.data,
    }


async def events_after(
    workspace_id: uuid.UUID, lead_id: uuid.UUID | None, after_id: int, *, limit: int = REPLAY_LIMIT + 1
) -> list[dict[str, Any]]:
    """Events of one lead (or, with lead_id None, of the whole workspace) with id > after_id, in id order."""
    query = select(Event).where(Event.workspace_id == workspace_id, Event.id > after_id)
    if lead_id is not None:
        query = query.where(Event.lead_id == lead_id)
    async with session_factory()() as session:
        rows = (await session.scalars(query.order_by(Event.id).limit(limit))).all()
    return [event_json(r) for r in rows]


async def latest_event_id(workspace_id: uuid.UUID, lead_id: uuid.UUID | None) -> int:
    query = select(func.max(Event.id)).where(Event.workspace_id == workspace_id)
    if lead_id is not None:
        query = query.where(Event.lead_id == lead_id)
    async with session_factory()() as session:
        return (await session.scalar(query)) or 0
