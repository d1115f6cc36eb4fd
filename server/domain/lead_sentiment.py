"""Changing a lead's sentiment: tag, status, booked time, and rejecting drafts an ineligible tag voids."""

from __future__ import annotations

from sqlalchemy import select

from server.db.base import utcnow
from server.db.models import Draft, Lead
from server.domain.events import DRAFT_REJECTED, emit_draft, emit_lead_updated, emit_sentiment_changed
from server.domain.sentiment import DRAFT_ELIGIBLE_TAGS, status_for_tag
from server.domain.unit_of_work import UnitOfWork


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
