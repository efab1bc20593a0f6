"""A plan records the plan it re-plans (``from_plan``; NULL: made by planning) and whether it
may take over by itself at a roll-over (``takes_over``): a re-plan is a what-if until a
planner makes it current, and the newest plan covering the hour no longer means a trial
re-plan nobody chose (review H3 #2: one took over at midnight). Plans stored before take
over as they did.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_plan", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("takes_over", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("takes_over")
        batch_op.drop_column("from_plan")
