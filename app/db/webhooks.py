"""Webhook endpoints and their deliveries (the outbox rows the relay sends).

A delivery is one event for one endpoint. Its attempts are claimed one at a time: a claim bumps
``attempts`` and pushes ``next_attempt_at`` out by a lease in one short transaction, so no other
process takes the same attempt; the outcome is recorded only by the claimant of that attempt.
On PostgreSQL the claim reads with ``FOR UPDATE SKIP LOCKED`` (processes claiming at once take
different rows and never wait on each other); on SQLite the claim runs in a ``BEGIN IMMEDIATE``
transaction, which serialises claimants just the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db.base import Base

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"


class WebhookEndpointRow(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(JSON)
    # "whsec_" + base64 of 32 random bytes: the HMAC key needs it whole, so it is stored as is.
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    # The first failed attempt since the last success: failing for 5 days disables it.
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_id_created_at", "endpoint_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    # webhook-id: the event's id, the same on every attempt.
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(40))
    # The event's place in the stream (promise_events.seq; 0 for a test event): an endpoint's
    # due deliveries go out in this order.
    event_seq: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    # pending | delivered | failed
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When a pending delivery is next tried (or, while an attempt is out, when its lease ends).
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def add_endpoint(session: Session, row: WebhookEndpointRow) -> None:
    session.add(row)
    session.flush()


def get_endpoint(session: Session, endpoint_id: str) -> WebhookEndpointRow | None:
    return session.get(WebhookEndpointRow, endpoint_id)


def delete_endpoint(session: Session, row: WebhookEndpointRow) -> None:
    """The endpoint and its deliveries go (a relay sending one finds it gone and drops it)."""
    session.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == row.id))
    session.delete(row)
    session.flush()


def list_endpoints(session: Session) -> Sequence[WebhookEndpointRow]:
    return session.scalars(
        select(WebhookEndpointRow).order_by(WebhookEndpointRow.created_at, WebhookEndpointRow.id)
    ).all()


def subscribed_endpoints(session: Session, event_type: str) -> list[WebhookEndpointRow]:
    """The live endpoints that receive ``event_type`` (filtered here: JSON lists differ per
    database, and there are few endpoints)."""
    rows = session.scalars(
        select(WebhookEndpointRow).where(WebhookEndpointRow.disabled_at.is_(None))
    ).all()
    return [row for row in rows if event_type in row.events]


def add_delivery(session: Session, row: WebhookDeliveryRow) -> None:
    session.add(row)


def get_delivery(session: Session, endpoint_id: str, delivery_id: str) -> WebhookDeliveryRow | None:
    row = session.get(WebhookDeliveryRow, delivery_id)
    return row if row is not None and row.endpoint_id == endpoint_id else None


def deliveries_of(
    session: Session, endpoint_id: str, *, status: str | None, limit: int
) -> Sequence[WebhookDeliveryRow]:
    query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDeliveryRow.status == status)
    return session.scalars(
        query.order_by(WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.id.desc()).limit(
            limit
        )
    ).all()


def any_due(session: Session, now: datetime) -> bool:
    """A cheap read first, so that an idle relay never takes a write lock."""
    return session.scalar(select(WebhookDeliveryRow.id).where(_due(now)).limit(1)) is not None


def claim_due(
    session: Session, now: datetime, *, limit: int, lease_until: datetime
) -> list[tuple[WebhookDeliveryRow, WebhookEndpointRow]]:
    """Take up to ``limit`` due attempts for this process: attempts + 1, leased until
    ``lease_until``. The caller commits at once, then sends."""
    rows = session.scalars(
        select(WebhookDeliveryRow)
        .where(_due(now))
        .order_by(
            WebhookDeliveryRow.next_attempt_at,
            WebhookDeliveryRow.event_seq,
            WebhookDeliveryRow.id,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row in rows:
        endpoint = session.get(WebhookEndpointRow, row.endpoint_id)
        if endpoint is None or endpoint.disabled_at is not None:
            continue
        row.attempts += 1
        row.last_attempt_at = now
        row.next_attempt_at = lease_until
        claimed.append((row, endpoint))
    session.flush()
    return claimed


def claimed_attempt(
    session: Session, delivery_id: str, attempt: int
) -> tuple[WebhookDeliveryRow, WebhookEndpointRow] | None:
    """The delivery and its endpoint, locked, if ``attempt`` is still its latest and pending."""
    row = session.get(WebhookDeliveryRow, delivery_id, with_for_update=True)
    if row is None or row.status != PENDING or row.attempts != attempt:
        return None
    endpoint = session.get(WebhookEndpointRow, row.endpoint_id, with_for_update=True)
    return None if endpoint is None else (row, endpoint)


def fail_pending_of(session: Session, endpoint_id: str, reason: str) -> None:
    session.execute(
        update(WebhookDeliveryRow)
        .where(
            WebhookDeliveryRow.endpoint_id == endpoint_id,
            WebhookDeliveryRow.status == PENDING,
        )
        .values(status=FAILED, next_attempt_at=None, last_error=reason[:500])
    )


def _due(now: datetime) -> Any:
    endpoint_live = select(WebhookEndpointRow.id).where(WebhookEndpointRow.disabled_at.is_(None))
    return and_(
        WebhookDeliveryRow.status == PENDING,
        or_(
            WebhookDeliveryRow.next_attempt_at.is_(None), WebhookDeliveryRow.next_attempt_at <= now
        ),
        WebhookDeliveryRow.endpoint_id.in_(endpoint_live),
    )
