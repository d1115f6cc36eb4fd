"""A lead's conversation loaded from the database in the shape the prompts take (`server.ai.transcript`)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.ai.transcript import LeadContext, TranscriptMessage, transcript_message
from server.core.db.models import Lead, Message


async def load_transcript(
    session: AsyncSession, lead_id: uuid.UUID, *, limit: int = 80
) -> list[TranscriptMessage]:
    """The lead's last `limit` messages across all channels, oldest first."""
    rows = (
        await session.scalars(
            select(Message)
            .where(Message.lead_id == lead_id)
            .order_by(Message.sent_at.desc(), Message.id.desc())
            .limit(limit)
        )
    ).all()
    return [transcript_message(m) for m in reversed(rows)]


def lead_context(lead: Lead) -> LeadContext:
    return LeadContext(
        first_name=lead.first_name,
        last_name=lead.last_name,
        company=lead.company,
        email=lead.email,
        sentiment_tag=lead.sentiment_tag,
        appointment_booked=lead.appointment_booked_at is not None,
    )
