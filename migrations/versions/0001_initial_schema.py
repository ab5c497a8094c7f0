"""Initial schema: planning data, its version counter, stored checks.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 16:08:37.789456
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("quote_ref", sa.String(length=200), nullable=False),
        sa.Column("customer", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    op.create_index("ix_checks_created_at", "checks", ["created_at"], unique=False)
    op.create_index("ix_checks_status", "checks", ["status"], unique=False)

    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    # The single counter row exists from the start, so a data change only ever updates it.
    op.bulk_insert(
        sa.table("data_version", sa.column("id"), sa.column("version")), [{"id": 1, "version": 0}]
    )
    op.create_table(
        "holidays",
        sa.Column("date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("date", name=op.f("pk_holidays")),
    )
    op.create_table(
        "items",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_items")),
    )
    op.create_table(
        "resources",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("weekly_minutes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_resources")),
    )
    op.create_table(
        "bom_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("parent", sa.String(length=64), nullable=False),
        sa.Column("component", sa.String(length=64), nullable=False),
        sa.Column("qty_per", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["component"], ["items.sku"], name=op.f("fk_bom_lines_component_items")
        ),
        sa.ForeignKeyConstraint(["parent"], ["items.sku"], name=op.f("fk_bom_lines_parent_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bom_lines")),
        sa.UniqueConstraint("parent", "component", name=op.f("uq_bom_lines_parent_component")),
    )
    op.create_table(
        "calendar_exceptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource"], ["resources.code"], name=op.f("fk_calendar_exceptions_resource_resources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_exceptions")),
        sa.UniqueConstraint("resource", "date", name=op.f("uq_calendar_exceptions_resource_date")),
    )
    op.create_table(
        "demand",
        sa.Column("ref", sa.String(length=128), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["sku"], ["items.sku"], name=op.f("fk_demand_sku_items")),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_demand")),
    )
    op.create_table(
        "inventory",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sku"], ["items.sku"], name=op.f("fk_inventory_sku_items")),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_inventory")),
    )
    op.create_table(
        "load",
        sa.Column("ref", sa.String(length=128), nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource"], ["resources.code"], name=op.f("fk_load_resource_resources")
        ),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_load")),
    )
    op.create_table(
        "routing_operations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("setup_minutes", sa.Integer(), nullable=False),
        sa.Column("run_minutes_per_unit", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource"], ["resources.code"], name=op.f("fk_routing_operations_resource_resources")
        ),
        sa.ForeignKeyConstraint(
            ["sku"], ["items.sku"], name=op.f("fk_routing_operations_sku_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_operations")),
        sa.UniqueConstraint("sku", "seq", name=op.f("uq_routing_operations_sku_seq")),
    )
    op.create_table(
        "supply",
        sa.Column("ref", sa.String(length=128), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["sku"], ["items.sku"], name=op.f("fk_supply_sku_items")),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_supply")),
    )


def downgrade() -> None:
    op.drop_table("supply")
    op.drop_table("routing_operations")
    op.drop_table("load")
    op.drop_table("inventory")
    op.drop_table("demand")
    op.drop_table("calendar_exceptions")
    op.drop_table("bom_lines")
    op.drop_table("resources")
    op.drop_table("items")
    op.drop_table("holidays")
    op.drop_table("data_version")
    op.drop_index("ix_checks_status", table_name="checks")
    op.drop_index("ix_checks_created_at", table_name="checks")
    op.drop_table("checks")
