"""A promise as the API shows it (GET /v1/promises/{id}): its check, what it reserves, whether
it is at risk, and its history. One shape for every answer and every announcement of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db import promises as db
from app.schemas.check import CheckResult
from app.schemas.events import HistoryEntry
from app.schemas.promise import (
    AtRiskOut,
    CapacityReservationOut,
    PromiseOut,
    ReservationsOut,
    StockReservationOut,
)
from app.services.events import history


def promise_out(session: Session, row: db.PromiseRow, now: datetime) -> PromiseOut:
    return promise_outs(session, [row], now)[0]


def promise_json(session: Session, row: db.PromiseRow, now: datetime) -> dict[str, Any]:
    return promise_out(session, row, now).model_dump(mode="json")


def promise_outs(
    session: Session, rows: Sequence[db.PromiseRow], now: datetime
) -> list[PromiseOut]:
    """Three queries for any number of promises: stock, minutes, history."""
    ids = [row.id for row in rows]
    reserved = db.reservations_of(session, ids)
    entries = history(session, ids)
    return [_shape(row, *reserved[row.id], entries[row.id], now) for row in rows]


def _shape(
    row: db.PromiseRow,
    stock: Sequence[db.PromiseStockRow],
    capacity: Sequence[db.PromiseCapacityRow],
    entries: list[HistoryEntry],
    now: datetime,
) -> PromiseOut:
    at_risk = None
    if row.at_risk_since is not None:
        at_risk = AtRiskOut(
            since=db.as_utc(row.at_risk_since),
            reason=row.at_risk_reason or "",
            earliest_date=row.at_risk_earliest_date,
        )
    return PromiseOut(
        id=row.id,
        status=db.effective_status(row, now),
        mode=row.mode,
        quote_ref=row.quote_ref,
        customer=row.customer,
        created_at=db.as_utc(row.created_at),
        expires_at=db.as_utc(row.expires_at),
        confirmed_at=db.as_utc(row.confirmed_at) if row.confirmed_at else None,
        released_at=db.as_utc(row.released_at) if row.released_at else None,
        check=CheckResult.model_validate(row.result),
        reservations=ReservationsOut(
            stock=[
                StockReservationOut(line_ref=s.line_ref, sku=s.sku, date=s.date, qty=s.qty)
                for s in stock
            ],
            capacity=[
                CapacityReservationOut(
                    line_ref=c.line_ref, resource=c.resource, date=c.date, minutes=c.minutes
                )
                for c in capacity
            ],
        ),
        at_risk=at_risk,
        history=entries,
    )
