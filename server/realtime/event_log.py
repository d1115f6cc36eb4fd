"""Reading the event log: the source of every replay and of every live delivery.

These reads run for every poke on every web process, so they are single statements on an autocommit
connection (no BEGIN/ROLLBACK round trips) returning plain rows, not ORM objects.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, func, select

from server.core.db.engine import autocommit
from server.core.db.models import Event
from server.core.db.plain_sql import PlainStatement
from server.core.event_schemas import event_envelope

# A client further behind than this refetches over REST instead of replaying.
REPLAY_LIMIT = 1000


def _stream(workspace_id: uuid.UUID, lead_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    conditions = [Event.workspace_id == workspace_id]
    if lead_id is not None:
        conditions.append(Event.lead_id == lead_id)
    return conditions


async def _rows(query: Select[Any]) -> list[Any]:
    async with autocommit() as db:
        return list((await db.execute(query)).all())


_EVENT_COLUMNS_SQL: Final = "id, type, workspace_id, lead_id, created_at, data, actor"
# The live path's read, once per poke per stream: plain SQL (prepared once per connection), so its cost per
# event stays a round trip, not SQLAlchemy's statement building (docs/ARCHITECTURE.md, "Real time").
_WORKSPACE_EVENTS_AFTER: Final = PlainStatement(
    f"SELECT {_EVENT_COLUMNS_SQL} FROM events"
    " WHERE workspace_id = CAST(:workspace_id AS uuid) AND id > CAST(:after_id AS bigint)"
    " ORDER BY id LIMIT CAST(:limit AS integer)"
)
_LEAD_EVENTS_AFTER: Final = PlainStatement(
    f"SELECT {_EVENT_COLUMNS_SQL} FROM events"
    " WHERE workspace_id = CAST(:workspace_id AS uuid) AND lead_id = CAST(:lead_id AS uuid)"
    " AND id > CAST(:after_id AS bigint) ORDER BY id LIMIT CAST(:limit AS integer)"
)


async def events_after(
    workspace_id: uuid.UUID, lead_id: uuid.UUID | None, after_id: int, *, limit: int = REPLAY_LIMIT + 1
) -> list[dict[str, Any]]:
    """Events of one lead (or, with lead_id None, of the whole workspace) with id > after_id, in id order."""
    params: dict[str, Any] = {"workspace_id": workspace_id, "after_id": after_id, "limit": limit}
    statement = _WORKSPACE_EVENTS_AFTER
    if lead_id is not None:
        statement, params["lead_id"] = _LEAD_EVENTS_AFTER, lead_id
    async with autocommit() as db:
        rows = await statement.fetch(db, params)
    return [event_envelope(row, at=row.created_at.isoformat()) for row in rows]


async def latest_event_id(workspace_id: uuid.UUID, lead_id: uuid.UUID | None) -> int:
    [(latest,)] = await _rows(select(func.max(Event.id)).where(*_stream(workspace_id, lead_id)))
    return int(latest or 0)
