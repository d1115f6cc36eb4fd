"""The drafts concept's Dramatiq actors. Each takes ids, is idempotent, and calls the functions the server
calls (docs/ARCHITECTURE.md, "Jobs")."""

from __future__ import annotations

import uuid

import dramatiq

from server.core.broker import get_broker
from server.core.jobs import MANUAL_DRAFTS_ACTOR, ON_DEMAND_ACTOR, POST_PROCESS_ACTOR
from server.core.logging import get_logger
from server.drafts.generation import generate_draft, generate_for_channels
from server.drafts.post_processing import post_process_message

get_broker()  # the actors below register on this broker
log = get_logger(__name__)


@dramatiq.actor(
    actor_name=POST_PROCESS_ACTOR, time_limit=180_000, max_retries=5, min_backoff=1_000, max_backoff=60_000
)
async def post_process(message_id: str) -> None:
    outcome = await post_process_message(uuid.UUID(message_id))
    log.info("actor.done", actor=POST_PROCESS_ACTOR, message_id=message_id, status=outcome.status)


@dramatiq.actor(
    actor_name=MANUAL_DRAFTS_ACTOR, time_limit=180_000, max_retries=5, min_backoff=1_000, max_backoff=60_000
)
async def generate_for_sentiment(lead_id: str, channels: list[str]) -> None:
    outcomes = await generate_for_channels(uuid.UUID(lead_id), channels, source="manual_sentiment")
    log.info("actor.done", actor=MANUAL_DRAFTS_ACTOR, lead_id=lead_id, outcomes=[o.status for o in outcomes])


@dramatiq.actor(
    actor_name=ON_DEMAND_ACTOR, time_limit=180_000, max_retries=5, min_backoff=1_000, max_backoff=60_000
)
async def generate(lead_id: str, channel: str, source: str = "on_demand") -> None:
    outcome = await generate_draft(uuid.UUID(lead_id), channel, source="on_demand")
    log.info("actor.done", actor=ON_DEMAND_ACTOR, lead_id=lead_id, channel=channel, status=outcome.status)
