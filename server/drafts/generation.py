"""Generate a draft for one (lead, channel) and store it under the invariants.

- Invariant 1 (docs/ARCHITECTURE.md): one pending draft per (lead, channel): the partial unique index, plus
  the lead row lock that serialises the commit step, so a race ends in a skip, never in an error or a second
  draft.
- Invariant 3 (docs/ARCHITECTURE.md): one draft per (trigger message, channel) for inbound triggers: checked
  before the model call (so a redelivered job costs nothing) and enforced by a partial unique index.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Literal

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.ai.runner import PromptFailed
from server.core.actors import AI
from server.core.db.availability import database_unavailable
from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import Draft, DraftFailure, Lead, Message
from server.core.events import (
    DRAFT_CREATED,
    DRAFT_FAILED,
    DRAFT_SUPERSEDED,
    emit_draft,
    emit_lead_updated,
)
from server.core.logging import get_logger
from server.core.settings import get_settings
from server.core.unit_of_work import UnitOfWork, unit_of_work
from server.drafts.writer import WrittenDraft, write_draft
from server.leads.conversation import lead_context, load_transcript
from server.sentiment.rules import should_generate_draft

log = get_logger(__name__)

# Past its budget, the writer's required steps (strategy, generation) are given this much longer before the
# draft is given up; the optional steps end before the budget by themselves.
WRITER_GRACE_S = 2.0

Source = Literal["inbound", "manual_sentiment", "on_demand"]


class GenerationOutcome(msgspec.Struct):
    channel: str
    status: Literal["created", "skipped", "failed"]
    draft_id: str | None = None
    reason: str | None = None


async def latest_inbound(session: AsyncSession, lead_id: uuid.UUID, channel: str) -> Message | None:
    return await session.scalar(
        select(Message)
        .where(Message.lead_id == lead_id, Message.channel == channel, Message.direction == "inbound")
        .order_by(Message.sent_at.desc(), Message.created_at.desc())
        .limit(1)
    )


async def _pending(session: AsyncSession, lead_id: uuid.UUID, channel: str) -> Draft | None:
    return await session.scalar(
        select(Draft).where(Draft.lead_id == lead_id, Draft.channel == channel, Draft.status == "pending")
    )


async def _skip_reason(
    session: AsyncSession, lead: Lead, channel: str, source: Source, trigger: Message | None
) -> str | None:
    """Why this generation should not produce a draft (checked before and again at commit)."""
    if source == "inbound":
        assert trigger is not None
        done = await session.scalar(
            select(Draft.id).where(
                Draft.trigger_message_id == trigger.id, Draft.channel == channel, Draft.source == "inbound"
            )
        )
        if done is not None:
            return "already_generated"
        newest = await latest_inbound(session, lead.id, channel)
        if newest is not None and newest.id != trigger.id:
            return "newer_inbound_message"
        if not should_generate_draft(lead.sentiment_tag, trigger.from_address) or trigger.is_bounce:
            return "not_eligible"
    if source == "manual_sentiment":
        if await _pending(session, lead.id, channel) is not None:
            return "pending_draft_exists"
        if not should_generate_draft(lead.sentiment_tag, lead.email):
            return "not_eligible"
    return None


async def generate_draft(
    lead_id: uuid.UUID,
    channel: str,
    *,
    source: Source,
    trigger_message_id: uuid.UUID | None = None,
    budget_s: float | None = None,
) -> GenerationOutcome:
    """One draft. With `budget_s`, the writing must be done within it: the optional steps give way, and a
    draft written in time is stored whatever the storing takes."""
    deadline = None if budget_s is None else time.monotonic() + budget_s
    async with read_session() as session:
        lead = await session.get(Lead, lead_id)
        if lead is None:
            return GenerationOutcome(channel=channel, status="skipped", reason="lead_not_found")
        trigger = (
            await session.get(Message, trigger_message_id)
            if trigger_message_id
            else await latest_inbound(session, lead.id, channel)
        )
        if source == "inbound" and trigger is None:
            return GenerationOutcome(channel=channel, status="skipped", reason="trigger_not_found")
        if reason := await _skip_reason(session, lead, channel, source, trigger):
            return GenerationOutcome(channel=channel, status="skipped", reason=reason)
        messages = await load_transcript(session, lead.id, limit=get_settings().transcript_message_limit)
        context = lead_context(lead)
        workspace_id = lead.workspace_id
        trigger_id = trigger.id if trigger else None
    try:
        writing = write_draft(channel, messages, context, deadline=deadline)  # type: ignore[arg-type]
        if deadline is None:
            written = await writing
        else:  # a backstop for the required steps; the optional ones end before the deadline by themselves
            written = await asyncio.wait_for(writing, deadline - time.monotonic() + WRITER_GRACE_S)
    except TimeoutError:
        await record_draft_failure(workspace_id, lead_id, channel, "timed out")
        return GenerationOutcome(channel=channel, status="failed", reason="timed out")
    except PromptFailed as exc:
        reason = f"model call failed: {exc.category}"
        await record_draft_failure(workspace_id, lead_id, channel, reason)
        return GenerationOutcome(channel=channel, status="failed", reason=reason)
    return await _store(workspace_id, lead_id, channel, source, trigger_id, written)


async def _store(
    workspace_id: uuid.UUID,
    lead_id: uuid.UUID,
    channel: str,
    source: Source,
    trigger_id: uuid.UUID | None,
    written: WrittenDraft,
) -> GenerationOutcome:
    try:
        async with unit_of_work(workspace_id, AI) as uow:
            lead = await uow.session.get_one(Lead, lead_id, with_for_update=True)
            trigger = await uow.session.get(Message, trigger_id) if trigger_id else None
            if reason := await _skip_reason(uow.session, lead, channel, source, trigger):
                await uow.session.rollback()
                return GenerationOutcome(channel=channel, status="skipped", reason=reason)
            draft = await _insert_superseding(uow, lead, channel, source, trigger_id, written)
            await uow.session.execute(
                delete(DraftFailure).where(DraftFailure.lead_id == lead.id, DraftFailure.channel == channel)
            )
            await emit_lead_updated(uow, lead)
    except IntegrityError:
        # Another generation for the same trigger or (lead, channel) committed first.
        return GenerationOutcome(channel=channel, status="skipped", reason="concurrent_generation")
    except DBAPIError as exc:
        if database_unavailable(exc):
            raise  # the job is retried once the database is back
        # The database refused what was written (it should never happen: model output is cleaned): the
        # failure is recorded and shown, never a silent retry loop.
        log.error(
            "draft.store_failed", lead_id=str(lead_id), channel=channel, error_type=type(exc.orig).__name__
        )
        reason = "the draft could not be stored"
        await record_draft_failure(workspace_id, lead_id, channel, reason)
        return GenerationOutcome(channel=channel, status="failed", reason=reason)
    log.info("draft.created", draft_id=str(draft.id), lead_id=str(lead_id), channel=channel, source=source)
    return GenerationOutcome(channel=channel, status="created", draft_id=str(draft.id))


async def _insert_superseding(
    uow: UnitOfWork,
    lead: Lead,
    channel: str,
    source: Source,
    trigger_id: uuid.UUID | None,
    written: WrittenDraft,
) -> Draft:
    previous = await _pending(uow.session, lead.id, channel)
    draft_id = uuid.uuid4()
    if previous is not None:
        previous.status = "superseded"
        previous.superseded_by = draft_id
        previous.updated_at = utcnow()
        await uow.session.flush()
    draft = Draft(
        id=draft_id,
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        channel=channel,
        status="pending",
        content=written.content,
        ai_content=written.content,
        subject=written.subject,
        trigger_message_id=trigger_id,
        source=source,
        version=1,
        model=written.model,
        provider=written.provider,
    )
    uow.session.add(draft)
    await uow.session.flush()
    if previous is not None:
        emit_draft(uow, DRAFT_SUPERSEDED, previous, superseded_by=str(draft_id))
    emit_draft(uow, DRAFT_CREATED, draft)
    return draft


async def record_draft_failure(
    workspace_id: uuid.UUID, lead_id: uuid.UUID, channel: str, reason: str
) -> None:
    """Shown on the lead as draft_failures until a later generation for the channel succeeds."""
    log.warning("draft.failed", lead_id=str(lead_id), channel=channel, reason=reason)
    async with unit_of_work(workspace_id, AI) as uow:
        lead = await uow.session.get(Lead, lead_id)
        if lead is None:
            return
        now = utcnow()
        await uow.session.execute(
            insert(DraftFailure)
            .values(lead_id=lead_id, channel=channel, workspace_id=workspace_id, reason=reason, at=now)
            .on_conflict_do_update(index_elements=["lead_id", "channel"], set_={"reason": reason, "at": now})
        )
        uow.emit(DRAFT_FAILED, lead_id, {"lead_id": str(lead_id), "channel": channel, "reason": reason})
        await emit_lead_updated(uow, lead)


async def generate_for_channels(
    lead_id: uuid.UUID, channels: list[str], *, source: Source
) -> list[GenerationOutcome]:
    """Several channels, at most N at once, each within the time limit; one failing never stops the rest."""
    settings = get_settings()
    limiter = asyncio.Semaphore(settings.manual_draft_concurrency)

    async def one(channel: str) -> GenerationOutcome:
        async with limiter:
            return await generate_draft(
                lead_id, channel, source=source, budget_s=settings.manual_draft_timeout_s
            )

    return list(await asyncio.gather(*(one(c) for c in channels)))
