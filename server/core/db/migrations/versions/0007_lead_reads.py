"""per-user read state of leads

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lead_reads",
        sa.Column(
            "user_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "lead_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("leads.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "workspace_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "lead_id"),
    )
    op.create_index("ix_lead_reads_lead_id", "lead_reads", ["lead_id"])
    # Unread counts: a lead's inbound messages by time.
    op.create_index(
        "ix_messages_inbound_created",
        "messages",
        ["lead_id", "created_at"],
        postgresql_where=sa.text("direction = 'inbound'"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_inbound_created", table_name="messages")
    op.drop_index("ix_lead_reads_lead_id", table_name="lead_reads")
    op.drop_table("lead_reads")
