"""Overtime on resources and expediting on purchased items (SPEC section 5)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expedite_lead_time_days", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("expedite_cost_per_unit", sa.String(length=40), nullable=True)
        )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overtime_weekly_minutes", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("overtime_cost_per_minute", sa.String(length=40), nullable=True)
        )
    op.create_table(
        "overtime_exceptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource"],
            ["resources.code"],
            name=op.f("fk_overtime_exceptions_resource_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overtime_exceptions")),
        sa.UniqueConstraint("resource", "date", name=op.f("uq_overtime_exceptions_resource_date")),
    )


def downgrade() -> None:
    op.drop_table("overtime_exceptions")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_column("overtime_cost_per_minute")
        batch_op.drop_column("overtime_weekly_minutes")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("expedite_cost_per_unit")
        batch_op.drop_column("expedite_lead_time_days")
