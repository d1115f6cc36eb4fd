"""An outbound message's delivery: a small state machine in PostgreSQL, moved only by conditional updates
(API.md, "Sending"; docs/ARCHITECTURE.md, Invariant 11).

    queued → sending → sent | failed | unknown        not_sent: no connected provider, or no thread to answer

`sending` is claimed before the provider is called, so a job delivered twice finds the claim and never calls
again; `unknown` (the call may have reached the provider) is never retried automatically. Each change appends
`message.updated` in the same transaction.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, select, update

from server.core.actors import SYSTEM, Actor
from server.core.db.base import utcnow
from server.core.db.models import Message
from server.core.errors import Conflict, NotFound
from server.core.events import emit_message_updated
from server.core.jobs import SEND_MESSAGE_ACTOR
from server.core.settings import get_settings
from server.core.unit_of_work import UnitOfWork, unit_of_work
from server.integrations.service import PROVIDER_OF_CHANNEL

QUEUED: Final = "queued"
SENDING: Final = "sending"
SENT: Final = "sent"
FAILED: Final = "failed"
UNKNOWN: Final = "unknown"
NOT_SENT: Final = "not_sent"
# Attempts of one send before a retryable failure (429, 5xx, connection refused) is final: at least 3 within
# 10 minutes (API.md); with a 5 s base and jitter the 4th runs about a minute after the first.
MAX_ATTEMPTS: Final = 4
# A Retry-After longer than this is not waited for: the message fails and a setter may send it again.
MAX_RETRY_AFTER_S: Final = 300.0


def queue_outbound(uow: UnitOfWork, message: Message) -> None:
    """In the transaction that records an outbound message: mark it queued and queue its send (outbox)."""
    now = utcnow()
    message.delivery_status = QUEUED
    message.delivery_provider = PROVIDER_OF_CHANNEL.get(message.channel)
    message.delivery_attempts = 0
    message.delivery_updated_at = now
    message.next_attempt_at = now
    uow.enqueue(SEND_MESSAGE_ACTOR, message_id=message.id, attempt=0)


def retry_delay_s(attempts: int, retry_after_s: float | None) -> float:
    """Exponential backoff with jitter from SEND_RETRY_BASE_S, never sooner than the provider's
    Retry-After."""
    base = get_settings().send_retry_base_s * (3 ** max(0, attempts - 1))
    delay = base * random.uniform(1.0, 1.5)
    return max(delay, retry_after_s or 0.0)


async def move(
    uow: UnitOfWork,
    message_id: uuid.UUID,
    from_statuses: tuple[str, ...],
    to_status: str,
    *,
    extra: tuple[ColumnElement[bool], ...] = (),
    **values: Any,
) -> Message | None:
    """The one way a delivery changes: only from `from_statuses` (and the `extra` conditions); returns the
    message, or None when it was not in one of them (another worker, a sweep or an echo moved it first)."""
    now = utcnow()
    moved = await uow.session.scalars(
        update(Message)
        .where(
            Message.id == message_id,
            Message.workspace_id == uow.workspace_id,
            Message.delivery_status.in_(from_statuses),
            *extra,
        )
        .values(delivery_status=to_status, delivery_updated_at=now, **values)
        .returning(Message)
        .execution_options(populate_existing=True)
    )
    message = moved.one_or_none()
    if message is not None:
        emit_message_updated(uow, message)
    return message


async def send_again(
    workspace_id: uuid.UUID, message_id: uuid.UUID, *, confirm_unknown: bool, actor: Actor = SYSTEM
) -> Message:
    """A setter's explicit "Send again": a failed message, or an unknown one with confirmation."""
    allowed = (FAILED, UNKNOWN) if confirm_unknown else (FAILED,)
    async with unit_of_work(workspace_id, actor) as uow:
        now = utcnow()
        message = await move(
            uow,
            message_id,
            allowed,
            QUEUED,
            delivery_attempts=0,
            delivery_error_code=None,
            delivery_error=None,
            next_attempt_at=now,
        )
        if message is None:
            exists = await uow.session.scalar(
                select(Message.delivery_status).where(
                    Message.id == message_id, Message.workspace_id == workspace_id
                )
            )
            if exists is None:
                raise NotFound("no such message")
            if exists == UNKNOWN:
                raise Conflict(
                    "this message may already have reached the lead; send again with confirm_unknown",
                    code="not_retryable",
                )
            raise Conflict(f"a message that is {exists} cannot be sent again", code="not_retryable")
        uow.enqueue(SEND_MESSAGE_ACTOR, message_id=message.id, attempt=0)
    return message


def later(seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=seconds)
