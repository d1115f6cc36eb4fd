"""What setters do with drafts: edit, reject, approve (send), or ask for a new one."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select

from server.accounts.service import Principal
from server.core.actors import SYSTEM, Actor
from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import Draft, Message
from server.core.errors import Conflict, InvalidInput, NotFound
from server.core.events import (
    DRAFT_APPROVED,
    DRAFT_REJECTED,
    DRAFT_UPDATED,
    emit_draft,
    emit_lead_updated,
)
from server.core.jobs import ON_DEMAND_ACTOR
from server.core.unit_of_work import UnitOfWork, unit_of_work
from server.core.views import DraftView, MessageView, draft_view, message_view, to_data
from server.leads.service import check_channel, get_lead
from server.sending.outbound import record_outbound

DRAFT_STATUSES = ("pending", "approved", "rejected", "superseded")


class Approval(msgspec.Struct):
    draft: DraftView
    message: MessageView


async def _locked_draft(uow: UnitOfWork, draft_id: uuid.UUID) -> Draft:
    draft = await uow.session.scalar(
        select(Draft).where(Draft.id == draft_id, Draft.workspace_id == uow.workspace_id).with_for_update()
    )
    if draft is None:
        raise NotFound("draft not found")
    return draft


def _require_pending(draft: Draft) -> None:
    if draft.status != "pending":
        raise Conflict(f"the draft is {draft.status}, not pending", code="draft_not_pending")


async def get_draft(workspace_id: uuid.UUID, draft_id: uuid.UUID) -> DraftView:
    async with read_session() as session:
        draft = await session.scalar(
            select(Draft).where(Draft.id == draft_id, Draft.workspace_id == workspace_id)
        )
        if draft is None:
            raise NotFound("draft not found")
        return draft_view(draft)


async def list_drafts(
    workspace_id: uuid.UUID, lead_id: uuid.UUID, *, status: str | None, channel: str | None
) -> list[DraftView]:
    check_channel(channel)
    if status is not None and status not in DRAFT_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(DRAFT_STATUSES)}", code="invalid_status")
    async with read_session() as session:
        lead = await get_lead(session, workspace_id, lead_id)
        query = select(Draft).where(Draft.lead_id == lead.id)
        if status:
            query = query.where(Draft.status == status)
        if channel:
            query = query.where(Draft.channel == channel)
        rows = (await session.scalars(query.order_by(Draft.created_at.desc()).limit(200))).all()
        return [draft_view(d) for d in rows]


async def edit_draft(
    workspace_id: uuid.UUID, draft_id: uuid.UUID, *, content: str, version: int, actor: Actor = SYSTEM
) -> DraftView:
    async with unit_of_work(workspace_id, actor) as uow:
        draft = await _locked_draft(uow, draft_id)
        _require_pending(draft)
        if draft.version != version:
            raise Conflict(
                f"the draft changed since version {version}; it is now version {draft.version}",
                code="version_conflict",
            )
        draft.content = content
        draft.version += 1
        draft.updated_at = utcnow()
        emit_draft(uow, DRAFT_UPDATED, draft)
    return draft_view(draft)


async def reject_draft(workspace_id: uuid.UUID, draft_id: uuid.UUID, *, actor: Actor = SYSTEM) -> DraftView:
    async with unit_of_work(workspace_id, actor) as uow:
        draft = await _locked_draft(uow, draft_id)
        _require_pending(draft)
        draft.status = "rejected"
        draft.updated_at = utcnow()
        emit_draft(uow, DRAFT_REJECTED, draft)
        lead = await get_lead(uow.session, workspace_id, draft.lead_id)
        await emit_lead_updated(uow, lead)
    return draft_view(draft)


async def approve_draft(
    principal: Principal, draft_id: uuid.UUID, *, content: str | None, force: bool
) -> Approval:
    """Send the draft: record the outbound message on its channel and close the draft."""
    workspace_id = principal.workspace_id
    async with unit_of_work(workspace_id, principal.actor) as uow:
        draft = await _locked_draft(uow, draft_id)
        lead = await get_lead(uow.session, workspace_id, draft.lead_id, lock=True)
        _require_pending(draft)
        if not force and await _newer_inbound(uow, draft):
            raise Conflict(
                "the lead wrote again after this draft was written; review it or send with force",
                code="newer_inbound_message",
            )
        final = content if content is not None else draft.content
        if not final.strip():
            raise InvalidInput("content must not be empty", code="empty_content")
        now = utcnow()
        draft.status = "approved"
        # Against the AI's own text, however the edits were saved (autosave included).
        edited = _normalized(final) != _normalized(draft.ai_content or draft.content)
        draft.disposition = "EDITED" if edited else "APPROVED"
        draft.content = final
        draft.approved_by, draft.approved_by_name = principal.user_id, principal.name
        draft.updated_at = now
        message = await record_outbound(
            uow,
            lead,
            channel=draft.channel,
            body=final,
            subject=draft.subject,
            sent_by="setter" if edited else "ai",
            author=principal,
            draft_id=draft.id,
        )
        emit_draft(uow, DRAFT_APPROVED, draft, message=to_data(message_view(message)))
        await emit_lead_updated(uow, lead)
    return Approval(draft=draft_view(draft), message=message_view(message))


def _normalized(text: str) -> str:
    return " ".join(text.split())


async def _newer_inbound(uow: UnitOfWork, draft: Draft) -> bool:
    query = select(Message.id).where(
        Message.lead_id == draft.lead_id, Message.channel == draft.channel, Message.direction == "inbound"
    )
    if draft.trigger_message_id is not None:
        trigger = await uow.session.get(Message, draft.trigger_message_id)
        if trigger is not None:
            query = query.where(Message.sent_at > trigger.sent_at, Message.id != trigger.id)
        else:
            query = query.where(Message.created_at > draft.created_at)
    else:
        query = query.where(Message.created_at > draft.created_at)
    return (await uow.session.scalar(query.limit(1))) is not None


async def request_draft(
    workspace_id: uuid.UUID, lead_id: uuid.UUID, channel: str, *, actor: Actor = SYSTEM
) -> None:
    """Generate (or regenerate) a draft for the channel now, in a worker."""
    check_channel(channel)
    async with unit_of_work(workspace_id, actor) as uow:
        lead = await get_lead(uow.session, workspace_id, lead_id)
        uow.enqueue(ON_DEMAND_ACTOR, lead_id=lead.id, channel=channel, source="on_demand")
