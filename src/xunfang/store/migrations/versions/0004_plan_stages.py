"""Each plan's stages (plan.json's ``stages``: posture, checkpoints, routes, intel, ...) and
its header (plan.json's other top-level fields: ``xunfang_version``, ``scenario``) in the plans
table, so a plan read back after a restart can be re-planned; plans stored before have NULL
(not recorded).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stages", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("header", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("header")
        batch_op.drop_column("stages")
