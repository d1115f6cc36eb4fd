"""The insights concept's Dramatiq actors. Each takes ids, is idempotent, and calls the functions the server
and the scheduler call (docs/ARCHITECTURE.md, "Jobs")."""

from __future__ import annotations

import uuid

import dramatiq

from server.core.broker import get_broker
from server.core.jobs import BOOKED_SUMMARIES_ACTOR, EXTRACT_INSIGHT_ACTOR
from server.core.logging import get_logger
from server.insights.booked_summaries import enqueue_booked_summaries
from server.insights.lead_summary import InsightDeferred, summarise_lead

get_broker()  # the actors below register on this broker
log = get_logger(__name__)


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
