"""The sending concept's Dramatiq actor. It takes ids, is idempotent (the claim in server/sending/sender.py),
and calls the functions the server calls (docs/ARCHITECTURE.md, "Jobs")."""

from __future__ import annotations

import uuid

import dramatiq

from server.core.broker import get_broker
from server.core.jobs import SEND_MESSAGE_ACTOR
from server.core.logging import get_logger
from server.sending.sender import send_message

get_broker()  # the actor below registers on this broker
log = get_logger(__name__)


# No Dramatiq retries: a send is never repeated blindly. Retryable failures are rescheduled by the sender
# itself (queued again with a delayed job), and a job that dies mid-call is settled by the sweep.
@dramatiq.actor(actor_name=SEND_MESSAGE_ACTOR, time_limit=120_000, max_retries=0)
async def send(message_id: str, attempt: int = 0) -> None:
    status = await send_message(uuid.UUID(message_id), attempt)
    log.info("actor.done", actor=SEND_MESSAGE_ACTOR, message_id=message_id, status=status)
