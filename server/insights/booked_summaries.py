"""The booked-summaries job: booked leads whose insight is missing or out of date, one extraction each.

The scheduler runs it every settings.insights_interval_s (workers/scheduler.py), an owner or admin can
run it for their workspace (POST /api/insights/booked-summaries/run), and `setterdesk backfill-insights`
runs the extractions in-process. A lead is picked when it is booked, has messages, and
- has no insight yet, or its conversation changed since its insight (conversation_hash), and
- has no permanent failure recorded for this very conversation (a transient failure is retried).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

import msgspec
from sqlalchemy import and_, case, exists, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from server.core.db.engine import read_session
from server.core.db.models import Insight, InsightFailure, Lead, Message
from server.core.jobs import BOOKED_SUMMARIES_ACTOR, EXTRACT_INSIGHT_ACTOR, Job, send_jobs
from server.core.logging import get_logger
from server.core.settings import get_settings
from server.core.unit_of_work import unit_of_work
from server.insights.conversation_hash import conversation_hash_sql
from server.insights.lead_summary import InsightDeferred, summarise_lead

log = get_logger(__name__)

# A conversation can only have changed since its insight (or failure) through a message created after
# it, give or take the time an extraction takes; only those leads have their fingerprint recomputed.
RECHECK_WINDOW: Final = timedelta(days=1)
BACKFILL_CONCURRENCY: Final = 4

Progress = Callable[[int, int], None]


class BackfillSummary(msgspec.Struct, kw_only=True):
    total: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    failure_categories: dict[str, int] = msgspec.field(default_factory=dict)
    failed_leads: dict[str, str] = msgspec.field(default_factory=dict)  # lead id → category
    model_calls: int = 0


def _changed_since(at: InstrumentedAttribute[datetime]) -> ColumnElement[bool]:
    return exists().where(Message.lead_id == Lead.id, Message.created_at > at - RECHECK_WINDOW)


def _needs_insight(include_failed: bool) -> ColumnElement[bool]:
    current = conversation_hash_sql(Lead.id)
    refresh = and_(_changed_since(Insight.computed_at), current.is_distinct_from(Insight.conversation_hash))
    blocked = and_(InsightFailure.permanent.is_(True), false() if include_failed else true())
    # CASE evaluates lazily: the fingerprint is computed only for leads that may have changed.
    return case(
        (
            blocked,
            and_(
                _changed_since(InsightFailure.failed_at),
                current.is_distinct_from(InsightFailure.conversation_hash),
                or_(Insight.lead_id.is_(None), current.is_distinct_from(Insight.conversation_hash)),
            ),
        ),
        (Insight.lead_id.is_(None), true()),
        else_=refresh,
    )


async def leads_needing_insight(
    *, workspace_id: uuid.UUID | None, limit: int, include_failed: bool = False
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(workspace id, lead id) of up to `limit` leads, those without any insight first."""
    query = (
        select(Lead.workspace_id, Lead.id)
        .outerjoin(Insight, Insight.lead_id == Lead.id)
        .outerjoin(InsightFailure, InsightFailure.lead_id == Lead.id)
        .where(
            Lead.appointment_booked_at.is_not(None),
            exists().where(Message.lead_id == Lead.id),
            _needs_insight(include_failed),
        )
        .order_by(Insight.lead_id.is_not(None), Lead.appointment_booked_at, Lead.id)
        .limit(limit)
    )
    if workspace_id is not None:
        query = query.where(Lead.workspace_id == workspace_id)
    async with read_session() as session:
        return [(row.workspace_id, row.id) for row in await session.execute(query)]


async def enqueue_booked_summaries(workspace_id: uuid.UUID | None = None) -> int:
    """The job: one extraction job per lead of a bounded batch, enqueued after commit. Returns how many.

    Running it twice before the workers catch up enqueues a lead twice; the extraction skips the second."""
    picked = await leads_needing_insight(workspace_id=workspace_id, limit=get_settings().insights_batch_size)
    by_workspace: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for owner, lead_id in picked:
        by_workspace[owner].append(lead_id)
    for owner, lead_ids in by_workspace.items():
        async with unit_of_work(owner) as uow:
            for lead_id in lead_ids:
                uow.enqueue(EXTRACT_INSIGHT_ACTOR, lead_id=lead_id)
    log.info(
        "insights.batch_enqueued",
        count=len(picked),
        workspaces=len(by_workspace),
        workspace_id=str(workspace_id) if workspace_id else None,
    )
    return len(picked)


async def request_booked_summaries() -> int:
    """What the scheduler does each period: hand the job to a worker. Returns the jobs sent."""
    await send_jobs([Job(actor_name=BOOKED_SUMMARIES_ACTOR, kwargs={})])
    return 1


async def backfill_insights(
    *,
    workspace_id: uuid.UUID | None = None,
    limit: int | None = None,
    include_failed: bool = False,
    on_progress: Progress | None = None,
) -> BackfillSummary:
    """Extract, in this process, the insight of every booked lead lacking a current one (or `limit`)."""
    picked = await leads_needing_insight(
        workspace_id=workspace_id, limit=limit or 2**31 - 1, include_failed=include_failed
    )
    summary = BackfillSummary(total=len(picked))
    categories: Counter[str] = Counter()
    limiter = asyncio.Semaphore(BACKFILL_CONCURRENCY)

    async def one(lead_id: uuid.UUID) -> None:
        async with limiter:
            try:
                outcome = await summarise_lead(lead_id)
            except InsightDeferred as exc:
                summary.failed += 1
                categories[exc.category] += 1
                summary.failed_leads[str(lead_id)] = exc.category
            else:
                summary.model_calls += outcome.model_calls
                if outcome.status == "done":
                    summary.done += 1
                elif outcome.status == "skipped":
                    summary.skipped += 1
                else:
                    summary.failed += 1
                    categories[outcome.reason or "unknown"] += 1
                    summary.failed_leads[str(lead_id)] = outcome.reason or "unknown"
            if on_progress is not None:
                on_progress(summary.done + summary.skipped + summary.failed, summary.total)

    if on_progress is not None:
        on_progress(0, summary.total)
    await asyncio.gather(*(one(lead_id) for _, lead_id in picked))
    summary.failure_categories = dict(categories)
    return summary
