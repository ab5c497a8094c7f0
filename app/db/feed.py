"""Row-by-row writes of planning data (the ERP feed). The caller bumps the data version."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.base import Base
from app.db.models import AllocationRow, CalendarExceptionRow, ItemRow, ResourceRow

RowT = TypeVar("RowT", bound=Base)


def get_row(session: Session, model: type[RowT], key: str) -> RowT | None:
    return session.get(model, key)


def put_row(session: Session, model: type[RowT], key: str, values: dict[str, Any]) -> bool:
    """Insert or replace the row with primary key ``key``; True when it is new."""
    row = session.get(model, key)
    if row is None:
        session.add(model(**values))
        session.flush()
        return True
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()
    return False


def delete_row(session: Session, model: type[Base], key: str) -> bool:
    """Delete the row with primary key ``key``; False when there is none."""
    row = session.get(model, key)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def item_exists(session: Session, sku: str) -> bool:
    return session.get(ItemRow, sku) is not None


def resource_exists(session: Session, code: str) -> bool:
    return session.get(ResourceRow, code) is not None


def allocations_of(session: Session, sku: str, group: str) -> list[AllocationRow]:
    """The allocation rows of one sku and group, by period."""
    return list(
        session.scalars(
            select(AllocationRow)
            .where(AllocationRow.sku == sku, AllocationRow.group == group)
            .order_by(AllocationRow.from_date)
        )
    )


def _calendar_exception(session: Session, resource: str, day: date) -> CalendarExceptionRow | None:
    return session.scalar(
        select(CalendarExceptionRow).where(
            CalendarExceptionRow.resource == resource, CalendarExceptionRow.date == day
        )
    )


def put_calendar_exception(session: Session, resource: str, day: date, minutes: int) -> bool:
    """Set a resource's minutes on one date; True when it had no exception on that date."""
    row = _calendar_exception(session, resource, day)
    if row is None:
        session.add(CalendarExceptionRow(resource=resource, date=day, minutes=minutes))
        session.flush()
        return True
    row.minutes = minutes
    session.flush()
    return False


def delete_calendar_exception(session: Session, resource: str, day: date) -> bool:
    """Remove a resource's exception on one date; False when there is none."""
    row = _calendar_exception(session, resource, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
