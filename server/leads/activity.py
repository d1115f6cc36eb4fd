"""A lead's history, newest first (API.md, "Team workflow"): every event of the lead with its actor — who
changed the sentiment, who approved and sent, which drafts the AI wrote, what the providers reported."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from server.core.db.engine import read_session
from server.core.db.models import Event
from server.core.errors import InvalidInput
from server.core.event_schemas import LEAD_READ, event_envelope
from server.leads.service import get_lead


async def lead_activity(
    workspace_id: uuid.UUID, lead_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Events in the envelope of the websocket, newest first; `cursor` is the id of the last event seen."""
    # Reads are each user's own business (and one per opening of the lead): not history.
    query = select(Event).where(
        Event.workspace_id == workspace_id, Event.lead_id == lead_id, Event.type != LEAD_READ
    )
    if cursor:
        if not cursor.isdigit():
            raise InvalidInput("cursor must be a next_cursor from this list", code="invalid_cursor")
        query = query.where(Event.id < int(cursor))
    async with read_session() as session:
        await get_lead(session, workspace_id, lead_id)  # 404 for another workspace's lead
        rows = list((await session.scalars(query.order_by(Event.id.desc()).limit(limit + 1))).all())
    items = [event_envelope(event, at=event.created_at) for event in rows[:limit]]
    return items, str(rows[limit - 1].id) if len(rows) > limit else None
