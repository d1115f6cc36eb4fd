"""Changing a lead's sentiment: tag, status, booked time, and rejecting drafts an ineligible tag voids.

`apply_sentiment` is every source's way (classification, a provider's own event, a setter); `change_sentiment`
is a setter's change by hand. Eligible tag: every channel with inbound history gets a draft unless it already
has a pending one; the generation runs in a worker (never on the request). Ineligible tag: the lead's pending
drafts are rejected. The tag change itself always succeeds, whatever generation later does.
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select

from server.core.actors import SYSTEM, Actor
from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import Draft, Lead, Message
from server.core.errors import InvalidInput
from server.core.events import DRAFT_REJECTED, emit_draft, emit_lead_updated, emit_sentiment_changed
from server.core.jobs import MANUAL_DRAFTS_ACTOR
from server.core.unit_of_work import UnitOfWork, unit_of_work
from server.core.views import LeadView, lead_view
from server.leads.service import get_lead
from server.sentiment.rules import (
    DRAFT_ELIGIBLE_TAGS,
    is_bounce_sender,
    normalize_tag,
    should_generate_draft,
    status_for_tag,
)


async def reject_pending_drafts(uow: UnitOfWork, lead: Lead) -> int:
    drafts = (
        await uow.session.scalars(
            select(Draft).where(Draft.lead_id == lead.id, Draft.status == "pending").with_for_update()
        )
    ).all()
    for draft in drafts:
        draft.status = "rejected"
        draft.updated_at = utcnow()
        emit_draft(uow, DRAFT_REJECTED, draft)
    return len(drafts)


async def apply_sentiment(uow: UnitOfWork, lead: Lead, tag: str) -> int:
    """Set the tag (the caller holds the lead's row lock). Returns how many pending drafts were rejected."""
    previous = lead.sentiment_tag
    changed = previous != tag
    lead.sentiment_tag = tag
    lead.status = status_for_tag(tag)
    if tag == "Meeting Booked" and lead.appointment_booked_at is None:
        lead.appointment_booked_at = utcnow()
    lead.updated_at = utcnow()
    rejected = 0 if tag in DRAFT_ELIGIBLE_TAGS else await reject_pending_drafts(uow, lead)
    if changed:
        await emit_sentiment_changed(uow, lead, previous)
    elif rejected:
        await emit_lead_updated(uow, lead)
    return rejected


class DraftPlan(msgspec.Struct):
    eligible: bool
    enqueued: list[str]
    skipped: list[str]
    rejected: int


class SentimentChange(msgspec.Struct):
    lead: LeadView
    drafts: DraftPlan


async def change_sentiment(
    workspace_id: uuid.UUID,
    lead_id: uuid.UUID,
    raw_tag: str,
    *,
    viewer_id: uuid.UUID | None = None,
    actor: Actor = SYSTEM,
) -> SentimentChange:
    tag = normalize_tag(raw_tag) if isinstance(raw_tag, str) else None
    if tag is None:
        raise InvalidInput(f"unknown sentiment tag: {raw_tag!r}", code="invalid_sentiment_tag")
    enqueued: list[str] = []
    skipped: list[str] = []
    async with unit_of_work(workspace_id, actor) as uow:
        # The row lock serialises concurrent changes of the same lead, so each sees the others' drafts.
        lead = await get_lead(uow.session, workspace_id, lead_id, lock=True)
        # The lead's own address counts too: a "lead" made from a bounce is a mail server.
        eligible = should_generate_draft(tag, lead.email)
        rejected = await apply_sentiment(uow, lead, tag)
        if eligible:
            inbound = await uow.session.execute(
                select(Message.channel, Message.from_address, Message.is_bounce)
                .where(Message.lead_id == lead.id, Message.direction == "inbound")
                .distinct()
            )
            # A channel whose only inbound messages are bounces has nobody to answer.
            inbound_channels = {
                row.channel for row in inbound if not row.is_bounce and not is_bounce_sender(row.from_address)
            }
            pending = set(
                (
                    await uow.session.scalars(
                        select(Draft.channel).where(Draft.lead_id == lead.id, Draft.status == "pending")
                    )
                ).all()
            )
            for channel in sorted(inbound_channels):
                (skipped if channel in pending else enqueued).append(channel)
            if enqueued:
                uow.enqueue(MANUAL_DRAFTS_ACTOR, lead_id=lead.id, channels=enqueued)
    async with read_session() as session:
        view = await lead_view(session, await get_lead(session, workspace_id, lead_id), viewer_id=viewer_id)
    return SentimentChange(
        lead=view, drafts=DraftPlan(eligible=eligible, enqueued=enqueued, skipped=skipped, rejected=rejected)
    )
