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

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.actors import SYSTEM, Actor
from server.core.db.base import utcnow
from server.core.db.engine import session_factory
from server.core.db.plain_sql import PlainStatement
from server.core.event_schemas import check_event_data
from server.core.jobs import Job, send_jobs, write_outbox
from server.core.logging import get_logger
from server.core.publisher import add_pokes

log = get_logger(__name__)


class UnitOfWork:
    def __init__(self, session: AsyncSession, workspace_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.actor = actor  # recorded on every event of this transaction
        self._events: list[dict[str, Any]] = []
        self._jobs: list[Job] = []
        self._swept_jobs: list[Job] = []
        self._flushed: list[dict[str, Any]] = []

    def emit(self, type_: str, lead_id: uuid.UUID | None, data: dict[str, Any]) -> None:
        # Checked here, so an event that breaks API.md fails the action that made it, in tests and not in a
        # teammate's browser.
        check_event_data(type_, data)
        self._events.append({"type": type_, "lead_id": lead_id, "data": data})

    def enqueue(self, actor_name: str, **kwargs: Any) -> None:
        """A job written to the job outbox in this transaction and handed to the broker after commit."""
        self._jobs.append(Job(actor_name=actor_name, kwargs={k: _plain(v) for k, v in kwargs.items()}))

    def enqueue_swept(self, actor_name: str, *, delay_s: float | None = None, **kwargs: Any) -> None:
        """A job handed to the broker after commit with no outbox row, for work whose own row already says it
        is pending and whose sweep requeues it (an inbound message's post-processing, a send's retry): a
        failed hand-over is only logged. Two statements fewer on the hottest path. `delay_s`: run no
        sooner."""
        plain = {k: _plain(v) for k, v in kwargs.items()}
        self._swept_jobs.append(Job(actor_name=actor_name, kwargs=plain, delay_s=delay_s))

    async def flush_events(self) -> None:
        """Insert buffered events. Called last in the transaction, right before commit."""
        if not self._events:
            return
        rows = [
            {"workspace_id": self.workspace_id, "lead_id": e["lead_id"], "type": e["type"], "data": e["data"]}
            for e in self._events
        ]
        await _INSERT_EVENTS.execute(
            self.session,
            {
                "workspace_id": self.workspace_id,
                "lock_key": f"events:{self.workspace_id}",
                "lead_ids": [row["lead_id"] for row in rows],
                "types": [row["type"] for row in rows],
                "data": [msgspec.json.encode(row["data"]).decode() for row in rows],
                "actor": msgspec.json.encode(self.actor).decode(),
                "now": utcnow(),
            },
        )
        self._flushed.extend(rows)
        self._events.clear()

    async def commit(self) -> None:
        jobs = await write_outbox(self.session, self._jobs)
        self._jobs = []
        await self.flush_events()
        await self.session.commit()
        flushed, self._flushed = self._flushed, []
        swept, self._swept_jobs = self._swept_jobs, []
        pokes = (lambda pipe: add_pokes(pipe, flushed)) if flushed else None
        try:  # the pokes and the jobs in one Redis round trip
            await send_jobs(jobs + swept, with_commands=pokes)
        except Exception as exc:
            # The change and its jobs are committed; the scheduler relays the outbox (and sweeps the rest)
            # once Redis is back. Clients that missed the pokes get the events when they resume.
            log.error(
                "jobs.enqueue_failed",
                error_type=type(exc).__name__,
                count=len(jobs) + len(swept),
                events=len(flushed),
            )


# One statement that takes the workspace's event lock, then inserts the rows in order.
#
# The lock serialises event-id allocation per workspace until COMMIT, so ids commit in increasing order and a
# client that remembers the largest id it saw can never skip a later-committed smaller one (Invariant 6,
# docs/ARCHITECTURE.md). It is taken in the INSERT's own WHERE, before any id is drawn, rather than by a
# statement of its own: the lock is held from here to the end of COMMIT, and every extra round trip would keep
# the workspace's other writers waiting that much longer. Plain SQL with array parameters, so the statement is
# prepared once per connection instead of compiled per transaction.
_INSERT_EVENTS = PlainStatement(
    """
    INSERT INTO events (workspace_id, lead_id, type, data, actor, created_at)
    SELECT CAST(:workspace_id AS uuid), e.lead_id, e.type, CAST(e.data AS jsonb), CAST(:actor AS jsonb),
           CAST(:now AS timestamptz)
    FROM unnest(CAST(:lead_ids AS uuid[]), CAST(:types AS text[]), CAST(:data AS text[]))
         WITH ORDINALITY AS e(lead_id, type, data, n)
    WHERE pg_advisory_xact_lock(hashtextextended(CAST(:lock_key AS text), 0)) IS NOT NULL
    ORDER BY e.n
    """
)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


@asynccontextmanager
async def unit_of_work(workspace_id: uuid.UUID, actor: Actor = SYSTEM) -> AsyncIterator[UnitOfWork]:
    """The one way to change rows: commits on normal exit (then publishes its events and hands over its
    jobs), rolls back on an exception. Reads use `server.core.db.engine.read_session`."""
    async with session_factory()() as session:
        uow = UnitOfWork(session, workspace_id, actor)
        try:
            yield uow
        except BaseException:
            await session.rollback()
            raise
        await uow.commit()
