"""Jobs written in the transaction that needs them, so a Redis outage or a crash after commit loses none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db.base import Base, created_at_column


class JobOutbox(Base):
    __tablename__ = "job_outbox"
    __table_args__ = (Index("ix_job_outbox_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    queue: Mapped[str] = mapped_column(String(50), default="default")
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at_column()
