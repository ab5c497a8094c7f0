"""Queries behind the re-evaluation of confirmed promises after a planning-data change, and
promise counts for the metrics."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
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


def live_promises_by_priority(session: Session, now: datetime) -> list[PromiseRow]:
    """Confirmed promises (oldest confirmed first), then unexpired holds (oldest first): the
    order in which live promises keep their claim when the data changes (SPEC section 3)."""
    confirmed = session.scalars(
        select(PromiseRow)
        .where(PromiseRow.status == CONFIRMED)
        .order_by(PromiseRow.confirmed_at, PromiseRow.created_at, PromiseRow.id)
    )
    held = session.scalars(
        select(PromiseRow)
        .where(PromiseRow.status == HELD, PromiseRow.expires_at > now)
        .order_by(PromiseRow.created_at, PromiseRow.id)
    )
    return [*confirmed, *held]


def any_at_risk(session: Session, now: datetime) -> bool:
    """Is some live promise at risk? (Only those can gain when stock or minutes come free.)"""
    found = session.scalar(
        select(PromiseRow.id).where(counts_now(now), PromiseRow.at_risk_since.is_not(None)).limit(1)
    )
    return found is not None


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
    many live ones (held or confirmed) are at risk."""
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
        select(func.count()).where(counts_now(now), PromiseRow.at_risk_since.is_not(None))
    )
    return counts, at_risk or 0
