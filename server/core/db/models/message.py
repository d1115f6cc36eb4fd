"""A message on one channel, inbound from the lead or outbound from us."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR, UUID
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db.base import Base, created_at_column, uuid_pk

# Migration 0006 creates the column with the same expression; server/leads/listing.py queries it.
SEARCH_EXPRESSION = "to_tsvector('english', coalesce(subject, '') || ' ' || coalesce(body, ''))"


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # Invariant 2 (docs/ARCHITECTURE.md): one message per provider message id per workspace, whatever the
        # concurrency.
        UniqueConstraint("workspace_id", "channel", "dedupe_key", name="uq_messages_dedupe"),
        Index("ix_messages_lead_sent", "lead_id", "sent_at", "id"),
        Index("ix_messages_content_hash", "lead_id", "content_hash"),
        Index("ix_messages_search", "search", postgresql_using="gin"),
        # The delivery sweeps' reads (server/sending/sweeps.py).
        Index(
            "ix_messages_delivery_open",
            "delivery_status",
            "next_attempt_at",
            postgresql_where=text("delivery_status IN ('queued', 'sending')"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    lead_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    sent_by: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str | None] = mapped_column(Text)  # sanitized
    from_address: Mapped[str | None] = mapped_column(Text)
    to: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    cc: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    bcc: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    draft_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    dedupe_key: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    is_bounce: Mapped[bool] = mapped_column(default=False)
    is_automated: Mapped[bool] = mapped_column(default=False)
    sentiment_hint: Mapped[str | None] = mapped_column(String(40))
    post_processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    # Inbound: what the provider's send API needs to answer it (reply and sender email ids, GoHighLevel
    # contact, Unipile chat), from the webhook.
    send_ref: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    # Outbound messages we send (server/sending/delivery.py): queued → sending → sent | failed | unknown,
    # or not_sent. NULL for inbound messages and provider-reported ones.
    delivery_status: Mapped[str | None] = mapped_column(String(12))
    delivery_provider: Mapped[str | None] = mapped_column(String(20))
    provider_message_id: Mapped[str | None] = mapped_column(Text)
    delivery_error_code: Mapped[str | None] = mapped_column(String(40))
    delivery_error: Mapped[str | None] = mapped_column(Text)
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    delivery_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    sent_by_user_name: Mapped[str | None] = mapped_column(Text)
    # Full-text search over subject and body (server/leads/listing.py); computed by PostgreSQL, never loaded.
    search: Mapped[Any] = mapped_column(
        TSVECTOR,
        Computed(SEARCH_EXPRESSION, persisted=True),
        deferred=True,
    )
