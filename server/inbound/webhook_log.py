"""The webhook event log: record every authenticated body first, then process it; replay on demand.

Invariant 4 (docs/ARCHITECTURE.md): the body is committed before processing starts, so a failure leaves it
replayable.
"""

from __future__ import annotations

import base64
import hmac
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Update, insert, select, update

from server.core.db.base import utcnow
from server.core.db.engine import autocommit, read_session
from server.core.db.models import WebhookEvent, Workspace
from server.core.errors import InvalidInput, NotFound, Unauthenticated
from server.core.logging import get_logger
from server.core.pagination import decode_cursor, encode_cursor
from server.core.text_cleaning import BodyNotJson, decode_json_body
from server.core.unit_of_work import UnitOfWork
from server.inbound.ingestion import IngestResult, ingest
from server.inbound.parsers.emailbison import parse_emailbison
from server.inbound.parsers.gohighlevel import parse_gohighlevel
from server.inbound.parsers.normalized import InvalidPayload, WebhookParse
from server.inbound.parsers.unipile import parse_unipile

log = get_logger(__name__)

PARSERS: dict[str, Callable[[Any], WebhookParse]] = {
    "email": parse_emailbison,
    "sms": parse_gohighlevel,
    "linkedin": parse_unipile,
}
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


async def check_secret(workspace_id: uuid.UUID, given: str) -> None:
    """NotFound for an unknown workspace, Unauthenticated for a missing or wrong secret (compared in constant
    time)."""
    async with autocommit() as db:
        secret = await db.scalar(select(Workspace.webhook_secret).where(Workspace.id == workspace_id))
    if secret is None:
        raise NotFound("unknown workspace", code="workspace_not_found")
    if not given or not hmac.compare_digest(given.encode(), secret.encode()):
        raise Unauthenticated("missing or wrong webhook secret", code="invalid_webhook_secret")


async def record(workspace_id: uuid.UUID, channel: str, body: bytes, content_type: str | None) -> uuid.UUID:
    """Commit the raw body before anything else happens to it (one INSERT, its own transaction)."""
    event_id = uuid.uuid4()
    async with autocommit() as db:
        await db.execute(
            insert(WebhookEvent).values(
                id=event_id,
                workspace_id=workspace_id,
                channel=channel,
                status="received",
                body=body,
                size=len(body),
                content_type=(content_type or "")[:200].replace("\x00", "") or None,
                attempts=0,
            )
        )
    return event_id


def _outcome(event_id: uuid.UUID, status: str, *, error: str | None, result: dict[str, Any] | None) -> Update:
    return (
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id)
        .values(
            status=status,
            error=error,
            result=result,
            processed_at=utcnow(),
            attempts=WebhookEvent.attempts + 1,
        )
    )


async def _finish(
    event_id: uuid.UUID, status: str, *, error: str | None, result: dict[str, Any] | None
) -> None:
    async with autocommit() as db:
        await db.execute(_outcome(event_id, status, error=error, result=result))


def _parse(channel: str, body: bytes) -> WebhookParse:
    try:
        decoded = decode_json_body(body)
    except BodyNotJson as exc:
        raise InvalidInput(f"body is not valid JSON ({exc})", code="invalid_json") from None
    if not isinstance(decoded, dict):
        raise InvalidInput("body must be a JSON object", code="invalid_payload")
    try:
        return PARSERS[channel](decoded)
    except InvalidPayload as exc:
        raise InvalidInput(str(exc), code="invalid_payload") from None


async def process(event_id: uuid.UUID, workspace_id: uuid.UUID, channel: str, body: bytes) -> IngestResult:
    """Parse and ingest a recorded body, and write the outcome back to its log row."""

    async def record_outcome(uow: UnitOfWork, result: IngestResult) -> None:
        # Committed with the message itself: the log says "processed" exactly when the change landed.
        await uow.session.execute(
            _outcome(event_id, "processed", error=None, result=msgspec.to_builtins(result))
        )

    try:
        parse = _parse(channel, body)
        result = await ingest(workspace_id, parse, record_outcome=record_outcome)
    except InvalidInput as exc:
        await _finish(event_id, "failed", error=exc.message, result=None)
        log.info("webhook.rejected", webhook_event_id=str(event_id), channel=channel, code=exc.code)
        raise
    except Exception as exc:
        await _safe_fail(event_id, exc)
        raise
    if result.status == "ignored":
        await _finish(event_id, "ignored", error=parse.reason, result=msgspec.to_builtins(result))
    log.info(
        "webhook.processed",
        webhook_event_id=str(event_id),
        channel=channel,
        outcome=result.status,
        message_id=result.message_id,
        lead_id=result.lead_id,
    )
    return result


async def _safe_fail(event_id: uuid.UUID, exc: Exception) -> None:
    log.error("webhook.failed", webhook_event_id=str(event_id), error_type=type(exc).__name__)
    try:
        await _finish(
            event_id, "failed", error=f"internal error ({type(exc).__name__}); replayable", result=None
        )
    except Exception as inner:  # the database itself may be what failed
        log.error("webhook.fail_unrecorded", webhook_event_id=str(event_id), error_type=type(inner).__name__)


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


async def replay(workspace_id: uuid.UUID, event_id: uuid.UUID) -> IngestResult:
    """Process the recorded body again; the message dedupe keeps an already-stored message single."""
    event = await _get(workspace_id, event_id)
    try:
        return await process(event.id, workspace_id, event.channel, event.body)
    except InvalidInput:
        return IngestResult(status="failed")  # the log row now says why
