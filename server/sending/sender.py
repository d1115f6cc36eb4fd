"""Send one outbound message through its channel's provider: claim, call, record (API.md, "Sending").

The send actor (server/sending/tasks.py) calls `send_message` with the message id and the attempt the job
was queued for. Nothing here runs inside a transaction while the provider is called.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import select

from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import Lead, Message
from server.core.jobs import SEND_MESSAGE_ACTOR
from server.core.logging import get_logger
from server.core.settings import get_settings
from server.core.unit_of_work import unit_of_work
from server.integrations import service as integrations
from server.integrations.clients import emailbison, gohighlevel, unipile
from server.integrations.clients.credentials import Credentials
from server.integrations.clients.transport import ProviderFailure, Sent
from server.integrations.rate_limit import wait_for_slot
from server.sending.delivery import (
    FAILED,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER_S,
    NOT_SENT,
    QUEUED,
    SENDING,
    SENT,
    UNKNOWN,
    later,
    move,
    retry_delay_s,
)

log = get_logger(__name__)

# The longest a provider call can take (connect 5 s + write 10 s + read 30 s, with margin): a message
# `sending` for longer has no call in flight any more; its worker died during the call.
CALL_BUDGET: Final = timedelta(seconds=60)


# Between taking a rate-limit slot and the provider receiving the call: the claim, the connection.
SLOT_MARGIN_S: Final = 1.0


class MissingThread(Exception):
    """The provider needs a thread reference the lead's inbound messages never gave us."""


async def send_message(message_id: uuid.UUID, attempt: int) -> str:
    """Returns the delivery status the message is left in (for the log)."""
    async with read_session() as session:
        message = await session.get(Message, message_id)
    if message is None or message.direction != "outbound" or message.delivery_status is None:
        return "not_found"
    workspace_id = message.workspace_id
    if message.delivery_status == SENDING:
        return await _interrupted(workspace_id, message)
    if message.delivery_status != QUEUED or message.delivery_attempts != attempt:
        return message.delivery_status  # a stale or duplicate job: the delivery moved on without it
    provider = message.delivery_provider or ""
    credentials = await integrations.credentials(workspace_id, provider)
    if credentials is not None and provider == gohighlevel.PROVIDER:
        # Wait for the location's turn before claiming: a message waiting for its slot is still `queued`,
        # never `sending` with no call in flight. The window is kept a little longer than the provider's,
        # since the call reaches the provider a moment after its slot is taken (the claim comes between).
        settings = get_settings()
        await wait_for_slot(
            f"ghl:{credentials.settings.get('location_id', '')}",
            limit=settings.ghl_rate_limit,
            window_s=settings.ghl_rate_window_s + SLOT_MARGIN_S,
        )
    async with unit_of_work(workspace_id) as uow:
        claimed = await move(
            uow,
            message_id,
            (QUEUED,),
            SENDING,
            extra=(Message.delivery_attempts == attempt, Message.next_attempt_at <= utcnow()),
            delivery_attempts=attempt + 1,
        )
    if claimed is None:
        return "not_claimed"
    if credentials is None:
        return await _not_sent(
            claimed, "integration_not_connected", f"connect {provider} to send on {claimed.channel}"
        )
    try:
        sent = await _call(credentials, claimed)
    except MissingThread as exc:
        return await _not_sent(claimed, "missing_thread", str(exc))
    except ProviderFailure as failure:
        return await _failed(claimed, failure)
    async with unit_of_work(workspace_id) as uow:
        await move(
            uow,
            message_id,
            (SENDING, UNKNOWN),
            SENT,
            provider_message_id=sent.provider_message_id,
            delivery_error_code=None,
            delivery_error=None,
        )
    log.info("message.sent", message_id=str(message_id), provider=provider, attempt=attempt + 1)
    return SENT


async def _interrupted(workspace_id: uuid.UUID, message: Message) -> str:
    """A job that finds its message `sending`: never call again. Once no call can still be in flight the
    message is `unknown`; before that another worker is in its call, and the sweep settles it if it dies."""
    if message.delivery_updated_at is not None and utcnow() - message.delivery_updated_at < CALL_BUDGET:
        return SENDING
    async with unit_of_work(workspace_id) as uow:
        await move(
            uow,
            message.id,
            (SENDING,),
            UNKNOWN,
            delivery_error_code="interrupted",
            delivery_error="the send was interrupted during the provider call; it may have reached the lead",
        )
    log.warning("message.send_interrupted", message_id=str(message.id))
    return UNKNOWN


async def _not_sent(message: Message, code: str, reason: str) -> str:
    async with unit_of_work(message.workspace_id) as uow:
        await move(uow, message.id, (SENDING,), NOT_SENT, delivery_error_code=code, delivery_error=reason)
    log.info("message.not_sent", message_id=str(message.id), code=code)
    return NOT_SENT


async def _failed(message: Message, failure: ProviderFailure) -> str:
    workspace_id, attempts = message.workspace_id, message.delivery_attempts
    retry_after = failure.retry_after_s
    retry = (
        failure.kind == "retry"
        and attempts < MAX_ATTEMPTS
        and (retry_after is None or retry_after <= MAX_RETRY_AFTER_S)
    )
    async with unit_of_work(workspace_id) as uow:
        errors: dict[str, Any] = {"delivery_error_code": failure.code, "delivery_error": failure.message}
        if retry:
            delay = retry_delay_s(attempts, retry_after)
            moved = await move(uow, message.id, (SENDING,), QUEUED, next_attempt_at=later(delay), **errors)
            if moved is not None:  # the sweep requeues it should this job be lost
                uow.enqueue_swept(SEND_MESSAGE_ACTOR, delay_s=delay, message_id=message.id, attempt=attempts)
            status = QUEUED
        elif failure.kind == "unknown":
            await move(uow, message.id, (SENDING,), UNKNOWN, **errors)
            status = UNKNOWN
        else:
            await move(uow, message.id, (SENDING,), FAILED, **errors)
            status = FAILED
    if failure.kind == "unauthorized":
        await integrations.mark_status(workspace_id, message.delivery_provider or "", failure.message)
    log.info(
        "message.send_failed", message_id=str(message.id), code=failure.code, attempt=attempts, left=status
    )
    return status


async def _call(credentials: Credentials, message: Message) -> Sent:
    async with read_session() as session:
        lead = await session.get_one(Lead, message.lead_id)
        latest = await session.scalar(
            select(Message)
            .where(
                Message.lead_id == message.lead_id,
                Message.channel == message.channel,
                Message.direction == "inbound",
                Message.send_ref.is_not(None),
            )
            .order_by(Message.sent_at.desc(), Message.created_at.desc())
            .limit(1)
        )
    ref: dict[str, str] = dict(latest.send_ref or {}) if latest is not None else {}
    if message.channel == "email":
        if not ref.get("reply_id") or not ref.get("sender_email_id"):
            raise MissingThread("no EmailBison reply from this lead to answer yet")
        name = " ".join(part for part in (lead.first_name, lead.last_name) if part) or None
        address = (latest.from_address if latest is not None else None) or lead.email
        if not address:
            raise MissingThread("the lead has no email address")
        subject = message.subject or _reply_subject(latest.subject if latest is not None else None)
        return await emailbison.send_reply(
            credentials,
            reply_id=ref["reply_id"],
            sender_email_id=ref["sender_email_id"],
            to=[(name, address)],
            text=message.body,
            subject=subject,
            cc=list(message.cc or []),
            bcc=list(message.bcc or []),
        )
    if message.channel == "sms":
        contact_id = ref.get("contact_id") or lead.ghl_contact_id
        if not contact_id:
            raise MissingThread("no GoHighLevel contact for this lead yet")
        return await gohighlevel.send_sms(credentials, contact_id=contact_id, text=message.body)
    chat_id = ref.get("chat_id")
    if not chat_id and not lead.linkedin_provider_id:
        raise MissingThread("no Unipile chat or attendee id for this lead yet")
    return await unipile.send_message(
        credentials, chat_id=chat_id, attendee_provider_id=lead.linkedin_provider_id, text=message.body
    )


def _reply_subject(subject: str | None) -> str | None:
    if not subject:
        return None
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"
