"""Holds reserve first and are answered after: a promise pending its answer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 00:00:00

A hold commits its plans (the reservations lock is held only for that), then explains its late
lines and stores the answer in a second transaction (docs/concurrency.md). Between the two the
promise is ``pending``: it reserves, but no reader sees it and nothing is announced of it; its
stored check has the status ``pending`` until then.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite 3.35 and later drop columns in place): a batch
# copy of the table would drop the triggers of migration 0009.


def upgrade() -> None:
    op.add_column(
        "promises", sa.Column("pending", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("promises", "pending")
