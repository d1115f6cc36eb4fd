"""How leads, messages, drafts and insights look to clients: the same shapes in REST answers and in events."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import msgspec
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from server.core.db.models import Draft, Insight, InsightFailure, Lead, Message
from server.core.db.plain_sql import PlainStatement


class DraftFailureView(msgspec.Struct):
    channel: str
    reason: str
    at: datetime


class LeadView(msgspec.Struct):
    id: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    linkedin_url: str | None
    company: str | None
    title: str | None
    sentiment_tag: str
    status: str
    assigned_to: str | None
    last_message_at: datetime | None
    last_inbound_at: datetime | None
    appointment_booked_at: datetime | None
    created_at: datetime
    channels: list[str]
    pending_draft_channels: list[str]
    draft_failures: list[DraftFailureView]
    # Inbound messages newer than what the caller has read; null in events, which every teammate receives:
    # clients count inbound `message.created` and clear on their own `lead.read`.
    unread_count: int | None = None


class UserRef(msgspec.Struct):
    id: str
    name: str | None


class DeliveryError(msgspec.Struct):
    code: str
    message: str | None


class DeliveryView(msgspec.Struct):
    """An outbound message we send (API.md, "Sending")."""

    status: str  # queued | sending | sent | failed | unknown | not_sent
    provider: str | None
    provider_message_id: str | None
    error: DeliveryError | None
    attempts: int
    updated_at: datetime | None


class MessageView(msgspec.Struct, rename={"from_": "from"}):
    id: str
    lead_id: str
    channel: str
    direction: str
    subject: str | None
    body: str
    html: str | None
    from_: str | None
    to: list[str]
    cc: list[str]
    bcc: list[str]
    sent_at: datetime
    sent_by: str
    draft_id: str | None
    sent_by_user: UserRef | None = None
    delivery: DeliveryView | None = None


class DraftView(msgspec.Struct):
    id: str
    lead_id: str
    channel: str
    status: str
    content: str
    subject: str | None
    trigger_message_id: str | None
    source: str
    version: int
    disposition: str | None
    model: str | None
    provider: str | None
    created_at: datetime
    updated_at: datetime
    ai_content: str | None = None  # the AI's own text, as it wrote it
    approved_by: UserRef | None = None


class InsightView(msgspec.Struct):
    lead_id: str
    first_name: str | None
    last_name: str | None
    company: str | None
    appointment_booked_at: datetime | None
    outcome: str
    insight: dict[str, Any]
    model: str
    source: str
    computed_at: datetime


class InsightFailureView(msgspec.Struct):
    lead_id: str
    first_name: str | None
    last_name: str | None
    company: str | None
    category: str
    permanent: bool
    attempts: int
    failed_at: datetime


def _sid(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def message_view(m: Message | Row[Any]) -> MessageView:
    return MessageView(
        id=str(m.id),
        lead_id=str(m.lead_id),
        channel=m.channel,
        direction=m.direction,
        subject=m.subject,
        body=m.body,
        html=m.html,
        from_=m.from_address,
        to=list(m.to or []),
        cc=list(m.cc or []),
        bcc=list(m.bcc or []),
        sent_at=m.sent_at,
        sent_by=m.sent_by,
        draft_id=_sid(m.draft_id),
        sent_by_user=_user(getattr(m, "sent_by_user_id", None), getattr(m, "sent_by_user_name", None)),
        delivery=_delivery(m),
    )


def _user(user_id: uuid.UUID | None, name: str | None) -> UserRef | None:
    return UserRef(id=str(user_id), name=name) if user_id is not None else None


def _delivery(m: Message | Row[Any]) -> DeliveryView | None:
    """Only outbound messages we send have one; rows of the inbound hot path carry no delivery columns."""
    status = getattr(m, "delivery_status", None)
    if status is None:
        return None
    code = m.delivery_error_code
    return DeliveryView(
        status=status,
        provider=m.delivery_provider,
        provider_message_id=m.provider_message_id,
        error=DeliveryError(code=code, message=m.delivery_error) if code else None,
        attempts=m.delivery_attempts,
        updated_at=m.delivery_updated_at,
    )


def draft_view(d: Draft) -> DraftView:
    return DraftView(
        id=str(d.id),
        lead_id=str(d.lead_id),
        channel=d.channel,
        status=d.status,
        content=d.content,
        subject=d.subject,
        trigger_message_id=_sid(d.trigger_message_id),
        source=d.source,
        version=d.version,
        disposition=d.disposition,
        model=d.model,
        provider=d.provider,
        created_at=d.created_at,
        updated_at=d.updated_at,
        ai_content=d.ai_content,
        approved_by=_user(d.approved_by, d.approved_by_name),
    )


def insight_view(insight: Insight, lead: Lead) -> InsightView:
    return InsightView(
        lead_id=str(lead.id),
        first_name=lead.first_name,
        last_name=lead.last_name,
        company=lead.company,
        appointment_booked_at=lead.appointment_booked_at,
        outcome=insight.outcome,
        insight=insight.insight,
        model=insight.model,
        source=insight.source,
        computed_at=insight.computed_at,
    )


def insight_failure_view(failure: InsightFailure, lead: Lead) -> InsightFailureView:
    return InsightFailureView(
        lead_id=str(lead.id),
        first_name=lead.first_name,
        last_name=lead.last_name,
        company=lead.company,
        category=failure.category,
        permanent=failure.permanent,
        attempts=failure.attempts,
        failed_at=failure.failed_at,
    )


# The leads' pending-draft channels (reason NULL) and draft failures, in one round trip.
_PENDING_AND_FAILED: Final = PlainStatement(
    """
    SELECT lead_id, channel, NULL AS reason, NULL AS at FROM drafts
    WHERE lead_id = ANY(CAST(:ids AS uuid[])) AND status = 'pending'
    UNION ALL
    SELECT lead_id, channel, reason, at FROM draft_failures WHERE lead_id = ANY(CAST(:ids AS uuid[]))
    """
)


# Per lead, the viewer's unread inbound messages (those newer than what they read, all when never read).
_UNREAD: Final = PlainStatement(
    """
    SELECT m.lead_id, count(*) AS unread FROM messages m
    LEFT JOIN lead_reads r ON r.lead_id = m.lead_id AND r.user_id = CAST(:viewer AS uuid)
    WHERE m.lead_id = ANY(CAST(:ids AS uuid[])) AND m.direction = 'inbound'
      AND (r.read_at IS NULL OR m.created_at > r.read_at)
    GROUP BY m.lead_id
    """
)


async def lead_views(
    session: AsyncSession,
    leads: Sequence[Lead | Row[Any]],
    *,
    are_new: bool = False,
    viewer_id: uuid.UUID | None = None,
) -> list[LeadView]:
    """Lead views with their pending-draft channels and failures, in two queries for any number of leads
    (none for leads created in the caller's transaction)."""
    ids = [] if are_new else [lead.id for lead in leads]
    pending: dict[uuid.UUID, list[str]] = defaultdict(list)
    failures: dict[uuid.UUID, list[DraftFailureView]] = defaultdict(list)
    unread: dict[uuid.UUID, int] | None = None
    if viewer_id is not None:
        params = {"viewer": viewer_id, "ids": [lead.id for lead in leads]}
        unread = {row.lead_id: row.unread for row in await _UNREAD.fetch(session, params)}
    if ids:
        for row in await _PENDING_AND_FAILED.fetch(session, {"ids": ids}):
            if row.reason is None:
                pending[row.lead_id].append(row.channel)
            else:
                failures[row.lead_id].append(
                    DraftFailureView(channel=row.channel, reason=row.reason, at=row.at)
                )
    return [
        LeadView(
            id=str(lead.id),
            first_name=lead.first_name,
            last_name=lead.last_name,
            email=lead.email,
            phone=lead.phone,
            linkedin_url=lead.linkedin_url,
            company=lead.company,
            title=lead.title,
            sentiment_tag=lead.sentiment_tag,
            status=lead.status,
            assigned_to=_sid(lead.assigned_to),
            last_message_at=lead.last_message_at,
            last_inbound_at=lead.last_inbound_at,
            appointment_booked_at=lead.appointment_booked_at,
            created_at=lead.created_at,
            channels=sorted(lead.channels or []),
            pending_draft_channels=sorted(pending.get(lead.id, [])),
            draft_failures=sorted(failures.get(lead.id, []), key=lambda f: f.channel),
            unread_count=None if unread is None else unread.get(lead.id, 0),
        )
        for lead in leads
    ]


async def lead_view(
    session: AsyncSession, lead: Lead | Row[Any], *, is_new: bool = False, viewer_id: uuid.UUID | None = None
) -> LeadView:
    return (await lead_views(session, [lead], are_new=is_new, viewer_id=viewer_id))[0]


def to_data(value: Any) -> Any:
    """A view as plain JSON-ready data (for event rows)."""
    return msgspec.to_builtins(value)
