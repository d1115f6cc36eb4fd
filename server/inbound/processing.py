"""The worker side of a webhook: turn a recorded body into a stored message, and land the outcome on its row.

Idempotent under redelivery and concurrency (Invariant 10, docs/ARCHITECTURE.md): only a row still `received`
is processed, and the outcome is written by a conditional update inside the ingesting transaction, so of two
workers on one row exactly one commits; the other's work rolls back whole. The message itself is stored once
per provider message id whatever happens (Invariant 2).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Final

import msgspec
from sqlalchemy import and_, or_, select, update

from server.core.db.base import utcnow
from server.core.db.engine import autocommit
from server.core.db.models import WebhookEvent
from server.core.db.plain_sql import PlainStatement
from server.core.errors import InvalidInput
from server.core.logging import get_logger
from server.core.settings import get_settings
from server.core.unit_of_work import UnitOfWork
from server.inbound.accept import hand_over
from server.inbound.ingestion import IngestResult, ingest
from server.inbound.parsers import parse_body

log = get_logger(__name__)

# A body whose processing raised this many times is marked failed (replayable) instead of being retried again.
MAX_ATTEMPTS: Final = 5
# A row whose hand-over failed (no stamp) waits this long for the sweep.
UNQUEUED_GRACE: Final = timedelta(seconds=3)


class ProcessOutcome(msgspec.Struct):
    status: str  # processed | duplicate | ignored | failed | already_done | not_found
    message_id: str | None = None
    lead_id: str | None = None


class _AlreadyDone(Exception):
    """Another worker landed this row's outcome first: roll this attempt back."""


# Land an outcome on a row that is still waiting: the condition is what makes processing idempotent.
_LAND_OUTCOME: Final = PlainStatement(
    """
    UPDATE webhook_events
    SET status = CAST(:status AS text), error = CAST(:error AS text), result = CAST(:result AS jsonb),
        processed_at = CAST(:now AS timestamptz), attempts = attempts + 1
    WHERE id = CAST(:id AS uuid) AND status = 'received'
    """
)
_LOAD: Final = PlainStatement(
    "SELECT workspace_id, channel, body, status FROM webhook_events WHERE id = CAST(:id AS uuid)"
)


def _outcome(event_id: uuid.UUID, status: str, *, error: str | None, result: Any) -> dict[str, Any]:
    encoded = None if result is None else msgspec.json.encode(result).decode()
    return {"id": event_id, "status": status, "error": error, "result": encoded, "now": utcnow()}


async def process_event(event_id: uuid.UUID) -> ProcessOutcome:
    """Parse and ingest a recorded body once. Raises on a transient failure (the job is retried)."""
    async with autocommit() as db:
        row = await _LOAD.fetchrow(db, {"id": event_id})
    if row is None:
        return ProcessOutcome(status="not_found")
    if row.status != "received":
        return ProcessOutcome(status="already_done")
    try:
        parse = parse_body(row.channel, row.body)
    except InvalidInput as exc:  # a replay of a body that never identified a message
        await _finish(event_id, "failed", error=exc.message, result=None)
        return ProcessOutcome(status="failed")
    if parse.kind == "ignored":
        await _finish(event_id, "ignored", error=parse.reason, result={"status": "ignored"})
        return ProcessOutcome(status="ignored")

    async def claim(uow: UnitOfWork, result: IngestResult) -> None:
        # Committed with the message itself: the log says "processed" exactly when the change landed.
        landed = await _LAND_OUTCOME.execute(
            uow.session, _outcome(event_id, "processed", error=None, result=result)
        )
        if landed == 0:
            raise _AlreadyDone

    try:
        result = await ingest(row.workspace_id, parse, record_outcome=claim)
    except _AlreadyDone:
        return ProcessOutcome(status="already_done")
    except Exception as exc:
        await _count_failure(event_id, exc)
        raise
    log.info(
        "webhook.processed",
        webhook_event_id=str(event_id),
        channel=row.channel,
        outcome=result.status,
        message_id=result.message_id,
        lead_id=result.lead_id,
    )
    return ProcessOutcome(status=result.status, message_id=result.message_id, lead_id=result.lead_id)


async def _finish(
    event_id: uuid.UUID, status: str, *, error: str | None, result: dict[str, Any] | None
) -> None:
    async with autocommit() as db:
        await _LAND_OUTCOME.execute(db, _outcome(event_id, status, error=error, result=result))


async def _count_failure(event_id: uuid.UUID, exc: Exception) -> None:
    """Count the failed attempt; past MAX_ATTEMPTS the row is marked failed (replayable) and not retried."""
    log.error("webhook.process_failed", webhook_event_id=str(event_id), error_type=type(exc).__name__)
    error = f"internal error ({type(exc).__name__}); replayable"
    try:
        async with autocommit() as db:
            attempts = await db.scalar(
                update(WebhookEvent)
                .where(WebhookEvent.id == event_id, WebhookEvent.status == "received")
                .values(attempts=WebhookEvent.attempts + 1, error=error)
                .returning(WebhookEvent.attempts)
            )
            if attempts is not None and attempts >= MAX_ATTEMPTS:
                await db.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id == event_id, WebhookEvent.status == "received")
                    .values(status="failed", processed_at=utcnow())
                )
    except Exception as inner:  # the database itself may be what failed; the row stays received
        log.error("webhook.fail_unrecorded", webhook_event_id=str(event_id), error_type=type(inner).__name__)


async def requeue_waiting(*, limit: int = 1000) -> list[uuid.UUID]:
    """The scheduler's sweep: hand over rows still `received` whose hand-over failed (Redis was down) or whose
    job was lost (its stamp is older than settings.webhook_requeue_after_s). Returns their ids."""
    now = utcnow()
    stale = now - timedelta(seconds=get_settings().webhook_requeue_after_s)
    waiting = (
        select(WebhookEvent.id)
        .where(
            WebhookEvent.status == "received",
            or_(
                and_(WebhookEvent.handed_over_at.is_(None), WebhookEvent.received_at < now - UNQUEUED_GRACE),
                WebhookEvent.handed_over_at < stale,
            ),
        )
        .order_by(WebhookEvent.received_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    async with autocommit() as db:
        ids = list(
            (
                await db.scalars(
                    update(WebhookEvent)
                    .where(WebhookEvent.id.in_(waiting.scalar_subquery()))
                    .values(handed_over_at=now)
                    .returning(WebhookEvent.id)
                )
            ).all()
        )
    if ids:
        await hand_over(ids)
        log.info("webhook.requeued", count=len(ids))
    return ids
