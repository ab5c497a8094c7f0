"""What happened to a promise, recorded and announced in the transaction that made it happen.

Every use case that changes a promise calls ``record`` (or ``record_changes`` for what a
re-evaluation did), with the reservations lock held: the history entry, the announcement (the
promise as the API shows it right after the change) and its webhook deliveries are written with
the change, or not at all (app.services.events).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.db import promises as db
from app.schemas.events import SYSTEM, EventType
from app.services.events import announce
from app.services.promise_views import promise_json

if TYPE_CHECKING:
    from app.services.promise_risk import RiskChange


def record(
    session: Session,
    row: db.PromiseRow,
    event: EventType,
    *,
    by: str,
    detail: str,
    now: datetime,
    at: datetime | None = None,
) -> None:
    """``event`` happened to the promise ``row`` (``at``, default ``now``). Nothing is
    announced of a promise pending its answer: the answer announces it (``promise.held``)."""
    if row.pending:
        return
    announce(
        session,
        row.id,
        event,
        by=by,
        detail=detail,
        at=at or now,
        shape=lambda: promise_json(session, row, now),
    )


def record_changes(session: Session, changes: Iterable[RiskChange], now: datetime) -> None:
    """What a re-evaluation did to each promise (at risk, re-planned, risk cleared), by the
    system, in the order it did it."""
    for change in changes:
        row = db.get_promise(session, change.promise_id)
        if row is not None:
            record(
                session,
                row,
                _RISK_EVENTS[change.event],
                by=SYSTEM,
                detail=change.detail,
                now=now,
            )


_RISK_EVENTS: dict[str, EventType] = {
    "at_risk": "promise.at_risk",
    "replanned": "promise.replanned",
    "risk_cleared": "promise.risk_cleared",
}
