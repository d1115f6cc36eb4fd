"""The scheduler's sweeps over deliveries: a send whose worker died, and a retry whose job was lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from sqlalchemy import select

from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import Message
from server.core.jobs import SEND_MESSAGE_ACTOR, Job, send_jobs
from server.core.logging import get_logger
from server.core.unit_of_work import unit_of_work
from server.sending.delivery import QUEUED, SENDING, UNKNOWN, move
from server.sending.sender import CALL_BUDGET

log = get_logger(__name__)

# A `sending` message this old has no call in flight (CALL_BUDGET) and its worker is gone: `unknown`, within
# the 2 minutes API.md allows once the sweep (every few seconds) runs.
STUCK_AFTER: Final = CALL_BUDGET + timedelta(seconds=30)
# A queued message this far past its attempt time lost its job (Redis was down, a worker died first).
LOST_JOB_AFTER: Final = timedelta(seconds=30)


async def settle_stuck_sends(*, stuck_after: timedelta = STUCK_AFTER, limit: int = 200) -> int:
    """`sending` with no call in flight → `unknown` (never sent again automatically). Returns how many."""
    cutoff = utcnow() - stuck_after
    async with read_session() as session:
        rows = (
            await session.execute(
                select(Message.id, Message.workspace_id)
                .where(Message.delivery_status == SENDING, Message.delivery_updated_at < cutoff)
                .limit(limit)
            )
        ).all()
    settled = 0
    for message_id, workspace_id in rows:
        async with unit_of_work(workspace_id) as uow:
            moved = await move(
                uow,
                message_id,
                (SENDING,),
                UNKNOWN,
                extra=(Message.delivery_updated_at < cutoff,),
                delivery_error_code="interrupted",
                delivery_error="the worker stopped during the provider call; it may have reached the lead",
            )
        settled += moved is not None
    if settled:
        log.warning("messages.sends_interrupted", count=settled)
    return settled


async def requeue_lost_sends(*, limit: int = 500) -> int:
    """Hand queued messages whose job went missing to the broker again; the claim makes a duplicate
    harmless."""
    cutoff = utcnow() - LOST_JOB_AFTER
    async with read_session() as session:
        rows = (
            await session.execute(
                select(Message.id, Message.delivery_attempts)
                .where(Message.delivery_status == QUEUED, Message.next_attempt_at < cutoff)
                .limit(limit)
            )
        ).all()
    if rows:
        jobs = [Job(SEND_MESSAGE_ACTOR, {"message_id": str(i), "attempt": n}) for i, n in rows]
        await send_jobs(jobs)
        log.info("messages.sends_requeued", count=len(rows))
    return len(rows)
