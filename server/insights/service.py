"""Reading insights and their failures, always inside the caller's workspace."""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import select

from server.core.db.engine import read_session
from server.core.db.models import Insight, InsightFailure, Lead
from server.core.errors import InvalidInput, NotFound
from server.core.pagination import decode_cursor, encode_cursor
from server.core.views import InsightFailureView, InsightView, insight_failure_view, insight_view
from server.insights.lead_summary import OUTCOME_BOOKED
from server.leads.service import get_lead

OUTCOMES: Final = (OUTCOME_BOOKED,)


async def lead_insight(workspace_id: uuid.UUID, lead_id: uuid.UUID) -> InsightView:
    async with read_session() as session:
        lead = await get_lead(session, workspace_id, lead_id)
        insight = await session.scalar(select(Insight).where(Insight.lead_id == lead.id))
        if insight is None:
            raise NotFound("this lead has no insight yet")
        return insight_view(insight, lead)


async def list_insights(
    workspace_id: uuid.UUID, *, outcome: str | None, limit: int, cursor: str | None
) -> tuple[list[InsightView], str | None]:
    """Newest first."""
    query = (
        select(Insight, Lead)
        .join(Lead, Lead.id == Insight.lead_id)
        .where(Insight.workspace_id == workspace_id)
    )
    if outcome:
        if outcome.upper() not in OUTCOMES:
            raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}", code="invalid_outcome")
        query = query.where(Insight.outcome == outcome.upper())
    if cursor:
        at, last_id = decode_cursor(cursor)
        query = query.where(
            (Insight.computed_at < at) | ((Insight.computed_at == at) & (Insight.id < last_id))
        )
    query = query.order_by(Insight.computed_at.desc(), Insight.id.desc()).limit(limit + 1)
    async with read_session() as session:
        rows = (await session.execute(query)).all()
    page = rows[:limit]
    last = page[-1].Insight if page else None
    next_cursor = encode_cursor(last.computed_at, last.id) if last and len(rows) > limit else None
    return [insight_view(row.Insight, row.Lead) for row in page], next_cursor


async def list_failures(
    workspace_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[InsightFailureView], str | None]:
    """Leads whose last extraction failed, newest failure first."""
    query = (
        select(InsightFailure, Lead)
        .join(Lead, Lead.id == InsightFailure.lead_id)
        .where(InsightFailure.workspace_id == workspace_id)
    )
    if cursor:
        at, last_id = decode_cursor(cursor)
        query = query.where(
            (InsightFailure.failed_at < at)
            | ((InsightFailure.failed_at == at) & (InsightFailure.lead_id < last_id))
        )
    query = query.order_by(InsightFailure.failed_at.desc(), InsightFailure.lead_id.desc()).limit(limit + 1)
    async with read_session() as session:
        rows = (await session.execute(query)).all()
    page = rows[:limit]
    last = page[-1].InsightFailure if page else None
    next_cursor = encode_cursor(last.failed_at, last.lead_id) if last and len(rows) > limit else None
    return [insight_failure_view(row.InsightFailure, row.Lead) for row in page], next_cursor
