"""Inbound messages whose post-processing never finished (a lost enqueue, a job that ran out of retries)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import Message
from server.core.jobs import POST_PROCESS_ACTOR, Job, send_jobs
from server.core.logging import get_logger

log = get_logger(__name__)


async def requeue_stalled_messages(
    *, older_than: timedelta = timedelta(minutes=2), within: timedelta = timedelta(days=2), limit: int = 200
) -> int:
    """Enqueue post-processing again; the job is idempotent, so a message still in flight is harmless."""
    now = utcnow()
    async with read_session() as session:
        ids = (
            await session.scalars(
                select(Message.id)
                .where(
                    Message.direction == "inbound",
                    Message.post_processed_at.is_(None),
                    Message.created_at < now - older_than,
                    Message.created_at > now - within,
                )
                .order_by(Message.created_at)
                .limit(limit)
            )
        ).all()
    await send_jobs([Job(actor_name=POST_PROCESS_ACTOR, kwargs={"message_id": str(i)}) for i in ids])
    if ids:
        log.info("messages.requeued", count=len(ids))
    return len(ids)
