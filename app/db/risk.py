"""Queries behind the re-evaluation of confirmed promises after a planning-data change, and
promise counts for the metrics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.db.promises import (
    CONFIRMED,
    EXPIRED,
    FULFILLED,
    HELD,
    RELEASED,
    PromiseCapacityRow,
    PromiseRow,
    PromiseStockRow,
    counts_now,
)
from app.solver.plant import CapacityUse, Reservations, StockMove


def confirmed_promises(
    session: Session, *, skus: Collection[str] | None, resources: Collection[str] | None
) -> Sequence[PromiseRow]:
    """Confirmed promises that take stock of one of ``skus`` or minutes of one of ``resources``
    (every confirmed promise when both are None), oldest confirmed first."""
    query = select(PromiseRow).where(PromiseRow.status == CONFIRMED)
    if skus is not None or resources is not None:
        takes_stock = select(PromiseStockRow.promise_id).where(
            PromiseStockRow.sku.in_(list(skus or ()))
        )
        takes_minutes = select(PromiseCapacityRow.promise_id).where(
            PromiseCapacityRow.resource.in_(list(resources or ()))
        )
        query = query.where(or_(PromiseRow.id.in_(takes_stock), PromiseRow.id.in_(takes_minutes)))
    return session.scalars(
        query.order_by(PromiseRow.confirmed_at, PromiseRow.created_at, PromiseRow.id)
    ).all()


def reserved_by(session: Session, promise_id: str) -> Reservations:
    """What one promise takes."""
    stock = session.scalars(select(PromiseStockRow).where(PromiseStockRow.promise_id == promise_id))
    capacity = session.scalars(
        select(PromiseCapacityRow).where(PromiseCapacityRow.promise_id == promise_id)
    )
    return Reservations(
        tuple(StockMove(row.sku, row.qty, row.date) for row in stock),
        tuple(CapacityUse(row.resource, row.date, row.minutes) for row in capacity),
    )


def reserved_by_promise(session: Session, now: datetime) -> dict[str, Reservations]:
    """What every held (unexpired) and confirmed promise takes, per promise."""
    stock_of: dict[str, list[StockMove]] = defaultdict(list)
    capacity_of: dict[str, list[CapacityUse]] = defaultdict(list)
    stock = session.execute(
        select(
            PromiseStockRow.promise_id,
            PromiseStockRow.sku,
            PromiseStockRow.qty,
            PromiseStockRow.date,
        )
        .join(PromiseRow, PromiseRow.id == PromiseStockRow.promise_id)
        .where(counts_now(now))
    )
    for promise_id, sku, qty, day in stock:
        stock_of[promise_id].append(StockMove(sku, qty, day))
    capacity = session.execute(
        select(
            PromiseCapacityRow.promise_id,
            PromiseCapacityRow.resource,
            PromiseCapacityRow.date,
            PromiseCapacityRow.minutes,
        )
        .join(PromiseRow, PromiseRow.id == PromiseCapacityRow.promise_id)
        .where(counts_now(now))
    )
    for promise_id, resource, day, minutes in capacity:
        capacity_of[promise_id].append(CapacityUse(resource, day, minutes))
    return {
        promise_id: Reservations(
            tuple(stock_of.get(promise_id, ())), tuple(capacity_of.get(promise_id, ()))
        )
        for promise_id in stock_of.keys() | capacity_of.keys()
    }


def promise_counts(session: Session, now: datetime) -> tuple[dict[str, int], int]:
    """Promises per effective status (a held one past its expiry counts as expired), and how
    many confirmed ones are at risk."""
    counts = dict.fromkeys((HELD, CONFIRMED, RELEASED, EXPIRED, FULFILLED), 0)
    for status, count in session.execute(
        select(PromiseRow.status, func.count()).group_by(PromiseRow.status)
    ):
        counts[status] = counts.get(status, 0) + count
    stale = session.scalar(
        select(func.count()).where(PromiseRow.status == HELD, PromiseRow.expires_at <= now)
    )
    counts[HELD] -= stale or 0
    counts[EXPIRED] += stale or 0
    at_risk = session.scalar(
        select(func.count()).where(
            PromiseRow.status == CONFIRMED, PromiseRow.at_risk_since.is_not(None)
        )
    )
    return counts, at_risk or 0
