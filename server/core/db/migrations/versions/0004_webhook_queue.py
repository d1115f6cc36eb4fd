"""webhook events are the ingestion queue

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # When the event was last handed to a worker; NULL: not yet (Redis was down), so the sweep takes it soon.
    op.add_column("webhook_events", sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True))
    # The sweep's and the backlog's reads: only the rows still waiting for a worker.
    op.create_index(
        "ix_webhook_events_waiting",
        "webhook_events",
        ["received_at"],
        postgresql_where=sa.text("status = 'received'"),
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_events_waiting", table_name="webhook_events")
    op.drop_column("webhook_events", "handed_over_at")
