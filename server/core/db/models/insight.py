"""One conversation insight per lead (booked-conversation summaries)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db.base import Base, uuid_pk


class Insight(Base):
    __tablename__ = "insights"
    __table_args__ = (Index("ix_insights_workspace_computed", "workspace_id", "computed_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[str] = mapped_column(String(20))
    insight: Mapped[dict[str, Any]] = mapped_column(JSONB)
    model: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))
    # Fingerprint of the conversation it summarises, so a changed conversation is summarised again.
    conversation_hash: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InsightFailure(Base):
    """The last failed extraction of a lead's insight, until one succeeds.

    A permanent failure (the model rejected the request, or never gave a usable answer within the budget)
    is not retried for the same conversation (`conversation_hash`); a transient one is, the next run."""

    __tablename__ = "insight_failures"
    __table_args__ = (Index("ix_insight_failures_workspace_failed", "workspace_id", "failed_at"),)

    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    conversation_hash: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(40))
    permanent: Mapped[bool] = mapped_column(Boolean)
    # Failed runs in a row (each run is the prompt runner's own retries).
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
