"""message text search: a generated tsvector of each message, GIN-indexed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Kept in step with server/leads/listing.py SEARCH_CONFIG and the Message model's column.
SEARCH_EXPRESSION = "to_tsvector('english', coalesce(subject, '') || ' ' || coalesce(body, ''))"


def upgrade() -> None:
    op.execute(
        f"ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS ({SEARCH_EXPRESSION}) STORED"
    )
    op.execute("CREATE INDEX ix_messages_search ON messages USING gin (search)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_messages_search")
    op.execute("ALTER TABLE messages DROP COLUMN search")
