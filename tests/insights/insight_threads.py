"""Booked leads with conversations, written straight to the database, for the insight tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from server.core.db.base import utcnow
from server.core.db.engine import session_factory
from server.core.db.models import Event, Insight, InsightFailure, Lead, Message

START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)

# (sent_by, body), oldest first: an opener, a pricing objection, an answer with a concrete time, a booking.
BOOKED_THREAD: list[tuple[str, str]] = [
    (
        "provider",
        "Hi Dana, saw Acme Roofing is hiring estimators. Worth a quick chat about more booked jobs?",
    ),
    ("lead", "Maybe. What does it cost? We don't have much budget this quarter."),
    (
        "setter",
        "Fair question. Pricing depends on volume, and most teams start small. "
        "Would a 15-minute call on Thursday at 2pm work to see if it fits?",
    ),
    ("lead", "Thursday 2pm works. I booked it in your calendar."),
]


def long_thread(count: int) -> list[tuple[str, str]]:
    return [
        (
            "lead" if i % 2 else "setter",
            f"Message {i}: following up on the roofing estimates and the crew schedule for next season, "
            f"with the numbers we talked about on the last call (item {i}).",
        )
        for i in range(count)
    ]


async def booked_lead(
    workspace_id: str | uuid.UUID,
    thread: list[tuple[str, str]],
    *,
    first_name: str = "Dana",
    company: str = "Acme Roofing",
    booked: bool = True,
) -> uuid.UUID:
    workspace = uuid.UUID(str(workspace_id))
    async with session_factory()() as session:
        lead = Lead(
            workspace_id=workspace,
            first_name=first_name,
            last_name="Reyes",
            company=company,
            email=f"{uuid.uuid4().hex[:10]}@prospect.io",
            sentiment_tag="Meeting Booked" if booked else "Interested",
            status="meeting-booked" if booked else "qualified",
            channels=["email"],
            appointment_booked_at=START + timedelta(days=3) if booked else None,
        )
        session.add(lead)
        await session.flush()
        for index, (sent_by, body) in enumerate(thread):
            session.add(_message(lead, sent_by, body, START + timedelta(minutes=10 * index)))
        await session.commit()
        return lead.id


async def add_message(lead_id: uuid.UUID, sent_by: str, body: str) -> None:
    async with session_factory()() as session:
        lead = await session.get_one(Lead, lead_id)
        session.add(_message(lead, sent_by, body, utcnow()))
        await session.commit()


def _message(lead: Lead, sent_by: str, body: str, at: datetime) -> Message:
    return Message(
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        channel="email",
        direction="inbound" if sent_by == "lead" else "outbound",
        sent_by=sent_by,
        subject="Re: booked jobs",
        body=body,
        to=[],
        cc=[],
        bcc=[],
        sent_at=at,
        dedupe_key=uuid.uuid4().hex,
        post_processed_at=at,
    )


async def stored_insight(lead_id: uuid.UUID) -> Insight | None:
    async with session_factory()() as session:
        return await session.scalar(select(Insight).where(Insight.lead_id == lead_id))


async def stored_failure(lead_id: uuid.UUID) -> InsightFailure | None:
    async with session_factory()() as session:
        return await session.scalar(select(InsightFailure).where(InsightFailure.lead_id == lead_id))


async def insight_events(lead_id: uuid.UUID) -> list[Event]:
    async with session_factory()() as session:
        query = select(Event).where(Event.lead_id == lead_id, Event.type == "insight.updated")
        return list((await session.scalars(query.order_by(Event.id))).all())


async def insight_count(lead_id: uuid.UUID) -> int:
    async with session_factory()() as session:
        return int(await session.scalar(select(func.count()).where(Insight.lead_id == lead_id)) or 0)
