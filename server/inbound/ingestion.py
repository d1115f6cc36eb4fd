"""Store what a parsed webhook means: one message per provider message id, its lead, its events, its job."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from server.core.db.base import utcnow
from server.core.db.models import Lead, Message
from server.core.events import emit_lead_updated, emit_message_created
from server.core.jobs import POST_PROCESS_ACTOR
from server.core.text_cleaning import sanitize_html
from server.core.unit_of_work import UnitOfWork, unit_of_work
from server.inbound.matching import find_or_create_lead
from server.inbound.parsers.normalized import ParsedMessage, WebhookParse
from server.leads.sentiment import apply_sentiment

# A body with no time of its own is a duplicate of the same contact's same body within this window.
TIMELESS_DEDUPE_WINDOW = timedelta(minutes=10)


class IngestResult(msgspec.Struct):
    status: str  # processed | duplicate | ignored (| failed, for a replay of a bad body)
    message_id: str | None = None
    lead_id: str | None = None


OutcomeRecorder = Callable[[UnitOfWork, IngestResult], Awaitable[None]]


def _normalized_body(body: str) -> str:
    return re.sub(r"\s+", " ", body).strip().lower()


def content_hash(workspace_id: uuid.UUID, contact: str, body: str) -> str:
    return hashlib.sha256(f"{workspace_id}\x1f{contact}\x1f{_normalized_body(body)}".encode()).hexdigest()


def _contact_key(parse: WebhookParse) -> str:
    lead = parse.lead
    assert lead is not None
    return lead.ghl_contact_id or lead.linkedin_provider_id or lead.email or lead.phone or ""


def dedupe_key(workspace_id: uuid.UUID, parse: WebhookParse) -> str | None:
    """The provider's id, else a hash of (contact, body, the payload's own time); None when timeless."""
    message = parse.message
    assert message is not None
    if message.provider_message_id:
        if len(message.provider_message_id) > 300:  # keep the unique index entry small
            return "sha256id:" + hashlib.sha256(message.provider_message_id.encode()).hexdigest()
        return message.provider_message_id
    if message.provider_time:
        body_hash = content_hash(workspace_id, _contact_key(parse), message.body)
        digest = hashlib.sha256(f"{body_hash}\x1f{message.provider_time}".encode()).hexdigest()
        return f"sha256:{digest}"
    return None


async def _existing(uow: UnitOfWork, channel: str, key: str) -> IngestResult | None:
    row = (
        await uow.session.execute(
            select(Message.id, Message.lead_id).where(
                Message.workspace_id == uow.workspace_id,
                Message.channel == channel,
                Message.dedupe_key == key,
            )
        )
    ).first()
    if row is None:
        return None
    return IngestResult(status="duplicate", message_id=str(row.id), lead_id=str(row.lead_id))


async def _recent_timeless_duplicate(
    uow: UnitOfWork, lead: Lead, message: ParsedMessage, digest: str
) -> bool:
    since = utcnow() - TIMELESS_DEDUPE_WINDOW
    found = await uow.session.scalar(
        select(Message.id).where(
            Message.lead_id == lead.id,
            Message.channel == message.channel,
            Message.content_hash == digest,
            Message.created_at >= since,
        )
    )
    return found is not None


async def ingest_message(
    workspace_id: uuid.UUID,
    parse: WebhookParse,
    *,
    post_process: bool = True,
    record_outcome: OutcomeRecorder | None = None,
) -> IngestResult:
    """Store the message once. `post_process=False` (demo data, imports) skips classification and drafting."""
    async with unit_of_work(workspace_id) as uow:
        result = await _store_message(uow, parse, post_process)
        if record_outcome is not None:
            await record_outcome(uow, result)
        return result


async def _store_message(uow: UnitOfWork, parse: WebhookParse, post_process: bool) -> IngestResult:
    message = parse.message
    assert message is not None and parse.lead is not None
    workspace_id = uow.workspace_id
    key = dedupe_key(workspace_id, parse)
    if key is not None and (duplicate := await _existing(uow, message.channel, key)):
        return duplicate
    lead, created = await find_or_create_lead(uow, parse.lead)
    digest = content_hash(workspace_id, _contact_key(parse), message.body)
    if key is None:
        if await _recent_timeless_duplicate(uow, lead, message, digest):
            return IngestResult(status="duplicate", lead_id=str(lead.id))
        key = f"timeless:{digest}:{utcnow().isoformat()}"
    sent_at = message.sent_at or utcnow()
    stored = await uow.session.scalar(
        insert(Message)
        .values(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            lead_id=lead.id,
            channel=message.channel,
            direction=message.direction,
            sent_by=message.sent_by,
            subject=message.subject,
            body=message.body,
            html=sanitize_html(message.html),
            from_address=message.from_address,
            to=message.to,
            cc=message.cc,
            bcc=message.bcc,
            sent_at=sent_at,
            dedupe_key=key,
            content_hash=digest,
            is_bounce=message.is_bounce,
            is_automated=message.is_automated,
            sentiment_hint=message.sentiment_hint,
            # Outbound echoes need no classification or draft.
            post_processed_at=None if message.direction == "inbound" and post_process else utcnow(),
        )
        .on_conflict_do_nothing(constraint="uq_messages_dedupe")
        .returning(Message)
    )
    if stored is None:
        # A concurrent delivery of the same message won the insert.
        return await _existing(uow, message.channel, key) or IngestResult(
            status="duplicate", lead_id=str(lead.id)
        )
    _touch_lead(lead, message.channel, message.direction, sent_at)
    emit_message_created(uow, stored)
    await emit_lead_updated(uow, lead, is_new=created)
    if message.direction == "inbound" and post_process:
        uow.enqueue(POST_PROCESS_ACTOR, message_id=stored.id)
    return IngestResult(status="processed", message_id=str(stored.id), lead_id=str(lead.id))


def _touch_lead(lead: Lead, channel: str, direction: str, sent_at: datetime) -> None:
    if channel not in (lead.channels or []):
        lead.channels = [*(lead.channels or []), channel]
    if lead.last_message_at is None or sent_at > lead.last_message_at:
        lead.last_message_at = sent_at
    if direction == "inbound" and (lead.last_inbound_at is None or sent_at > lead.last_inbound_at):
        lead.last_inbound_at = sent_at
    lead.activity_at = utcnow()
    lead.updated_at = utcnow()


async def ingest_unsubscribe(
    workspace_id: uuid.UUID, parse: WebhookParse, *, record_outcome: OutcomeRecorder | None = None
) -> IngestResult:
    """The provider says the lead opted out: Blacklist, and its pending drafts are rejected."""
    assert parse.lead is not None
    async with unit_of_work(workspace_id) as uow:
        lead, _created = await find_or_create_lead(uow, parse.lead)
        await apply_sentiment(uow, lead, "Blacklist")
        result = IngestResult(status="processed", lead_id=str(lead.id))
        if record_outcome is not None:
            await record_outcome(uow, result)
        return result


async def ingest(
    workspace_id: uuid.UUID, parse: WebhookParse, *, record_outcome: OutcomeRecorder | None = None
) -> IngestResult:
    """`record_outcome` runs inside the ingesting transaction, so the outcome commits with the change."""
    if parse.kind == "message":
        return await ingest_message(workspace_id, parse, record_outcome=record_outcome)
    if parse.kind == "unsubscribe":
        return await ingest_unsubscribe(workspace_id, parse, record_outcome=record_outcome)
    return IngestResult(status="ignored")
