"""Background jobs: written to the job outbox inside the transaction that needs them, handed to the
broker after commit, and deleted from the outbox once the broker has them.

A job whose hand-over failed (Redis down, a crash after commit) stays in the outbox and is relayed by the
scheduler (`relay_outbox`); actors are idempotent, so the rare double hand-over is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Final
from uuid import uuid4

import msgspec
from dramatiq import Message
from dramatiq.common import current_millis, dq_name
from redis.asyncio.client import Pipeline
from redis.exceptions import NoScriptError
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.broker import get_broker
from server.core.db.base import utcnow
from server.core.db.engine import autocommit, session_factory
from server.core.db.models import JobOutbox
from server.core.logging import get_logger
from server.core.redis import redis_client
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
SEND_MESSAGE_ACTOR: Final = "messages.send"


# Adds commands to a pipeline that is about to be sent.
AddCommands = Callable[[Pipeline], object]


class Job(msgspec.Struct, frozen=True):
    actor_name: str
    kwargs: dict[str, Any]
    queue: str = "default"
    outbox_id: int | None = None
    delay_s: float | None = None  # run no sooner than this after the hand-over (Dramatiq's delay queue)


async def write_outbox(session: AsyncSession, jobs: list[Job]) -> list[Job]:
    """Insert the jobs in the caller's transaction; returns them with their outbox ids."""
    if not jobs:
        return []
    rows = [{"actor_name": j.actor_name, "queue": j.queue, "kwargs": j.kwargs} for j in jobs]
    ids = (await session.scalars(insert(JobOutbox).returning(JobOutbox.id), rows)).all()
    return [
        msgspec.structs.replace(job, outbox_id=outbox_id) for job, outbox_id in zip(jobs, ids, strict=True)
    ]


async def _send_all(jobs: list[Job], with_commands: AddCommands | None = None) -> None:
    """Enqueue every job in one Redis round trip, on the event loop (no thread hop); `with_commands` adds
    other commands to the same round trip (a unit of work's event pokes).

    `RedisBroker.enqueue` is synchronous and pays a round trip per message: under a webhook burst that
    was a third of a web process's CPU. Dramatiq has no batch API, so this does what `enqueue` does for
    each message (a fresh Redis message id, the middleware hooks, Dramatiq's own `dispatch` script) with
    the commands pipelined on the async client. Pinned to Dramatiq 2.x in pyproject.toml;
    tests/core/test_jobs.py checks that a real worker consumes what this writes.
    """
    broker = get_broker()
    dispatch = broker.scripts["dispatch"]
    messages: list[Message[Any]] = []
    commands: list[list[Any]] = []
    for job in jobs:
        options: dict[str, Any] = {"redis_message_id": str(uuid4())}
        if job.delay_s:  # as `RedisBroker.enqueue(delay=...)` does: the delay queue, with the time it is due
            options["eta"] = current_millis() + int(job.delay_s * 1000)
        message: Message[Any] = Message(
            queue_name=dq_name(job.queue) if job.delay_s else job.queue,
            actor_name=job.actor_name,
            args=(),
            kwargs=job.kwargs,
            options=options,
        )
        broker.emit_before("enqueue", message, int(job.delay_s * 1000) if job.delay_s else None)
        commands.append(
            [
                "enqueue",
                current_millis(),
                message.queue_name,
                broker.broker_id,
                broker.heartbeat_timeout,
                broker.dead_message_ttl,
                broker._should_do_maintenance("enqueue"),
                broker._max_unpack_size(),
                message.options["redis_message_id"],
                message.encode(),
            ]
        )
        messages.append(message)
    client = redis_client()
    for attempt in (1, 2):
        pipe = client.pipeline(transaction=False)
        if with_commands is not None:
            with_commands(pipe)
        for args in commands:
            pipe.evalsha(dispatch.sha, 1, broker.namespace, *args)
        try:
            await pipe.execute()
            break
        except NoScriptError:
            # Redis restarted (or never ran the script): every enqueue failed alike, so none ran; load the
            # script and send them again (a poke sent twice is harmless).
            if attempt == 2:
                raise
            await client.script_load(dispatch.script)
    for job, message in zip(jobs, messages, strict=True):
        broker.emit_after("enqueue", message, int(job.delay_s * 1000) if job.delay_s else None)
    if jobs:
        ids = [str(value) for job in jobs for key, value in job.kwargs.items() if key.endswith("_id")]
        log.debug("jobs.enqueued", count=len(jobs), actors=sorted({job.actor_name for job in jobs}), ids=ids)


async def send_jobs(jobs: list[Job], *, with_commands: AddCommands | None = None) -> None:
    """Hand committed jobs to the broker, then forget them. Raises when the broker is unreachable.
    `with_commands` adds other commands to the same Redis round trip."""
    if not jobs and with_commands is None:
        return
    await _send_all(jobs, with_commands)
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
        await _send_all(jobs)
        await session.execute(delete(JobOutbox).where(JobOutbox.id.in_([r.id for r in rows])))
        await session.commit()
    log.info("outbox.relayed", count=len(rows))
    return len(rows)
