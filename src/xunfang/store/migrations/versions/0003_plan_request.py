"""Each plan's request (plan.json's ``request``: pins, deployment options) in the plans table;
plans stored before have NULL (not recorded).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("request")
