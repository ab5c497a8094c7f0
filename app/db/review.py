"""Read-only queries behind the operations review and the shared numbers.

Writes of checks and promises live in ``app.db.checks`` and ``app.db.promises``; this module
only reads them, shaped for review lists and period statistics.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.db.checks import PENDING
from app.db.models import CheckRow
from app.db.promises import ANSWERED, PromiseRow, counts_now, effective_status

# Rows streamed per round trip: a long period must not load every stored answer at once.
BATCH = 200


def check_results_between(session: Session, start: datetime, end: datetime) -> Iterator[Any]:
    """The stored result documents of checks made in [start, end)."""
    query = (
        select(CheckRow.result)
        .where(CheckRow.created_at >= start, CheckRow.created_at < end, CheckRow.status != PENDING)
        .execution_options(yield_per=BATCH)
    )
    yield from session.scalars(query)


@dataclass(frozen=True, slots=True)
class PromiseStatusRow:
    status: str
    at_risk: bool


def promise_statuses_between(
    session: Session, start: datetime, end: datetime, now: datetime
) -> list[PromiseStatusRow]:
    """Status now (an expired hold reads as expired) of the promises made in [start, end)."""
    rows = session.scalars(
        select(PromiseRow).where(
            PromiseRow.created_at >= start, PromiseRow.created_at < end, ANSWERED
        )
    )
    return [
        PromiseStatusRow(effective_status(row, now), row.at_risk_since is not None) for row in rows
    ]


def live_promises(session: Session, now: datetime, limit: int) -> list[PromiseRow]:
    """Held (unexpired) and confirmed promises; those at risk first, then the newest."""
    at_risk_first = case((PromiseRow.at_risk_since.is_(None), 1), else_=0)
    query = (
        select(PromiseRow)
        .where(counts_now(now), ANSWERED)
        .order_by(at_risk_first, PromiseRow.created_at.desc(), PromiseRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def count_live_promises(session: Session, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(PromiseRow).where(counts_now(now))) or 0
