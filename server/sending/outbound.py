"""Record an outbound reply and queue its send: an approved draft, or a setter's own words (API.md,
"Sending"). The message exists (delivery `queued`) the moment the transaction commits; the send follows."""

from __future__ import annotations

import uuid

from server.accounts.service import Principal
from server.core.db.base import utcnow
from server.core.db.models import Lead, Message
from server.core.errors import InvalidInput
from server.core.events import emit_lead_updated, emit_message_created
from server.core.unit_of_work import UnitOfWork, unit_of_work
from server.core.views import MessageView, message_view
from server.leads.service import check_channel, get_lead
from server.sending.delivery import queue_outbound

MAX_REPLY_LENGTH = 20_000


async def record_outbound(
    uow: UnitOfWork,
    lead: Lead,
    *,
    channel: str,
    body: str,
    subject: str | None,
    sent_by: str,
    author: Principal,
    draft_id: uuid.UUID | None = None,
) -> Message:
    """In the caller's transaction: the outbound message, its events, the lead's activity and the send
    job."""
    now = utcnow()
    message = Message(
        id=uuid.uuid4(),
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        channel=channel,
        direction="outbound",
        sent_by=sent_by,
        subject=subject if channel == "email" else None,
        body=body,
        html=None,
        from_address=None,
        to=[lead.email] if channel == "email" and lead.email else [],
        cc=[],
        bcc=[],
        sent_at=now,
        draft_id=draft_id,
        dedupe_key=f"draft:{draft_id}" if draft_id else f"outbound:{uuid.uuid4()}",
        post_processed_at=now,
        sent_by_user_id=author.user_id,
        sent_by_user_name=author.name,
    )
    queue_outbound(uow, message)
    uow.session.add(message)
    await uow.session.flush()
    if channel not in (lead.channels or []):
        lead.channels = [*(lead.channels or []), channel]
    lead.last_message_at = now
    lead.activity_at = now
    emit_message_created(uow, message)
    return message


async def write_reply(
    principal: Principal, lead_id: uuid.UUID, *, channel: str, content: str, subject: str | None
) -> MessageView:
    """A setter's own reply on a channel the lead has used, sent like an approved draft."""
    check_channel(channel)
    if not content.strip():
        raise InvalidInput("content must not be empty", code="empty_content")
    if len(content) > MAX_REPLY_LENGTH:
        raise InvalidInput(f"content is longer than {MAX_REPLY_LENGTH} characters", code="content_too_long")
    async with unit_of_work(principal.workspace_id, principal.actor) as uow:
        lead = await get_lead(uow.session, principal.workspace_id, lead_id, lock=True)
        if channel not in (lead.channels or []):
            raise InvalidInput(f"the lead has never used {channel}", code="channel_not_used")
        message = await record_outbound(
            uow, lead, channel=channel, body=content, subject=subject, sent_by="setter", author=principal
        )
        await emit_lead_updated(uow, lead)
    return message_view(message)
