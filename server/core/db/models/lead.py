"""A lead: one person across email, SMS and LinkedIn, inside one workspace."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db.base import Base, created_at_column, utcnow, uuid_pk


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_workspace_activity", "workspace_id", "activity_at", "id"),
        Index("ix_leads_workspace_email", "workspace_id", "email"),
        Index("ix_leads_workspace_phone", "workspace_id", "phone_digits"),
        Index("ix_leads_workspace_linkedin_key", "workspace_id", "linkedin_key"),
        Index("ix_leads_workspace_linkedin_pid", "workspace_id", "linkedin_provider_id"),
        Index("ix_leads_workspace_emailbison", "workspace_id", "emailbison_lead_id"),
        Index("ix_leads_workspace_ghl", "workspace_id", "ghl_contact_id"),
        Index("ix_leads_booked", "appointment_booked_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    first_name: Mapped[str | None] = mapped_column(Text)
    last_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)  # normalized (lower-case)
    phone: Mapped[str | None] = mapped_column(Text)  # as first given, for display
    phone_digits: Mapped[str | None] = mapped_column(Text)  # for matching
    linkedin_url: Mapped[str | None] = mapped_column(Text)
    linkedin_key: Mapped[str | None] = mapped_column(Text)  # normalized profile URL, for matching
    linkedin_provider_id: Mapped[str | None] = mapped_column(Text)
    emailbison_lead_id: Mapped[str | None] = mapped_column(Text)
    ghl_contact_id: Mapped[str | None] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    sentiment_tag: Mapped[str] = mapped_column(String(40), default="New")
    status: Mapped[str] = mapped_column(String(40), default="new")
    assigned_to: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    channels: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Sort key of the inbox: newest activity first (message or creation).
    activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    appointment_booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
