"""One transaction of an action: change rows, append events, commit, then publish and enqueue.

Invariant 5 (docs/ARCHITECTURE.md): events are written in the same transaction as the change they describe
and published only after commit. Jobs are enqueued only after commit too, so a worker never sees uncommitted
rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import DateTime, Insert, String, cast, column, func, insert, literal, select, values
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.db.base import utcnow
from server.core.db.engine import session_factory
from server.core.db.models import Event
from server.core.event_schemas import check_event_data
from server.core.jobs import Job, send_jobs, write_outbox
from server.core.logging import get_logger
from server.core.publisher import publish_events

log = get_logger(__name__)


class UnitOfWork:
    def __init__(self, session: AsyncSession, workspace_id: uuid.UUID) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self._events: list[dict[str, Any]] = []
        self._jobs: list[Job] = []
        self._flushed: list[dict[str, Any]] = []

    def emit(self, type_: str, lead_id: uuid.UUID | None, data: dict[str, Any]) -> None:
        # Checked here, so an event that breaks API.md fails the action that made it, in tests and not in a
        # teammate's browser.
        check_event_data(type_, data)
        self._events.append({"type": type_, "lead_id": lead_id, "data": data})

    def enqueue(self, actor_name: str, **kwargs: Any) -> None:
        self._jobs.append(Job(actor_name=actor_name, kwargs={k: _plain(v) for k, v in kwargs.items()}))

    async def flush_events(self) -> None:
        """Insert buffered events. Called last in the transaction, right before commit."""
        if not self._events:
            return
        rows = [
            {"workspace_id": self.workspace_id, "lead_id": e["lead_id"], "type": e["type"], "data": e["data"]}
            for e in self._events
        ]
        await self.session.execute(_locked_insert(self.workspace_id, rows))
        self._flushed.extend(rows)
        self._events.clear()

    async def commit(self) -> None:
        jobs = await write_outbox(self.session, self._jobs)
        self._jobs = []
        await self.flush_events()
        await self.session.commit()
        flushed, self._flushed = self._flushed, []
        await publish_events(flushed)
        try:
            await send_jobs(jobs)
        except Exception as exc:
            # The change and its jobs are committed; the scheduler relays the outbox once Redis is back.
            log.error("jobs.enqueue_failed", error_type=type(exc).__name__, count=len(jobs))


_NEW_EVENT = (
    column("lead_id", UUID(as_uuid=True)),
    column("type", String),
    column("data", JSONB),
    column("created_at", DateTime(timezone=True)),
)


def _locked_insert(workspace_id: uuid.UUID, rows: list[dict[str, Any]]) -> Insert:
    """One statement that takes the workspace's event lock, then inserts the rows in order.

    The lock serialises event-id allocation per workspace until COMMIT, so ids commit in increasing order
    and a client that remembers the largest id it saw can never skip a later-committed smaller one. It is
    taken in the INSERT's own WHERE (before any id is drawn) rather than by a statement of its own: the
    lock is held from here to the end of COMMIT, and every extra round trip would keep the workspace's
    other writers waiting that much longer.
    """
    now = utcnow()
    new = values(*_NEW_EVENT, name="new_events").data(
        [(row["lead_id"], row["type"], row["data"], now) for row in rows]
    )
    locked = func.pg_advisory_xact_lock(func.hashtextextended(f"events:{workspace_id}", 0))
    return insert(Event).from_select(
        ["workspace_id", "lead_id", "type", "data", "created_at"],
        select(
            literal(workspace_id, UUID(as_uuid=True)),
            cast(new.c.lead_id, UUID(as_uuid=True)),  # a NULL in VALUES would otherwise be text
            new.c.type,
            new.c.data,
            new.c.created_at,
        ).where(locked.is_not(None)),
    )


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


@asynccontextmanager
async def unit_of_work(workspace_id: uuid.UUID) -> AsyncIterator[UnitOfWork]:
    """The one way to change rows: commits on normal exit (then publishes its events and hands over its
    jobs), rolls back on an exception. Reads use `server.core.db.engine.read_session`."""
    async with session_factory()() as session:
        uow = UnitOfWork(session, workspace_id)
        try:
            yield uow
        except BaseException:
            await session.rollback()
            raise
        await uow.commit()
