"""who did it: the actor of every event

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # {type: user|ai|provider|system, id?, name?}; NULL on events written before: read as the system.
    op.add_column("events", sa.Column("actor", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("events", "actor")
