"""The webhook event log: every authenticated body as it arrived, its status and outcome; replay on demand.

Invariant 4 (docs/ARCHITECTURE.md): a body is committed before anything processes it
(`server.inbound.accept`), so a failure leaves it replayable, never lost.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select, update

from server.core.db.base import utcnow
from server.core.db.engine import autocommit, read_session
from server.core.db.models import WebhookEvent
from server.core.errors import InvalidInput, NotFound
from server.core.logging import get_logger
from server.core.pagination import decode_cursor, encode_cursor
from server.inbound.accept import Accepted, hand_over

log = get_logger(__name__)

STATUSES = ("received", "processed", "ignored", "failed")


class WebhookEventSummary(msgspec.Struct):
    id: str
    channel: str
    status: str
    error: str | None
    received_at: datetime
    processed_at: datetime | None
    size: int
    attempts: int
    result: dict[str, Any] | None


class WebhookEventDetail(WebhookEventSummary, kw_only=True):
    content_type: str | None
    body: str | None  # the raw body as text when it is valid UTF-8
    body_base64: str


def _summary(e: WebhookEvent) -> WebhookEventSummary:
    return WebhookEventSummary(
        id=str(e.id),
        channel=e.channel,
        status=e.status,
        error=e.error,
        received_at=e.received_at,
        processed_at=e.processed_at,
        size=e.size,
        attempts=e.attempts,
        result=e.result,
    )


async def list_events(
    workspace_id: uuid.UUID, *, status: str | None, channel: str | None, limit: int, cursor: str | None
) -> tuple[list[WebhookEventSummary], str | None]:
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", code="invalid_status")
    query = select(WebhookEvent).where(WebhookEvent.workspace_id == workspace_id)
    if status:
        query = query.where(WebhookEvent.status == status)
    if channel:
        query = query.where(WebhookEvent.channel == channel)
    if cursor:
        at, last_id = decode_cursor(cursor)
        query = query.where(
            (WebhookEvent.received_at < at) | ((WebhookEvent.received_at == at) & (WebhookEvent.id < last_id))
        )
    query = query.order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc()).limit(limit + 1)
    async with read_session() as session:
        rows = list((await session.scalars(query)).all())
    next_cursor = (
        encode_cursor(rows[limit - 1].received_at, rows[limit - 1].id) if len(rows) > limit else None
    )
    return [_summary(r) for r in rows[:limit]], next_cursor


async def _get(workspace_id: uuid.UUID, event_id: uuid.UUID) -> WebhookEvent:
    async with read_session() as session:
        event = await session.scalar(
            select(WebhookEvent).where(WebhookEvent.id == event_id, WebhookEvent.workspace_id == workspace_id)
        )
    if event is None:
        raise NotFound("webhook event not found")
    return event


async def get_event(workspace_id: uuid.UUID, event_id: uuid.UUID) -> WebhookEventDetail:
    event = await _get(workspace_id, event_id)
    try:
        text: str | None = event.body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    summary = msgspec.structs.asdict(_summary(event))
    return WebhookEventDetail(
        **summary,
        content_type=event.content_type,
        body=text.replace("\x00", "\\u0000") if text is not None else None,
        body_base64=base64.b64encode(event.body).decode(),
    )


async def replay(workspace_id: uuid.UUID, event_id: uuid.UUID) -> Accepted:
    """Process the recorded body again, in a worker like any delivery; the message dedupe keeps an already
    stored message single (its outcome then reads `duplicate`)."""
    async with autocommit() as db:
        found = await db.scalar(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.workspace_id == workspace_id)
            .values(status="received", error=None, result=None, processed_at=None, handed_over_at=utcnow())
            .returning(WebhookEvent.id)
        )
    if found is None:
        raise NotFound("webhook event not found")
    await hand_over([event_id])
    log.info("webhook.replay_requested", webhook_event_id=str(event_id))
    return Accepted(status="accepted", webhook_event_id=str(event_id))
