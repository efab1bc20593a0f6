"""Each unit's last position in its own table (unit_last), filled from the history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 17:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_last",
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("t", sa.DateTime(), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("speed_kph", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"],
                                name=op.f("fk_unit_last_scenario_id_scenarios"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scenario_id", "unit", name=op.f("pk_unit_last")),
    )
    op.execute(
        "INSERT INTO unit_last (scenario_id, unit, t, x, y, speed_kph, heading, source, "
        "received_at) SELECT p.scenario_id, p.unit, p.t, p.x, p.y, p.speed_kph, p.heading, "
        "p.source, p.received_at FROM unit_positions p WHERE p.id IN "
        "(SELECT max(id) FROM unit_positions GROUP BY scenario_id, unit)"
    )


def downgrade() -> None:
    op.drop_table("unit_last")
