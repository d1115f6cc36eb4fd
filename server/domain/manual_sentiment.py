"""A setter sets a lead's sentiment by hand.

Eligible tag: every channel with inbound history gets a draft unless it already has a pending one; the
generation runs in a worker (never on the request). Ineligible tag: the lead's pending drafts are rejected.
The tag change itself always succeeds, whatever generation later does.
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select

from server.db.engine import session_factory
from server.db.models import Draft, Message
from server.domain.errors import InvalidInput
from server.domain.lead_sentiment import apply_sentiment
from server.domain.leads import get_lead
from server.domain.sentiment import normalize_tag, should_generate_draft
from server.domain.unit_of_work import unit_of_work
from server.domain.views import LeadView, lead_view

MANUAL_DRAFTS_ACTOR = "drafts.generate_for_sentiment"


class DraftPlan(msgspec.Struct):
    eligible: bool
    enqueued: list[str]
    skipped: list[str]
    rejected: int


class SentimentChange(msgspec.Struct):
    lead: LeadView
    drafts: DraftPlan


async def change_sentiment(workspace_id: uuid.UUID, lead_id: uuid.UUID, raw_tag: str) -> SentimentChange:
    tag = normalize_tag(raw_tag) if isinstance(raw_tag, str) else None
    if tag is None:
        raise InvalidInput(f"unknown sentiment tag: {raw_tag!r}", code="invalid_sentiment_tag")
    eligible = should_generate_draft(tag)
    enqueued: list[str] = []
    skipped: list[str] = []
    async with unit_of_work(workspace_id) as uow:
        # The row lock serialises concurrent changes of the same lead, so each sees the others' drafts.
        lead = await get_lead(uow.session, workspace_id, lead_id, lock=True)
        rejected = await apply_sentiment(uow, lead, tag)
        if eligible:
            inbound_channels = (
                await uow.session.scalars(
                    select(Message.channel)
                    .where(Message.lead_id == lead.id, Message.direction == "inbound")
                    .distinct()
                )
            ).all()
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
    async with session_factory()() as session:
        view = await lead_view(session, await get_lead(session, workspace_id, lead_id))
    return SentimentChange(
        lead=view, drafts=DraftPlan(eligible=eligible, enqueued=enqueued, skipped=skipped, rejected=rejected)
    )
