"""Tables: the planning data (replaced whole by a dataset import), its version, stored checks.

Decimal quantities (``qty_per``, ``run_minutes_per_unit``) are stored as their exact decimal
text: SQLite has no exact decimal type, and the solver needs the exact value as a Fraction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

SKU = String(64)
CODE = String(64)
REF = String(128)
DECIMAL_TEXT = String(40)


class ItemRow(Base):
    __tablename__ = "items"

    sku: Mapped[str] = mapped_column(SKU, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    # Expediting (SPEC section 5): both set or both null.
    expedite_lead_time_days: Mapped[int | None] = mapped_column(Integer)
    expedite_cost_per_unit: Mapped[str | None] = mapped_column(DECIMAL_TEXT)


class ResourceRow(Base):
    __tablename__ = "resources"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Monday..Sunday, seven whole numbers.
    weekly_minutes: Mapped[list[int]] = mapped_column(JSON)
    # Overtime that could be added (SPEC section 5): both set or both null.
    overtime_weekly_minutes: Mapped[list[int] | None] = mapped_column(JSON)
    overtime_cost_per_minute: Mapped[str | None] = mapped_column(DECIMAL_TEXT)


class CalendarExceptionRow(Base):
    __tablename__ = "calendar_exceptions"
    __table_args__ = (UniqueConstraint("resource", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource: Mapped[str] = mapped_column(ForeignKey("resources.code"))
    date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)


class OvertimeExceptionRow(Base):
    """The overtime allowed on one date, replacing the weekly overtime of that day."""

    __tablename__ = "overtime_exceptions"
    __table_args__ = (UniqueConstraint("resource", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource: Mapped[str] = mapped_column(ForeignKey("resources.code"))
    date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)


class HolidayRow(Base):
    __tablename__ = "holidays"

    date: Mapped[date] = mapped_column(Date, primary_key=True)


class OperationRow(Base):
    __tablename__ = "routing_operations"
    __table_args__ = (UniqueConstraint("sku", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(ForeignKey("items.sku"))
    seq: Mapped[int] = mapped_column(Integer)
    resource: Mapped[str] = mapped_column(ForeignKey("resources.code"))
    setup_minutes: Mapped[int] = mapped_column(Integer)
    run_minutes_per_unit: Mapped[str] = mapped_column(DECIMAL_TEXT)


class BomLineRow(Base):
    __tablename__ = "bom_lines"
    __table_args__ = (UniqueConstraint("parent", "component"),)

    # Autoincrement id keeps the document order of a parent's components.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parent: Mapped[str] = mapped_column(ForeignKey("items.sku"))
    component: Mapped[str] = mapped_column(ForeignKey("items.sku"))
    qty_per: Mapped[str] = mapped_column(DECIMAL_TEXT)


class InventoryRow(Base):
    __tablename__ = "inventory"

    sku: Mapped[str] = mapped_column(ForeignKey("items.sku"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer)


class SupplyRow(Base):
    __tablename__ = "supply"

    ref: Mapped[str] = mapped_column(REF, primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("items.sku"))
    qty: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)


class DemandRow(Base):
    __tablename__ = "demand"

    ref: Mapped[str] = mapped_column(REF, primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("items.sku"))
    qty: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)
    # The promise this firm order fulfils: loading the row marked it fulfilled (no FK: promises
    # outlive planning data, which an import replaces whole).
    promise_id: Mapped[str | None] = mapped_column(String(36))


class LoadRow(Base):
    __tablename__ = "load"

    ref: Mapped[str] = mapped_column(REF, primary_key=True)
    resource: Mapped[str] = mapped_column(ForeignKey("resources.code"))
    date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)


class CustomerRow(Base):
    """The group a customer belongs to, for allocations; a customer not listed is in `*`."""

    __tablename__ = "customers"

    customer: Mapped[str] = mapped_column(String(200), primary_key=True)
    group: Mapped[str] = mapped_column(CODE)


class AllocationRow(Base):
    """Group `group` may receive at most `qty` of `sku` delivered from `from_date` to
    `until_date` (inclusive), SPEC section 7."""

    __tablename__ = "allocations"
    __table_args__ = (Index("ix_allocations_sku_group", "sku", "group"),)

    ref: Mapped[str] = mapped_column(REF, primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("items.sku"))
    group: Mapped[str] = mapped_column(CODE)
    from_date: Mapped[date] = mapped_column(Date)
    until_date: Mapped[date] = mapped_column(Date)
    qty: Mapped[int] = mapped_column(Integer)


class DataVersionRow(Base):
    """One row, bumped in the same transaction as every planning-data change.

    The service caches the engine's planning state per version, so reading this counter is all a
    check costs the database when nothing changed.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class CheckRow(Base):
    """A stored check. Listed newest first, keyset-paged on (created_at, id): one index per
    filter keeps a page an index range scan with a million checks (see app.db.checks)."""

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_created_at_id", "created_at", "id"),
        Index("ix_checks_status_created_at_id", "status", "created_at", "id"),
        Index("ix_checks_customer_created_at_id", "customer", "created_at", "id"),
        # outcome=rejected (status is not feasible), newest first.
        Index(
            "ix_checks_rejected_created_at_id",
            "created_at",
            "id",
            postgresql_where=text("status <> 'feasible'"),
            sqlite_where=text("status <> 'feasible'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    quote_ref: Mapped[str] = mapped_column(String(200))
    customer: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class CheckSkuRow(Base):
    """Each sku a stored check asks for, once per check, to find checks by sku.

    ``created_at`` repeats the check's, so that the sku index alone yields a page in order.
    """

    __tablename__ = "check_skus"
    __table_args__ = (
        Index("ix_check_skus_sku_created_at_check_id", "sku", "created_at", "check_id"),
    )

    check_id: Mapped[str] = mapped_column(
        ForeignKey("checks.id", ondelete="CASCADE"), primary_key=True
    )
    sku: Mapped[str] = mapped_column(SKU, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Children before parents: the order in which a dataset import deletes.
PLANNING_TABLES_DELETE_ORDER: tuple[type[Base], ...] = (
    AllocationRow,
    CustomerRow,
    LoadRow,
    DemandRow,
    SupplyRow,
    InventoryRow,
    BomLineRow,
    OperationRow,
    CalendarExceptionRow,
    OvertimeExceptionRow,
    HolidayRow,
    ResourceRow,
    ItemRow,
)
