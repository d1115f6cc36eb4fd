"""Store what a parsed webhook means: one message per provider message id, its lead, its events, its job."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Final

import msgspec

from server.core.actors import provider as provider_actor
from server.core.db.base import utcnow
from server.core.db.plain_sql import PlainStatement
from server.core.events import emit_lead_updated, emit_message_created
from server.core.jobs import POST_PROCESS_ACTOR
from server.core.text_cleaning import sanitize_html
from server.core.unit_of_work import UnitOfWork, unit_of_work
from server.inbound.matching import (
    MatchKeys,
    Touch,
    find_or_create_lead,
    lock_and_find_lead,
    save_lead,
)
from server.inbound.parsers.normalized import ParsedMessage, WebhookParse
from server.leads.sentiment import apply_sentiment
from server.sending.echoes import confirm_echo

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


_EXISTING: Final = PlainStatement(
    "SELECT id, lead_id FROM messages WHERE workspace_id = CAST(:workspace_id AS uuid)"
    " AND channel = CAST(:channel AS text) AND dedupe_key = CAST(:key AS text)"
)
_RECENT_TIMELESS: Final = PlainStatement(
    "SELECT 1 FROM messages WHERE lead_id = CAST(:lead_id AS uuid) AND channel = CAST(:channel AS text)"
    " AND content_hash = CAST(:digest AS text) AND created_at >= CAST(:since AS timestamptz) LIMIT 1"
)
# Plain SQL, prepared once per connection: storing a message is the worker's hottest path. The unique
# constraint keeps one message per provider id whatever the concurrency (Invariant 2, docs/ARCHITECTURE.md).
_INSERT_MESSAGE: Final = PlainStatement(
    """
    INSERT INTO messages (id, workspace_id, lead_id, channel, direction, sent_by, subject, body, html,
                          from_address, "to", cc, bcc, sent_at, dedupe_key, content_hash, is_bounce,
                          is_automated, sentiment_hint, post_processed_at, created_at, send_ref)
    VALUES (CAST(:id AS uuid), CAST(:workspace_id AS uuid), CAST(:lead_id AS uuid), :channel, :direction,
            :sent_by, CAST(:subject AS text), :body, CAST(:html AS text), CAST(:from_address AS text),
            CAST(:to AS text[]), CAST(:cc AS text[]), CAST(:bcc AS text[]), CAST(:sent_at AS timestamptz),
            :dedupe_key, :content_hash, CAST(:is_bounce AS boolean), CAST(:is_automated AS boolean),
            CAST(:sentiment_hint AS text), CAST(:post_processed_at AS timestamptz), CAST(:now AS timestamptz),
            CAST(:send_ref AS jsonb))
    ON CONFLICT ON CONSTRAINT uq_messages_dedupe DO NOTHING
    RETURNING id, lead_id, channel, direction, sent_by, subject, body, html, from_address, "to", cc, bcc,
              sent_at, draft_id
    """
)


async def _existing(uow: UnitOfWork, channel: str, key: str) -> IngestResult | None:
    params = {"workspace_id": uow.workspace_id, "channel": channel, "key": key}
    row = await _EXISTING.fetchrow(uow.session, params)
    if row is None:
        return None
    return IngestResult(status="duplicate", message_id=str(row.id), lead_id=str(row.lead_id))


async def _recent_timeless_duplicate(
    uow: UnitOfWork, lead_id: uuid.UUID, message: ParsedMessage, digest: str
) -> bool:
    params = {
        "lead_id": lead_id,
        "channel": message.channel,
        "digest": digest,
        "since": utcnow() - TIMELESS_DEDUPE_WINDOW,
    }
    return await _RECENT_TIMELESS.fetchval(uow.session, params) is not None


async def ingest_message(
    workspace_id: uuid.UUID,
    parse: WebhookParse,
    *,
    post_process: bool = True,
    record_outcome: OutcomeRecorder | None = None,
) -> IngestResult:
    """Store the message once. `post_process=False` (demo data, imports) skips classification and drafting."""
    assert parse.message is not None
    async with unit_of_work(workspace_id, provider_actor(parse.message.channel)) as uow:
        result = await _store_message(uow, parse, post_process)
        if record_outcome is not None:
            await record_outcome(uow, result)
        return result


async def _store_message(uow: UnitOfWork, parse: WebhookParse, post_process: bool) -> IngestResult:
    message, identity = parse.message, parse.lead
    assert message is not None and identity is not None
    workspace_id = uow.workspace_id
    # No look-up of the key first: the insert below finds a duplicate by its conflict, one round trip less for
    # every message that is new.
    key = dedupe_key(workspace_id, parse)
    keys = MatchKeys(identity)
    lead_id = await lock_and_find_lead(uow, keys)
    if message.direction == "outbound" and lead_id is not None:
        # Perhaps the provider reporting a reply we sent (its echo): that message, confirmed, never a second.
        ours = await confirm_echo(uow, lead_id, message.channel, message.provider_message_id, message.body)
        if ours is not None:
            return IngestResult(status="duplicate", message_id=str(ours), lead_id=str(lead_id))
    digest = content_hash(workspace_id, _contact_key(parse), message.body)
    if key is None:
        if lead_id is not None and await _recent_timeless_duplicate(uow, lead_id, message, digest):
            return IngestResult(status="duplicate", lead_id=str(lead_id))
        key = f"timeless:{digest}:{utcnow().isoformat()}"
    sent_at = message.sent_at or utcnow()
    touch = Touch(channel=message.channel, inbound=message.direction == "inbound", sent_at=sent_at)
    created = lead_id is None
    if created:  # the message refers to its lead: a new one is inserted first
        lead = await save_lead(uow, None, identity, keys, touch)
        lead_id = lead.id
    stored = await _INSERT_MESSAGE.fetchrow(
        uow.session,
        {
            "id": uuid.uuid4(),
            "workspace_id": workspace_id,
            "lead_id": lead_id,
            "channel": message.channel,
            "direction": message.direction,
            "sent_by": message.sent_by,
            "subject": message.subject,
            "body": message.body,
            "html": sanitize_html(message.html),
            "from_address": message.from_address,
            "to": message.to,
            "cc": message.cc,
            "bcc": message.bcc,
            "sent_at": sent_at,
            "dedupe_key": key,
            "content_hash": digest,
            "is_bounce": message.is_bounce,
            "is_automated": message.is_automated,
            "sentiment_hint": message.sentiment_hint,
            # Outbound echoes need no classification or draft.
            "post_processed_at": None if message.direction == "inbound" and post_process else utcnow(),
            "now": utcnow(),
            "send_ref": msgspec.json.encode(message.send_ref).decode() if message.send_ref else None,
        },
    )
    if stored is None:
        # A concurrent delivery of the same message won the insert.
        return await _existing(uow, message.channel, key) or IngestResult(
            status="duplicate", lead_id=str(lead_id)
        )
    if not created:
        lead = await save_lead(uow, lead_id, identity, keys, touch)
    emit_message_created(uow, stored)
    await emit_lead_updated(uow, lead, is_new=created)
    if message.direction == "inbound" and post_process:
        uow.enqueue_swept(POST_PROCESS_ACTOR, message_id=stored.id)  # the stalled-messages sweep covers it
    return IngestResult(status="processed", message_id=str(stored.id), lead_id=str(lead_id))


async def ingest_unsubscribe(
    workspace_id: uuid.UUID, parse: WebhookParse, *, record_outcome: OutcomeRecorder | None = None
) -> IngestResult:
    """The provider says the lead opted out: Blacklist, and its pending drafts are rejected."""
    assert parse.lead is not None
    channel = parse.message.channel if parse.message is not None else "email"
    async with unit_of_work(workspace_id, provider_actor(channel)) as uow:
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
