"""Background jobs: written to the job outbox inside the transaction that needs them, handed to the
broker after commit, and deleted from the outbox once the broker has them.

A job whose hand-over failed (Redis down, a crash after commit) stays in the outbox and is relayed by the
scheduler (`relay_outbox`); actors are idempotent, so the rare double hand-over is harmless.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Final

import msgspec
from dramatiq import Message
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.broker import get_broker
from server.core.db.base import utcnow
from server.core.db.engine import autocommit, session_factory
from server.core.db.models import JobOutbox
from server.core.logging import get_logger
from server.core.settings import get_settings

log = get_logger(__name__)

# Every actor's name. Concepts enqueue jobs by these names (enqueuing imports no actor code); each
# concept's `tasks.py` defines the actors that carry them, and `workers/actors.py` registers those.
INGEST_WEBHOOK_ACTOR: Final = "webhooks.ingest"
# Webhook ingestion has a queue of its own: a burst of replies is never stuck behind slow model calls, and
# workers can be given to it alone (`WORKER_QUEUES=webhooks`; several queues: space-separated).
WEBHOOKS_QUEUE: Final = "webhooks"
QUEUES: Final = ("default", WEBHOOKS_QUEUE)
POST_PROCESS_ACTOR: Final = "messages.post_process"
MANUAL_DRAFTS_ACTOR: Final = "drafts.generate_for_sentiment"
ON_DEMAND_ACTOR: Final = "drafts.generate"
BOOKED_SUMMARIES_ACTOR: Final = "insights.booked_summaries"
EXTRACT_INSIGHT_ACTOR: Final = "insights.extract_for_lead"


class Job(msgspec.Struct, frozen=True):
    actor_name: str
    kwargs: dict[str, Any]
    queue: str = "default"
    outbox_id: int | None = None


async def write_outbox(session: AsyncSession, jobs: list[Job]) -> list[Job]:
    """Insert the jobs in the caller's transaction; returns them with their outbox ids."""
    if not jobs:
        return []
    rows = [{"actor_name": j.actor_name, "queue": j.queue, "kwargs": j.kwargs} for j in jobs]
    ids = (await session.scalars(insert(JobOutbox).returning(JobOutbox.id), rows)).all()
    return [
        msgspec.structs.replace(job, outbox_id=outbox_id) for job, outbox_id in zip(jobs, ids, strict=True)
    ]


def _send(job: Job) -> None:
    message: Message[Any] = Message(
        queue_name=job.queue, actor_name=job.actor_name, args=(), kwargs=job.kwargs, options={}
    )
    get_broker().enqueue(message)


def _send_all(jobs: list[Job]) -> None:
    for job in jobs:
        _send(job)
        log.info("job.enqueued", actor=job.actor_name, **{k: str(v) for k, v in job.kwargs.items()})


async def send_jobs(jobs: list[Job]) -> None:
    """Hand committed jobs to the broker, then forget them. Raises when the broker is unreachable."""
    if not jobs:
        return
    await asyncio.to_thread(_send_all, jobs)
    sent = [job.outbox_id for job in jobs if job.outbox_id is not None]
    if sent:
        async with autocommit() as db:
            await db.execute(delete(JobOutbox).where(JobOutbox.id.in_(sent)))


async def relay_outbox(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Hand over jobs left in the outbox (older than `older_than`, else settings.outbox_relay_after_s). Rows
    locked by another relay are skipped, not waited for."""
    if older_than is None:
        older_than = timedelta(seconds=get_settings().outbox_relay_after_s)
    async with session_factory()() as session:
        rows = (
            await session.scalars(
                select(JobOutbox)
                .where(JobOutbox.created_at < utcnow() - older_than)
                .order_by(JobOutbox.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not rows:
            return 0
        jobs = [Job(actor_name=r.actor_name, kwargs=r.kwargs, queue=r.queue) for r in rows]
        await asyncio.to_thread(_send_all, jobs)
        await session.execute(delete(JobOutbox).where(JobOutbox.id.in_([r.id for r in rows])))
        await session.commit()
    log.info("outbox.relayed", count=len(rows))
    return len(rows)
