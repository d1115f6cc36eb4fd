"""The webhook event log: every authenticated body, recorded before it is processed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db.base import Base, created_at_column, uuid_pk


class WebhookEvent(Base):
    __tablename__ = "webhook_events"
    __table_args__ = (
        Index("ix_webhook_events_workspace_received", "workspace_id", "received_at", "id"),
        Index("ix_webhook_events_waiting", "received_at", postgresql_where=text("status = 'received'")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="received")  # received|processed|ignored|failed
    error: Mapped[str | None] = mapped_column(Text)
    # Raw bytes as sent: invalid UTF-8 and NUL bytes included, so a replay sees exactly what arrived.
    body: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    attempts: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = created_at_column()
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When it was last handed to a worker; NULL while it waits for the scheduler's sweep (Redis was down).
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
