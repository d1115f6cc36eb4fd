"""After an inbound message is stored: classify the lead's sentiment, then draft a reply when eligible.

Idempotent: a message is marked processed at the end, classification is safe to repeat, and draft
generation refuses a second draft for the same trigger message.
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select, update

from server.ai.runner import PromptFailed
from server.ai.transcript import transcript_message
from server.core.actors import AI
from server.core.db.base import utcnow
from server.core.db.engine import autocommit, read_session
from server.core.db.models import Lead, Message
from server.core.logging import get_logger
from server.core.settings import get_settings
from server.core.unit_of_work import unit_of_work
from server.drafts.generation import GenerationOutcome, generate_draft
from server.leads.classification import classify_sentiment
from server.leads.conversation import lead_context, load_transcript
from server.leads.sentiment import apply_sentiment
from server.sentiment.rules import normalize_tag, should_generate_draft

log = get_logger(__name__)


class PostProcessOutcome(msgspec.Struct):
    status: str  # done | already_processed | not_found | outbound
    sentiment_tag: str | None = None
    classified_by: str | None = None
    draft: GenerationOutcome | None = None


async def _is_latest_inbound(message: Message) -> bool:
    async with read_session() as session:
        newer = await session.scalar(
            select(Message.id)
            .where(
                Message.lead_id == message.lead_id,
                Message.direction == "inbound",
                Message.id != message.id,
                Message.sent_at > message.sent_at,
            )
            .limit(1)
        )
    return newer is None


async def _classify(message: Message, lead: Lead) -> tuple[str | None, str | None]:
    if message.sentiment_hint and (hinted := normalize_tag(message.sentiment_hint)):
        return hinted, "provider"
    async with read_session() as session:
        messages = await load_transcript(session, lead.id, limit=get_settings().transcript_message_limit)
    latest = next(
        (m for m in reversed(messages) if m.direction == "inbound" and m.channel == message.channel),
        transcript_message(message),
    )
    try:
        result = await classify_sentiment(
            messages,
            lead_context(lead),
            latest,
            is_bounce=message.is_bounce,
            sender_email=message.from_address,
        )
    except PromptFailed as exc:
        # The lead keeps its current tag; the message is still eligible for a draft under that tag.
        log.warning("sentiment.classify_failed", message_id=str(message.id), category=exc.category)
        return None, None
    return normalize_tag(result.tag) or None, result.source


async def post_process_message(message_id: uuid.UUID) -> PostProcessOutcome:
    async with read_session() as session:
        message = await session.get(Message, message_id)
        if message is None:
            return PostProcessOutcome(status="not_found")
        if message.post_processed_at is not None:
            return PostProcessOutcome(status="already_processed")
        if message.direction != "inbound":
            return PostProcessOutcome(status="outbound")
        lead = await session.get_one(Lead, message.lead_id)

    tag, classified_by = await _classify(message, lead)
    latest = await _is_latest_inbound(message)
    if tag is not None and latest:
        # An older message processed late must not overwrite the sentiment of a newer one.
        async with unit_of_work(lead.workspace_id, AI) as uow:
            locked = await uow.session.get_one(Lead, lead.id, with_for_update=True)
            if locked.sentiment_tag != tag:
                await apply_sentiment(uow, locked, tag)
            current_tag = locked.sentiment_tag
    else:
        current_tag = lead.sentiment_tag

    draft: GenerationOutcome | None = None
    if should_generate_draft(current_tag, message.from_address) and not message.is_bounce:
        draft = await generate_draft(
            lead.id, message.channel, source="inbound", trigger_message_id=message.id
        )

    async with autocommit() as db:
        await db.execute(update(Message).where(Message.id == message.id).values(post_processed_at=utcnow()))
    log.info(
        "message.post_processed",
        message_id=str(message.id),
        lead_id=str(lead.id),
        sentiment_tag=current_tag,
        classified_by=classified_by,
        draft_status=draft.status if draft else None,
    )
    return PostProcessOutcome(
        status="done", sentiment_tag=current_tag, classified_by=classified_by, draft=draft
    )
