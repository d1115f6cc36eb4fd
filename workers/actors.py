"""Dramatiq actors. Each takes ids, is idempotent, and calls the same domain functions the server calls."""

from __future__ import annotations

import uuid

import dramatiq

from server.domain.booked_summaries import (
    BOOKED_SUMMARIES_ACTOR,
    EXTRACT_INSIGHT_ACTOR,
    enqueue_booked_summaries,
)
from server.domain.draft_actions import ON_DEMAND_ACTOR
from server.domain.draft_generation import generate_draft, generate_for_channels
from server.domain.ingestion import POST_PROCESS_ACTOR
from server.domain.lead_insight import InsightDeferred, summarise_lead
from server.domain.manual_sentiment import MANUAL_DRAFTS_ACTOR
from server.domain.post_processing import post_process_message
from server.logging import get_logger
from workers.broker import get_broker

get_broker()
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


@dramatiq.actor(actor_name=BOOKED_SUMMARIES_ACTOR, time_limit=60_000, max_retries=3, min_backoff=5_000)
async def booked_summaries(workspace_id: str | None = None) -> None:
    enqueued = await enqueue_booked_summaries(uuid.UUID(workspace_id) if workspace_id else None)
    log.info("actor.done", actor=BOOKED_SUMMARIES_ACTOR, enqueued=enqueued)


@dramatiq.actor(
    actor_name=EXTRACT_INSIGHT_ACTOR, time_limit=600_000, max_retries=3, min_backoff=1_000, max_backoff=30_000
)
async def extract_insight_for_lead(lead_id: str) -> None:
    """A transient failure is retried with short backoff; the next scheduler period picks it up after that."""
    try:
        outcome = await summarise_lead(uuid.UUID(lead_id))
    except InsightDeferred as exc:
        log.info("actor.retry", actor=EXTRACT_INSIGHT_ACTOR, lead_id=lead_id, category=exc.category)
        raise dramatiq.Retry(exc.category) from None
    log.info(
        "actor.done",
        actor=EXTRACT_INSIGHT_ACTOR,
        lead_id=lead_id,
        status=outcome.status,
        reason=outcome.reason,
        model_calls=outcome.model_calls,
    )
