"""The inbound concept's Dramatiq actor: process one recorded webhook. It takes the event's id, is idempotent,
and calls what a replay and the scheduler's sweep lead to as well (docs/ARCHITECTURE.md, "Jobs")."""

from __future__ import annotations

import uuid

import dramatiq

from server.core.broker import get_broker
from server.core.jobs import INGEST_WEBHOOK_ACTOR, WEBHOOKS_QUEUE
from server.core.logging import get_logger
from server.inbound.processing import MAX_ATTEMPTS, process_event

get_broker()  # the actor below registers on this broker
log = get_logger(__name__)


@dramatiq.actor(
    actor_name=INGEST_WEBHOOK_ACTOR,
    queue_name=WEBHOOKS_QUEUE,
    time_limit=120_000,
    max_retries=MAX_ATTEMPTS,
    min_backoff=500,
    max_backoff=30_000,
)
async def ingest_webhook(webhook_event_id: str) -> None:
    outcome = await process_event(uuid.UUID(webhook_event_id))
    log.info(
        "actor.done", actor=INGEST_WEBHOOK_ACTOR, webhook_event_id=webhook_event_id, status=outcome.status
    )
