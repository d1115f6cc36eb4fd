"""AI reply drafts, and the last failed generation per (lead, channel)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db.base import Base, created_at_column, utcnow, uuid_pk


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (
        # Invariant 1 (docs/ARCHITECTURE.md): at most one pending draft per (lead, channel), enforced by
        # the database.
        Index(
            "uq_drafts_one_pending",
            "lead_id",
            "channel",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
        # Invariant 3 (docs/ARCHITECTURE.md): an inbound message yields at most one draft per channel, even
        # if its job runs twice.
        Index(
            "uq_drafts_inbound_trigger",
            "trigger_message_id",
            "channel",
            unique=True,
            postgresql_where=text("source = 'inbound'"),
        ),
        Index("ix_drafts_lead_created", "lead_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    lead_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    content: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    trigger_message_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    source: Mapped[str] = mapped_column(String(20))  # inbound | manual_sentiment | on_demand
    version: Mapped[int] = mapped_column(default=1)
    disposition: Mapped[str | None] = mapped_column(String(20))  # APPROVED | EDITED
    model: Mapped[str | None] = mapped_column(String(100))
    provider: Mapped[str | None] = mapped_column(String(20))
    superseded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The AI's own text, kept as written: the disposition compares what was sent against it.
    ai_content: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    approved_by_name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class DraftFailure(Base):
    """Shown on the lead until a later generation for that channel succeeds."""

    __tablename__ = "draft_failures"

    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
