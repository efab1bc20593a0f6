"""Sessions carry a scope ("full": a login; "device": a bearer token that may only post
positions and unit status) and a device token's label; sessions stored before are logins and
get "full" (review AQ #2). Failed logins are counted per (name, client address) in
login_failures, so wrong passwords from one address no longer lock the account for everyone
(review AQ #8).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=20), nullable=False,
                                      server_default="full"))
        batch_op.add_column(sa.Column("label", sa.String(length=64), nullable=True))
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
        sa.UniqueConstraint("name", "address", name=op.f("uq_login_failures_name_address")),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("label")
        batch_op.drop_column("scope")
