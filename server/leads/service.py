"""Reading and editing leads, always inside the caller's workspace."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.service import Principal
from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import Draft, Lead, Message, User
from server.core.errors import Forbidden, InvalidInput, NotFound
from server.core.events import emit_lead_updated
from server.core.identity import normalize_email, normalize_linkedin_url, normalize_phone
from server.core.unit_of_work import unit_of_work
from server.core.views import (
    DraftView,
    LeadView,
    MessageView,
    draft_view,
    lead_view,
    message_view,
)

CHANNELS = ("email", "sms", "linkedin")
TRANSCRIPT_PAGE = 80


class LeadDetail(msgspec.Struct):
    lead: LeadView
    messages: list[MessageView]
    drafts: list[DraftView]


class LeadFields(msgspec.Struct, kw_only=True):
    """Editable fields; absent means unchanged (msgspec.UNSET), null clears."""

    first_name: str | msgspec.UnsetType | None = msgspec.UNSET
    last_name: str | msgspec.UnsetType | None = msgspec.UNSET
    email: str | msgspec.UnsetType | None = msgspec.UNSET
    phone: str | msgspec.UnsetType | None = msgspec.UNSET
    linkedin_url: str | msgspec.UnsetType | None = msgspec.UNSET
    company: str | msgspec.UnsetType | None = msgspec.UNSET
    title: str | msgspec.UnsetType | None = msgspec.UNSET
    assigned_to: str | msgspec.UnsetType | None = msgspec.UNSET
    appointment_booked_at: datetime | msgspec.UnsetType | None = msgspec.UNSET


def check_channel(channel: str | None) -> None:
    if channel is not None and channel not in CHANNELS:
        raise InvalidInput("channel must be email, sms or linkedin", code="invalid_channel")


async def get_lead(
    session: AsyncSession, workspace_id: uuid.UUID, lead_id: uuid.UUID, *, lock: bool = False
) -> Lead:
    query = select(Lead).where(Lead.id == lead_id, Lead.workspace_id == workspace_id)
    lead = await session.scalar(query.with_for_update() if lock else query)
    if lead is None:
        raise NotFound("lead not found")
    return lead


async def lead_detail(
    workspace_id: uuid.UUID, lead_id: uuid.UUID, viewer_id: uuid.UUID | None = None
) -> LeadDetail:
    async with read_session() as session:
        lead = await get_lead(session, workspace_id, lead_id)
        messages = (
            await session.scalars(
                select(Message)
                .where(Message.lead_id == lead.id)
                .order_by(Message.sent_at.desc(), Message.id.desc())
                .limit(TRANSCRIPT_PAGE)
            )
        ).all()
        drafts = (
            await session.scalars(
                select(Draft)
                .where(Draft.lead_id == lead.id, Draft.status == "pending")
                .order_by(Draft.channel)
            )
        ).all()
        return LeadDetail(
            lead=await lead_view(session, lead, viewer_id=viewer_id),
            messages=[message_view(m) for m in reversed(messages)],
            drafts=[draft_view(d) for d in drafts],
        )


async def message_page(
    workspace_id: uuid.UUID, lead_id: uuid.UUID, *, channel: str | None, before: uuid.UUID | None, limit: int
) -> list[MessageView]:
    """Messages older than `before` (or the newest), oldest first within the page."""
    check_channel(channel)
    async with read_session() as session:
        lead = await get_lead(session, workspace_id, lead_id)
        query = select(Message).where(Message.lead_id == lead.id)
        if channel:
            query = query.where(Message.channel == channel)
        if before is not None:
            anchor = await session.scalar(
                select(Message).where(Message.id == before, Message.lead_id == lead.id)
            )
            if anchor is None:
                raise NotFound("message not found")
            query = query.where(
                (Message.sent_at < anchor.sent_at)
                | ((Message.sent_at == anchor.sent_at) & (Message.id < anchor.id))
            )
        rows = (
            await session.scalars(query.order_by(Message.sent_at.desc(), Message.id.desc()).limit(limit))
        ).all()
        return [message_view(m) for m in reversed(rows)]


def _apply_fields(lead: Lead, fields: LeadFields) -> None:
    values: dict[str, Any] = {
        k: v for k, v in msgspec.structs.asdict(fields).items() if v is not msgspec.UNSET
    }
    for name in ("first_name", "last_name", "company", "title"):
        if name in values:
            setattr(lead, name, (values[name] or "").strip() or None)
    if "email" in values:
        email = values["email"]
        lead.email = normalize_email(email) if email else None
        if email and lead.email is None:
            raise InvalidInput("email is not a valid address", code="invalid_email")
    if "phone" in values:
        phone = values["phone"]
        lead.phone_digits = normalize_phone(phone) if phone else None
        if phone and lead.phone_digits is None:
            raise InvalidInput("phone must have at least 7 digits", code="invalid_phone")
        lead.phone = phone.strip() if phone else None
    if "linkedin_url" in values:
        url = values["linkedin_url"]
        lead.linkedin_key = normalize_linkedin_url(url) if url else None
        lead.linkedin_url = url.strip() if url else None
    if "appointment_booked_at" in values:
        lead.appointment_booked_at = values["appointment_booked_at"]
    if "assigned_to" in values:
        lead.assigned_to = (
            _parse_uuid(values["assigned_to"], "assigned_to") if values["assigned_to"] else None
        )


def _parse_uuid(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a user id", code="invalid_input") from None


async def _check_assignee(session: AsyncSession, workspace_id: uuid.UUID, lead: Lead) -> None:
    if lead.assigned_to is None:
        return
    found = await session.scalar(
        select(User.id).where(User.id == lead.assigned_to, User.workspace_id == workspace_id)
    )
    if found is None:
        raise InvalidInput("assigned_to is not a member of this workspace", code="invalid_assignee")


async def create_lead(principal: Principal, fields: LeadFields) -> LeadView:
    workspace_id = principal.workspace_id
    async with unit_of_work(workspace_id, principal.actor) as uow:
        lead = Lead(
            workspace_id=workspace_id, sentiment_tag="New", status="new", channels=[], activity_at=utcnow()
        )
        _apply_fields(lead, fields)
        _check_assigner(principal, None, lead.assigned_to)
        await _check_assignee(uow.session, workspace_id, lead)
        uow.session.add(lead)
        await emit_lead_updated(uow, lead)
    async with read_session() as session:
        lead_now = await get_lead(session, workspace_id, lead.id)
        return await lead_view(session, lead_now, viewer_id=principal.user_id)


async def update_lead(principal: Principal, lead_id: uuid.UUID, fields: LeadFields) -> LeadView:
    workspace_id = principal.workspace_id
    async with unit_of_work(workspace_id, principal.actor) as uow:
        lead = await get_lead(uow.session, workspace_id, lead_id, lock=True)
        before = lead.assigned_to
        _apply_fields(lead, fields)
        if lead.assigned_to != before:
            _check_assigner(principal, before, lead.assigned_to)
        await _check_assignee(uow.session, workspace_id, lead)
        lead.updated_at = utcnow()
        await emit_lead_updated(uow, lead)
    async with read_session() as session:
        lead_now = await get_lead(session, workspace_id, lead_id)
        return await lead_view(session, lead_now, viewer_id=principal.user_id)


def _check_assigner(principal: Principal, before: uuid.UUID | None, after: uuid.UUID | None) -> None:
    """Owners and admins assign anyone; a setter assigns a lead to themselves, or unassigns themselves."""
    if principal.is_admin or after == principal.user_id or (after is None and before == principal.user_id):
        return
    raise Forbidden("setters may only assign leads to themselves or unassign themselves", code="forbidden")
