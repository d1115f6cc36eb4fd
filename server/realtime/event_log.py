"""Reading the event log: the source of every replay and of every live delivery.

These reads run for every poke on every web process, so they are single statements on an autocommit
connection (no BEGIN/ROLLBACK round trips) returning plain rows, not ORM objects.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from server.core.actors import SYSTEM
from server.core.db.engine import autocommit
from server.core.db.models import Event

# A client further behind than this refetches over REST instead of replaying.
REPLAY_LIMIT = 1000

EVENT_COLUMNS = (
    Event.id,
    Event.type,
    Event.workspace_id,
    Event.lead_id,
    Event.created_at,
    Event.data,
    Event.actor,
)


def _stream(workspace_id: uuid.UUID, lead_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    conditions = [Event.workspace_id == workspace_id]
    if lead_id is not None:
        conditions.append(Event.lead_id == lead_id)
    return conditions


async def _rows(query: Select[Any]) -> list[Any]:
    async with autocommit() as db:
        return list((await db.execute(query)).all())


async def events_after(
    workspace_id: uuid.UUID, lead_id: uuid.UUID | None, after_id: int, *, limit: int = REPLAY_LIMIT + 1
) -> list[dict[str, Any]]:
    """Events of one lead (or, with lead_id None, of the whole workspace) with id > after_id, in id order."""
    query = (
        select(*EVENT_COLUMNS)
        .where(*_stream(workspace_id, lead_id), Event.id > after_id)
        .order_by(Event.id)
        .limit(limit)
    )
    return [
        {
            "id": event_id,
            "type": type_,
            "workspace_id": str(workspace),
            "lead_id": str(lead) if lead else None,
            "at": created_at.isoformat(),
            "data": data,
            "actor": actor or SYSTEM,
        }
        for event_id, type_, workspace, lead, created_at, data, actor in await _rows(query)
    ]


async def latest_event_id(workspace_id: uuid.UUID, lead_id: uuid.UUID | None) -> int:
    [(latest,)] = await _rows(select(func.max(Event.id)).where(*_stream(workspace_id, lead_id)))
    return int(latest or 0)
