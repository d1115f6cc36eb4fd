"""round-robin assignment of new leads, a workspace setting

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # off | round_robin. The turn counts the leads handed out so far: the next one goes to setter
    # number (turn mod setters), in the order the setters joined.
    op.add_column("workspaces", sa.Column("auto_assign", sa.String(20), nullable=False, server_default="off"))
    op.add_column(
        "workspaces", sa.Column("auto_assign_turn", sa.BigInteger(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("workspaces", "auto_assign_turn")
    op.drop_column("workspaces", "auto_assign")
