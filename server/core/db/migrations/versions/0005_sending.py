"""integrations and message delivery: what sending through the providers needs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "workspace_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("settings", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")),
        # Fernet token (server/integrations/secrets.py): never the secret itself.
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("secret_hint", sa.String(8), nullable=False, server_default=""),
        sa.Column("status", sa.String(10), nullable=False, server_default="ok"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "provider", name="uq_integrations_provider"),
    )
    # What the providers' send APIs need, taken from the inbound webhook (reply id and sender email id,
    # GoHighLevel contact, Unipile chat and attendee).
    op.add_column("messages", sa.Column("send_ref", postgresql.JSONB(), nullable=True))
    # The delivery of an outbound message we send: queued → sending → sent | failed | unknown, or not_sent.
    op.add_column("messages", sa.Column("delivery_status", sa.String(12), nullable=True))
    op.add_column("messages", sa.Column("delivery_provider", sa.String(20), nullable=True))
    op.add_column("messages", sa.Column("provider_message_id", sa.Text(), nullable=True))
    op.add_column("messages", sa.Column("delivery_error_code", sa.String(40), nullable=True))
    op.add_column("messages", sa.Column("delivery_error", sa.Text(), nullable=True))
    op.add_column(
        "messages", sa.Column("delivery_attempts", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("messages", sa.Column("delivery_updated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "messages",
        sa.Column(
            "sent_by_user_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.add_column("messages", sa.Column("sent_by_user_name", sa.Text(), nullable=True))
    # The sweeps' reads: messages waiting for a (re)try or stuck in a call.
    op.create_index(
        "ix_messages_delivery_open",
        "messages",
        ["delivery_status", "next_attempt_at"],
        postgresql_where=sa.text("delivery_status IN ('queued', 'sending')"),
    )
    op.add_column("drafts", sa.Column("ai_content", sa.Text(), nullable=True))
    op.add_column(
        "drafts",
        sa.Column(
            "approved_by", postgresql.UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="SET NULL")
        ),
    )
    # Drafts written before this change: their content is still the AI's own text unless a setter saved an
    # edit, which nothing recorded; the current content is the best record there is.
    op.add_column("drafts", sa.Column("approved_by_name", sa.Text(), nullable=True))
    op.execute("UPDATE drafts SET ai_content = content WHERE ai_content IS NULL")
    _backfill_send_refs()


def _backfill_send_refs(batch: int = 500) -> None:
    """Leads that wrote before this change can be answered too: the raw bodies sit in the webhook log, and the
    parsers (pure functions) say what each send API needs."""
    from server.core.errors import InvalidInput
    from server.inbound.parsers import parse_body

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT channel, body, result->>'message_id' AS message_id FROM webhook_events"
            " WHERE status = 'processed' AND result->>'message_id' IS NOT NULL ORDER BY received_at"
        ),
        execution_options={"yield_per": batch},  # streamed: the log may be large
    )
    update = sa.text(
        "UPDATE messages SET send_ref = CAST(:ref AS jsonb) WHERE id = CAST(:id AS uuid) AND send_ref IS NULL"
    )
    pending: list[dict[str, str]] = []
    for channel, body, message_id in rows:
        try:
            parsed = parse_body(channel, bytes(body))
        except InvalidInput:
            continue
        if parsed.message is not None and parsed.message.send_ref:
            pending.append({"ref": json.dumps(parsed.message.send_ref), "id": message_id})
        if len(pending) >= batch:
            bind.execute(update, pending)
            pending = []
    if pending:
        bind.execute(update, pending)


def downgrade() -> None:
    op.drop_column("drafts", "approved_by_name")
    op.drop_column("drafts", "approved_by")
    op.drop_column("drafts", "ai_content")
    op.drop_index("ix_messages_delivery_open", table_name="messages")
    for column in (
        "sent_by_user_name",
        "sent_by_user_id",
        "next_attempt_at",
        "delivery_updated_at",
        "delivery_attempts",
        "delivery_error",
        "delivery_error_code",
        "provider_message_id",
        "delivery_provider",
        "delivery_status",
        "send_ref",
    ):
        op.drop_column("messages", column)
    op.drop_table("integrations")
