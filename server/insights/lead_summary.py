"""Summarise one booked lead's conversation into its insight, at most once per conversation.

- One extraction per lead at a time (a Redis lock), so a duplicated or redelivered job skips.
- Nothing to do when the stored insight already summarises this conversation (same conversation_hash).
- The insight is upserted (one per lead, outcome BOOKED) and `insight.updated` emitted in the same
  transaction; a failure recorded earlier for the lead is cleared with it.
- A failed extraction is recorded on insight_failures with its category (logged with ids and category
  only). A transient one raises InsightDeferred so that the caller retries it; a permanent one is not
  retried until the conversation changes.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import datetime
from typing import Literal

import msgspec
from redis.exceptions import LockError
from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert

from server.ai.providers.base import ModelProvider
from server.ai.runner import PromptFailed
from server.ai.transcript import LeadContext, TranscriptMessage, transcript_message
from server.core.actors import AI
from server.core.db.base import utcnow
from server.core.db.engine import autocommit, read_session
from server.core.db.models import Insight, InsightFailure, Lead, Message
from server.core.events import emit_insight_updated
from server.core.logging import get_logger
from server.core.redis import redis_client
from server.core.unit_of_work import unit_of_work
from server.insights.conversation_hash import conversation_hash
from server.insights.extraction import ExtractedInsight, extract_insight
from server.leads.conversation import lead_context

log = get_logger(__name__)

OUTCOME_BOOKED = "BOOKED"
# Longer than any extraction (the actor's time limit), so a crashed worker's lock only delays the lead.
LOCK_TTL_S = 900


class InsightOutcome(msgspec.Struct, kw_only=True, frozen=True):
    status: Literal["done", "skipped", "failed"]
    reason: str | None = None  # why it was skipped, or the failure's category
    model_calls: int = 0


class InsightDeferred(Exception):
    """The extraction failed on transient errors (rate limits, 5xx, timeouts): try again shortly."""

    def __init__(self, category: str) -> None:
        super().__init__(f"insight extraction deferred: {category}")
        self.category = category


class _Conversation(msgspec.Struct, kw_only=True, frozen=True):
    lead_id: uuid.UUID
    workspace_id: uuid.UUID
    lead: LeadContext
    booked_at: datetime | None
    messages: list[TranscriptMessage]
    conversation_hash: str


async def summarise_lead(lead_id: uuid.UUID, *, provider: ModelProvider | None = None) -> InsightOutcome:
    lock = redis_client().lock(
        f"setterdesk:insights:lead:{lead_id}", timeout=LOCK_TTL_S, blocking=False, thread_local=False
    )
    if not await lock.acquire():
        return InsightOutcome(status="skipped", reason="in_progress")
    try:
        conversation = await _load(lead_id)
        if isinstance(conversation, InsightOutcome):
            return conversation
        try:
            extracted = await extract_insight(
                conversation.messages,
                conversation.lead,
                booked_at=conversation.booked_at,
                provider=provider,
            )
        except PromptFailed as exc:
            await record_insight_failure(conversation, exc.category, permanent=not exc.transient)
            if exc.transient:
                raise InsightDeferred(exc.category) from exc
            return InsightOutcome(status="failed", reason=exc.category)
        return await _store(conversation, extracted)
    finally:
        with suppress(LockError):  # it expired: another run may hold it now, and keeps it
            await lock.release()


async def _load(lead_id: uuid.UUID) -> _Conversation | InsightOutcome:
    async with read_session() as session:
        lead = await session.get(Lead, lead_id)
        if lead is None:
            return InsightOutcome(status="skipped", reason="lead_not_found")
        if lead.appointment_booked_at is None:
            return InsightOutcome(status="skipped", reason="not_booked")
        rows = (
            await session.execute(
                select(
                    Message.id,
                    Message.channel,
                    Message.direction,
                    Message.sent_by,
                    Message.sent_at,
                    Message.subject,
                    Message.body,
                )
                .where(Message.lead_id == lead_id)
                .order_by(Message.sent_at, Message.id)
            )
        ).all()
        if not rows:
            return InsightOutcome(status="skipped", reason="no_messages")
        fingerprint = conversation_hash((m.id, m.body) for m in rows)
        stored = await session.scalar(select(Insight.conversation_hash).where(Insight.lead_id == lead_id))
        if stored == fingerprint:
            return InsightOutcome(status="skipped", reason="up_to_date")
        return _Conversation(
            lead_id=lead.id,
            workspace_id=lead.workspace_id,
            lead=lead_context(lead),
            booked_at=lead.appointment_booked_at,
            messages=[transcript_message(m) for m in rows],
            conversation_hash=fingerprint,
        )


async def _store(conversation: _Conversation, extracted: ExtractedInsight) -> InsightOutcome:
    calls = extracted.model_calls
    async with unit_of_work(conversation.workspace_id, AI) as uow:
        lead = await uow.session.get(Lead, conversation.lead_id, with_for_update=True)
        if lead is None:
            return InsightOutcome(status="skipped", reason="lead_not_found", model_calls=calls)
        values = {
            "workspace_id": lead.workspace_id,
            "outcome": OUTCOME_BOOKED,
            "insight": extracted.data,
            "model": extracted.model[:100],
            "source": extracted.provider,
            "conversation_hash": conversation.conversation_hash,
            "computed_at": utcnow(),
        }
        upsert = (
            insert(Insight)
            .values(id=uuid.uuid4(), lead_id=lead.id, **values)
            .on_conflict_do_update(
                index_elements=[Insight.lead_id],
                set_=values,
                # A concurrent run stored this very conversation first: nothing changes, no event.
                where=Insight.conversation_hash != conversation.conversation_hash,
            )
            .returning(Insight)
        )
        insight = await uow.session.scalar(upsert, execution_options={"populate_existing": True})
        if insight is None:
            return InsightOutcome(status="skipped", reason="up_to_date", model_calls=calls)
        await uow.session.execute(delete(InsightFailure).where(InsightFailure.lead_id == lead.id))
        emit_insight_updated(uow, insight, lead)
    log.info(
        "insight.stored",
        lead_id=str(lead.id),
        workspace_id=str(lead.workspace_id),
        provider=extracted.provider,
        model_calls=calls,
        digests=extracted.digests,
    )
    return InsightOutcome(status="done", model_calls=calls)


async def record_insight_failure(conversation: _Conversation, category: str, *, permanent: bool) -> None:
    """Shown in the failures list until an extraction for the lead succeeds. Ids and category only."""
    log.warning(
        "insight.failed",
        lead_id=str(conversation.lead_id),
        workspace_id=str(conversation.workspace_id),
        category=category,
        permanent=permanent,
    )
    now = utcnow()
    same_conversation = InsightFailure.conversation_hash == conversation.conversation_hash
    statement = (
        insert(InsightFailure)
        .values(
            lead_id=conversation.lead_id,
            workspace_id=conversation.workspace_id,
            conversation_hash=conversation.conversation_hash,
            category=category[:40],
            permanent=permanent,
            attempts=1,
            failed_at=now,
        )
        .on_conflict_do_update(
            index_elements=[InsightFailure.lead_id],
            set_={
                "conversation_hash": conversation.conversation_hash,
                "category": category[:40],
                "permanent": permanent,
                "attempts": case((same_conversation, InsightFailure.attempts + 1), else_=1),
                "failed_at": now,
            },
        )
    )
    async with autocommit() as db:
        await db.execute(statement)
