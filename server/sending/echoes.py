"""Echoes: the providers report the messages we send as webhooks too (GoHighLevel `OutboundMessage`, Unipile
`message_received` with `is_sender`, EmailBison `MANUAL_EMAIL_SENT`). An echo is the same message: it confirms
the delivery (`sent`, also for an `unknown` one) and never adds a second message (API.md, "Sending").

Matched by the provider's message id when the send's answer gave one, else by lead, channel and the same text
(whitespace-normalized, HTML stripped) within 10 minutes of a message of ours still on its way or sent.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Final

from sqlalchemy import select

from server.core.db.base import utcnow
from server.core.db.models import Message
from server.core.text_cleaning import html_to_text
from server.core.unit_of_work import UnitOfWork
from server.sending.delivery import NOT_SENT, QUEUED, SENDING, SENT, UNKNOWN, move

ECHO_WINDOW: Final = timedelta(minutes=10)
# A message of ours in these states may be what the provider reports. `queued` too: a retry scheduled after
# an answer we did not get (a 5xx) is cancelled by the echo, so the lead never gets it twice.
_ECHOABLE: Final = (QUEUED, SENDING, UNKNOWN, SENT)


def same_text(text: str) -> str:
    """What two renderings of one message have in common: the words, without markup or spacing."""
    plain = html_to_text(text) if "<" in text and ">" in text else text
    return " ".join(plain.split()).casefold()


async def confirm_echo(
    uow: UnitOfWork,
    lead_id: uuid.UUID,
    channel: str,
    provider_message_id: str | None,
    body: str,
) -> uuid.UUID | None:
    """The id of our message this outbound webhook reports, its delivery confirmed `sent`; None when it is not
    one of ours (a message a setter sent from the provider's own inbox, a campaign email)."""
    ours = None
    if provider_message_id:
        ours = await uow.session.scalar(
            select(Message).where(
                Message.workspace_id == uow.workspace_id,
                Message.channel == channel,
                Message.provider_message_id == provider_message_id,
                Message.delivery_status.is_not(None),
            )
        )
    if ours is None:
        candidates = await uow.session.scalars(
            select(Message)
            .where(
                Message.lead_id == lead_id,
                Message.channel == channel,
                Message.direction == "outbound",
                Message.delivery_status.in_(_ECHOABLE),
                Message.created_at >= utcnow() - ECHO_WINDOW,
            )
            .order_by(Message.created_at)
        )
        wanted = same_text(body)
        ours = next((m for m in candidates if same_text(m.body) == wanted), None)
    if ours is None:
        return None
    if ours.delivery_status != SENT and ours.delivery_status != NOT_SENT:
        await move(
            uow,
            ours.id,
            _ECHOABLE[:-1],
            SENT,
            provider_message_id=ours.provider_message_id or provider_message_id,
            delivery_error_code=None,
            delivery_error=None,
            next_attempt_at=None,
        )
    return ours.id
