"""Promise events: each promise's history, and the outbox its announcements go out from.

An event row is written in the same transaction as the change it announces (with a delivery row
per subscribed webhook endpoint, app.db.webhooks), so a committed change is never left
unannounced and a rolled-back one is never announced.

``seq`` orders the events for the live stream (SSE ids, ``Last-Event-ID``). Every writer of a
promise event holds the reservations lock (app.db.locking), so events commit in ``seq`` order
and a reader that has seen ``seq`` n has seen everything before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db.base import Base


class PromiseEventRow(Base):
    __tablename__ = "promise_events"
    __table_args__ = (Index("ix_promise_events_promise_id_seq", "promise_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The event's id: webhook-id on every delivery of it, the same on every retry.
    id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    promise_id: Mapped[str] = mapped_column(ForeignKey("promises.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The API key's role and id, or "system".
    by: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(String(2000))
    # The announcement exactly as delivered: {"type", "timestamp", "data": {"promise", "entry"}}.
    body: Mapped[str] = mapped_column(Text)


def add_event(session: Session, row: PromiseEventRow) -> None:
    session.add(row)
    session.flush()  # assigns seq


def history_of(session: Session, promise_ids: Sequence[str]) -> dict[str, list[PromiseEventRow]]:
    """Each promise's events, oldest first (one query for any number of promises)."""
    found: dict[str, list[PromiseEventRow]] = {promise_id: [] for promise_id in promise_ids}
    if promise_ids:
        for row in session.scalars(
            select(PromiseEventRow)
            .where(PromiseEventRow.promise_id.in_(promise_ids))
            .order_by(PromiseEventRow.seq)
        ):
            found[row.promise_id].append(row)
    return found


def events_after(session: Session, seq: int, limit: int) -> Sequence[PromiseEventRow]:
    return session.scalars(
        select(PromiseEventRow)
        .where(PromiseEventRow.seq > seq)
        .order_by(PromiseEventRow.seq)
        .limit(limit)
    ).all()


def last_seq(session: Session) -> int:
    return session.scalar(select(func.max(PromiseEventRow.seq))) or 0
