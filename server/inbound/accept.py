"""The web side of a webhook: check, record, hand to a worker, answer. Nothing here waits for a worker.

Invariant 10 (docs/ARCHITECTURE.md): a webhook is answered once its body is recorded, never after its
processing. The body is parsed here (the parsers are pure and cheap) only to tell a body that identifies no
message (400, recorded as failed) and an event type that carries none (`ignored`) from one to process;
matching, storing and everything after it run in a worker (`server.inbound.processing`).

One PostgreSQL round trip: the secret check and the insert are one statement. One Redis call after it: the
job. When Redis is down the answer is still 200: the row is the queue, and the scheduler's sweep hands it
over.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Final

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.core.db.base import utcnow
from server.core.db.engine import autocommit, pooled_autocommit
from server.core.db.models import WebhookEvent, Workspace
from server.core.db.plain_sql import PlainStatement
from server.core.errors import InvalidInput, NotFound, Unauthenticated
from server.core.jobs import INGEST_WEBHOOK_ACTOR, WEBHOOKS_QUEUE, Job, send_jobs
from server.core.logging import get_logger
from server.inbound.parsers import parse_body

log = get_logger(__name__)

# Inserted only when the workspace exists and the secret matches. The secrets are compared as md5 digests,
# so the comparison's time says nothing about how much of a guessed secret was right.
_RECORD_IF_AUTHENTIC: Final = PlainStatement(
    """
    INSERT INTO webhook_events (id, workspace_id, channel, status, error, body, content_type, size, result,
                                attempts, received_at, processed_at, handed_over_at)
    SELECT CAST(:id AS uuid), w.id, :channel, :status, :error, CAST(:body AS bytea), :content_type,
           CAST(:size AS integer), CAST(:result AS jsonb), 0, CAST(:now AS timestamptz),
           CAST(:processed_at AS timestamptz), CAST(:handed_over_at AS timestamptz)
    FROM workspaces w
    WHERE w.id = CAST(:workspace_id AS uuid) AND md5(w.webhook_secret) = md5(CAST(:secret AS text))
    RETURNING id
    """
)


class Accepted(msgspec.Struct):
    status: str  # accepted | ignored
    webhook_event_id: str


async def accept(
    workspace_id: uuid.UUID, channel: str, secret: str, body: bytes, content_type: str | None
) -> Accepted:
    """Record an authenticated body and queue it. Raises NotFound (unknown workspace), Unauthenticated (wrong
    secret) or InvalidInput (the body identifies no message; recorded as failed all the same)."""
    invalid: InvalidInput | None = None
    error: str | None = None
    result: str | None = None
    try:
        parse = parse_body(channel, body)
        status = "ignored" if parse.kind == "ignored" else "received"
        if status == "ignored":
            error, result = parse.reason, '{"status": "ignored"}'
    except InvalidInput as exc:
        invalid, status, error = exc, "failed", exc.message
    event_id = uuid.uuid4()
    now = utcnow()
    async with pooled_autocommit() as db:
        recorded = await _RECORD_IF_AUTHENTIC.fetchval(
            db,
            {
                "id": event_id,
                "workspace_id": workspace_id,
                "secret": secret,
                "channel": channel,
                "status": status,
                "error": error,
                "body": body,
                "content_type": (content_type or "")[:200].replace("\x00", "") or None,
                "size": len(body),
                "result": result,
                "now": now,
                "processed_at": None if status == "received" else now,
                # Stamped now, so the sweep leaves it to the job sent below (and cleared if that fails).
                "handed_over_at": now if status == "received" else None,
            },
        )
        if recorded is None:
            raise await _refusal(db, workspace_id)
    if invalid is not None:
        log.info("webhook.rejected", webhook_event_id=str(event_id), channel=channel, code=invalid.code)
        raise invalid
    if status == "received":
        handovers.submit(event_id)
    log.info("webhook.accepted", webhook_event_id=str(event_id), channel=channel, status=status)
    return Accepted(status="accepted" if status == "received" else status, webhook_event_id=str(event_id))


async def _refusal(db: AsyncConnection, workspace_id: uuid.UUID) -> NotFound | Unauthenticated:
    """Why nothing was recorded (the failure path only: a second query)."""
    exists = await db.scalar(select(Workspace.id).where(Workspace.id == workspace_id))
    if exists is None:
        return NotFound("unknown workspace", code="workspace_not_found")
    return Unauthenticated("missing or wrong webhook secret", code="invalid_webhook_secret")


class HandOvers:
    """Hands accepted webhooks to the broker in batches, behind the answers.

    The ids that arrive while one hand-over is on its way to Redis go together in the next: one pipelined
    round trip per batch instead of one per webhook. Nothing is lost if the process dies with ids still here:
    their rows are recorded and stamped, and the scheduler's sweep hands them over again
    (settings.webhook_requeue_after_s).
    """

    def __init__(self) -> None:
        self._waiting: list[uuid.UUID] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._handing_over = 0

    def submit(self, event_id: uuid.UUID) -> None:
        self._waiting.append(event_id)
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()  # bound to the running loop
            self._task = asyncio.get_running_loop().create_task(self._run(self._wake))
        self._wake.set()

    async def _run(self, wake: asyncio.Event) -> None:
        while True:
            await wake.wait()
            wake.clear()
            batch, self._waiting = self._waiting, []
            if batch:
                self._handing_over += 1
                try:
                    await hand_over(batch)
                finally:
                    self._handing_over -= 1
            if self._stopping and not self._waiting:
                return

    def idle(self) -> bool:
        """Nothing submitted is still waiting or on its way to the broker (a plain read: any thread)."""
        return not self._waiting and not self._handing_over

    async def flush(self) -> None:
        """Wait until everything submitted so far is handed over (at shutdown; tests)."""
        task = self._task
        if task is not None and not task.done():
            self._stopping = True
            self._wake.set()
            try:
                await task
            finally:
                self._stopping = False
        self._task = None
        batch, self._waiting = self._waiting, []
        if batch:
            await hand_over(batch)


# One per web process: every request of a uvicorn process runs on one event loop.
handovers = HandOvers()


async def hand_over(event_ids: list[uuid.UUID]) -> bool:
    """Queue the ingest jobs. When the broker is unreachable the rows lose their hand-over stamp, so the
    scheduler's sweep queues them as soon as it can (never lost: the row is the queue)."""
    try:
        await send_jobs(
            [Job(INGEST_WEBHOOK_ACTOR, {"webhook_event_id": str(i)}, WEBHOOKS_QUEUE) for i in event_ids]
        )
        return True
    except Exception as exc:
        log.warning("webhook.handover_failed", error_type=type(exc).__name__, count=len(event_ids))
    try:
        async with autocommit() as db:
            await db.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id.in_(event_ids), WebhookEvent.status == "received")
                .values(handed_over_at=None)
            )
    except Exception as exc:  # the sweep still finds them once their stamp is old
        log.warning("webhook.handover_unmarked", error_type=type(exc).__name__, count=len(event_ids))
    return False
