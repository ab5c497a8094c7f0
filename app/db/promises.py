"""Promises (holds and confirmed promises), what they reserve, and idempotent POST answers.

A promise reserves stock per item and day and minutes per resource and day, stored per line so
that operations can see exactly what a promise holds. A hold counts while ``expires_at`` is in
the future: expiry needs no background job, every query that counts reservations filters on it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BindParameter,
    Boolean,
    Date,
    DateTime,
    Executable,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    bindparam,
    delete,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db.base import Base
from app.db.models import CODE, SKU
from app.solver.allocation import Delivery
from app.solver.plant import CapacityUse, Reservations, StockMove

HELD = "held"
CONFIRMED = "confirmed"
RELEASED = "released"
EXPIRED = "expired"
FULFILLED = "fulfilled"


class PromiseRow(Base):
    __tablename__ = "promises"
    __table_args__ = (
        Index("ix_promises_status_expires_at", "status", "expires_at"),
        Index("ix_promises_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # held | confirmed | released | expired | fulfilled. A held row whose expires_at has passed
    # is expired whatever this column says (see `effective_status`).
    status: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    quote_ref: Mapped[str] = mapped_column(String(200))
    customer: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    check_id: Mapped[str] = mapped_column(ForeignKey("checks.id"))
    # The check request as given (lines, ship_complete, ...) and the check result it holds.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Set when, after a change of planning data, a promised date can no longer be met.
    at_risk_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    at_risk_reason: Mapped[str | None] = mapped_column(String(1000))
    at_risk_earliest_date: Mapped[date | None] = mapped_column(Date)
    # True from the commit of a hold's reservations to the commit of its answer (a hold
    # explains its late lines after it has reserved: docs/concurrency.md). A pending promise
    # reserves like any hold, but no reader sees it and nothing is announced of it; a hold whose
    # process died in between stays pending and runs out at its expiry, unseen.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PromiseStockRow(Base):
    __tablename__ = "promise_stock"
    __table_args__ = (Index("ix_promise_stock_promise_id", "promise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    promise_id: Mapped[str] = mapped_column(ForeignKey("promises.id", ondelete="CASCADE"))
    line_ref: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(SKU)
    date: Mapped[date] = mapped_column(Date)
    qty: Mapped[int] = mapped_column(Integer)


class PromiseCapacityRow(Base):
    __tablename__ = "promise_capacity"
    __table_args__ = (Index("ix_promise_capacity_promise_id", "promise_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    promise_id: Mapped[str] = mapped_column(ForeignKey("promises.id", ondelete="CASCADE"))
    line_ref: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(CODE)
    date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)


class PromiseDeliveryRow(Base):
    """What a promise line delivers on its promised date: it uses up its customer's group's
    allocation of the item (SPEC section 7)."""

    __tablename__ = "promise_deliveries"
    __table_args__ = (
        Index("ix_promise_deliveries_promise_id", "promise_id"),
        Index("ix_promise_deliveries_sku_date", "sku", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    promise_id: Mapped[str] = mapped_column(ForeignKey("promises.id", ondelete="CASCADE"))
    line_ref: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(SKU)
    date: Mapped[date] = mapped_column(Date)
    qty: Mapped[int] = mapped_column(Integer)


class ReservationsVersionRow(Base):
    """One row: a random token that triggers on the promise tables renew in the transaction of
    every change to what promises take or deliver (migration 0009), whoever writes it. Processes
    cache the live reservations per token (app.services.reservations_cache)."""

    __tablename__ = "reservations_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class ReservationChangeRow(Base):
    """A link of the chain of renewals of the reservations version (migration 0011): the token
    before and after one change and, one row each, what it added (``stock``: name is the item;
    ``capacity``: the resource; ``delivery``: the customer, with the sku); ``none`` adds
    nothing, ``reset`` did something else than add (read everything again)."""

    __tablename__ = "reservation_changes"
    __table_args__ = (Index("ix_reservation_changes_prev_token", "prev_token"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prev_token: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(200))
    day: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(Integer)


class IdempotentAnswerRow(Base):
    """The first answer to a POST carrying an Idempotency-Key, replayed to its retries."""

    __tablename__ = "idempotent_answers"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Method and path, and a hash of the body: the same key with another body is refused.
    target: Mapped[str] = mapped_column(String(300))
    body_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- queries ---------------------------------------------------------------------------------


def any_stale_holds(session: Session, now: datetime) -> bool:
    """Is a hold past its expiry still marked held? (A cheap read, without a lock.)"""
    stale = select(PromiseRow.id).where(PromiseRow.status == HELD, PromiseRow.expires_at <= now)
    return session.scalar(stale.limit(1)) is not None


# SQL condition: the promise has its answer (readers see no pending one).
ANSWERED = PromiseRow.pending.is_(False)


def counts_now(now: datetime | BindParameter[Any]) -> Any:
    """SQL condition: the promise takes stock and capacity at ``now``."""
    return or_(
        PromiseRow.status == CONFIRMED,
        and_(PromiseRow.status == HELD, PromiseRow.expires_at > now),
    )


def get_promise(session: Session, promise_id: str) -> PromiseRow | None:
    """The promise, pending its answer or not (see ``PromiseRow.pending``)."""
    return session.get(PromiseRow, promise_id)


def get_answered_promise(session: Session, promise_id: str) -> PromiseRow | None:
    """The promise as readers may see it: None while it is pending its answer."""
    row = session.get(PromiseRow, promise_id)
    return None if row is None or row.pending else row


def add_promise(session: Session, **fields: Any) -> PromiseRow:
    """A new promise row, flushed so that the rows that reference it can follow."""
    row = PromiseRow(**fields)
    session.add(row)
    session.flush()
    return row


def expire_stale_holds(session: Session, now: datetime) -> list[PromiseRow]:
    """Mark the holds past their expiry expired and free their rows; the rows so marked.

    They already count for nothing (every query filters on expires_at): this only tidies. An
    expired hold is not at risk any more either: it promises nothing.
    """
    expired = list(
        session.scalars(
            select(PromiseRow)
            .where(PromiseRow.status == HELD, PromiseRow.expires_at <= now)
            .order_by(PromiseRow.created_at, PromiseRow.id)
        )
    )
    for row in expired:
        row.status = EXPIRED
        row.at_risk_since = row.at_risk_reason = row.at_risk_earliest_date = None
        drop_reservations(session, row.id)
    return expired


def promise_page(
    session: Session,
    now: datetime,
    *,
    status: str | None,
    at_risk: bool | None,
    limit: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[PromiseRow], bool]:
    """Newest first, keyset-paged on (created_at, id) after ``after``; True when more follow."""
    query = select(PromiseRow).where(ANSWERED)
    if status is not None:
        query = query.where(_status_condition(status, now))
    if at_risk is not None:
        # At risk means a live promise flagged: a hold that has run out promises nothing.
        flagged = and_(PromiseRow.at_risk_since.is_not(None), counts_now(now))
        query = query.where(flagged if at_risk else ~flagged)
    if after is not None:
        created_at, promise_id = after
        query = query.where(
            or_(
                PromiseRow.created_at < created_at,
                and_(PromiseRow.created_at == created_at, PromiseRow.id < promise_id),
            )
        )
    rows = session.scalars(
        query.order_by(PromiseRow.created_at.desc(), PromiseRow.id.desc()).limit(limit + 1)
    ).all()
    return list(rows[:limit]), len(rows) > limit


def _status_condition(status: str, now: datetime) -> Any:
    """SQL condition: the promise's effective status is ``status``."""
    if status == HELD:
        return and_(PromiseRow.status == HELD, PromiseRow.expires_at > now)
    if status == EXPIRED:
        return or_(
            PromiseRow.status == EXPIRED,
            and_(PromiseRow.status == HELD, PromiseRow.expires_at <= now),
        )
    return PromiseRow.status == status


def effective_status(row: PromiseRow, now: datetime) -> str:
    if row.status == HELD and as_utc(row.expires_at) <= now:
        return EXPIRED
    return row.status


RESERVATIONS_VERSION_ROW_ID = 1
# Read by every check: built once (building it and its cache key cost more than running it).
_RESERVATIONS_VERSION = select(ReservationsVersionRow.token).where(
    ReservationsVersionRow.id == RESERVATIONS_VERSION_ROW_ID
)
_FIRST_EXPIRY = select(func.min(PromiseRow.expires_at)).where(
    PromiseRow.status == HELD, PromiseRow.expires_at > bindparam("now")
)


def reservations_version(session: Session) -> str:
    """The token renewed by every change to what promises take (see ReservationsVersionRow)."""
    token = session.scalar(_RESERVATIONS_VERSION)
    if token is None:
        raise RuntimeError("the reservations_version row is missing: run the migrations")
    return token


def first_expiry_after(session: Session, now: datetime) -> datetime | None:
    """When the first hold that counts at ``now`` runs out (None: no hold counts)."""
    first = session.scalar(_FIRST_EXPIRY, {"now": now})
    return None if first is None else as_utc(first)


_SINCE = select(func.min(ReservationChangeRow.seq)).where(
    ReservationChangeRow.prev_token == bindparam("since")
)
# One statement: the current token, the first expiry after ``now``, and the links from
# ``since`` on (one row each; one row of NULLs when there are none), all of one snapshot.
_CHANGES_FROM = (
    select(
        ReservationsVersionRow.token.label("current"),
        _FIRST_EXPIRY.scalar_subquery().label("first_expiry"),
        ReservationChangeRow.prev_token,
        ReservationChangeRow.token,
        ReservationChangeRow.kind,
        ReservationChangeRow.name,
        ReservationChangeRow.sku,
        ReservationChangeRow.day,
        ReservationChangeRow.amount,
    )
    .select_from(ReservationsVersionRow)
    .outerjoin(ReservationChangeRow, ReservationChangeRow.seq >= _SINCE.scalar_subquery())
    .where(ReservationsVersionRow.id == RESERVATIONS_VERSION_ROW_ID)
    .order_by(ReservationChangeRow.seq)
)


@dataclass(frozen=True, slots=True)
class ChangesSince:
    """The current reservations version, what the changes since a token added to what live
    promises take (None: one of them did anything but add, or the chain from that token is not
    all there), and the first expiry of a hold that counts (None: none counts)."""

    token: str
    added: Reservations | None
    first_expiry: datetime | None


def reservations_since(session: Session, since: str, now: datetime) -> ChangesSince:
    """What changed since reservations version ``since`` (migration 0011), in one statement."""
    rows = session.execute(_CHANGES_FROM, {"since": since, "now": now}).all()
    if not rows:
        raise RuntimeError("the reservations_version row is missing: run the migrations")
    current = rows[0].current
    first = rows[0].first_expiry
    links = [row for row in rows if row.prev_token is not None]
    return ChangesSince(
        current, _added(links, since, current), None if first is None else as_utc(first)
    )


def _added(links: Sequence[Any], since: str, until: str) -> Reservations | None:
    """What the links from token ``since`` to ``until`` added, in order; None when one did
    anything but add or the chain breaks."""
    stock: list[StockMove] = []
    capacity: list[CapacityUse] = []
    deliveries: list[Delivery] = []
    token = since
    rows = iter(links)
    row = next(rows, None)
    while token != until:
        if row is None or row.prev_token != token:
            return None  # the chain breaks: read everything
        link = row.token
        while row is not None and row.prev_token == token and row.token == link:
            if row.kind == "reset":
                return None
            if row.kind != "none":
                if row.name is None or row.day is None or row.amount is None:
                    return None
                if row.kind == "stock":
                    stock.append(StockMove(row.name, row.amount, row.day))
                elif row.kind == "capacity":
                    capacity.append(CapacityUse(row.name, row.day, row.amount))
                elif row.kind == "delivery" and row.sku is not None:
                    deliveries.append(Delivery(row.name, row.sku, row.amount, row.day))
                else:
                    return None
            row = next(rows, None)
        token = link
    return Reservations(tuple(stock), tuple(capacity), tuple(deliveries))


def prune_reservation_changes(session: Session, keep: int) -> int:
    """Delete all but the newest ``keep`` links; how many rows went. A cache older than what
    is kept reads everything again."""
    newest = session.scalar(select(func.max(ReservationChangeRow.seq)))
    if newest is None:
        return 0
    gone = session.execute(
        delete(ReservationChangeRow).where(ReservationChangeRow.seq <= newest - keep)
    )
    return int(getattr(gone, "rowcount", 0) or 0)


def live_reservations(
    session: Session, now: datetime, *, excluding: str | None = None, confirmed_only: bool = False
) -> Reservations:
    """Everything that held (unexpired) and confirmed promises take, summed per item/resource and
    day; only what confirmed ones take with ``confirmed_only``.

    First one indexed look-up for any promise that counts (with the same conditions): when
    there is none, the three sums are provably empty (each joins the promises on exactly those
    conditions), so they are not run. The statements are built once (``_reservation_queries``).
    """
    queries = _reservation_queries(excluding=excluding is not None, confirmed_only=confirmed_only)
    params = {"now": now, "excluding": excluding}
    if session.execute(queries.any_counting, params).first() is None:
        return Reservations()
    return Reservations(
        stock=tuple(
            StockMove(sku, int(qty), day)
            for sku, day, qty in session.execute(queries.stock, params)
        ),
        capacity=tuple(
            CapacityUse(resource, day, int(minutes))
            for resource, day, minutes in session.execute(queries.capacity, params)
        ),
        deliveries=tuple(
            Delivery(customer, sku, int(qty), day)
            for customer, sku, day, qty in session.execute(queries.deliveries, params)
        ),
    )


@dataclass(frozen=True, slots=True)
class _ReservationQueries:
    any_counting: Executable
    stock: Executable
    capacity: Executable
    deliveries: Executable


@functools.cache
def _reservation_queries(*, excluding: bool, confirmed_only: bool) -> _ReservationQueries:
    """The statements of ``live_reservations``, with ``now`` and ``excluding`` as parameters.

    Built once per variant: building them and their cache keys cost more than running them.
    """
    counting = counts_now(bindparam("now"))
    if excluding:
        counting = and_(counting, PromiseRow.id != bindparam("excluding"))
    if confirmed_only:
        counting = and_(counting, PromiseRow.status == CONFIRMED)
    return _ReservationQueries(
        any_counting=select(PromiseRow.id).where(counting).limit(1),
        stock=(
            select(PromiseStockRow.sku, PromiseStockRow.date, func.sum(PromiseStockRow.qty))
            .join(PromiseRow, PromiseRow.id == PromiseStockRow.promise_id)
            .where(counting)
            .group_by(PromiseStockRow.sku, PromiseStockRow.date)
        ),
        capacity=(
            select(
                PromiseCapacityRow.resource,
                PromiseCapacityRow.date,
                func.sum(PromiseCapacityRow.minutes),
            )
            .join(PromiseRow, PromiseRow.id == PromiseCapacityRow.promise_id)
            .where(counting)
            .group_by(PromiseCapacityRow.resource, PromiseCapacityRow.date)
        ),
        deliveries=(
            select(
                PromiseRow.customer,
                PromiseDeliveryRow.sku,
                PromiseDeliveryRow.date,
                func.sum(PromiseDeliveryRow.qty),
            )
            .join(PromiseRow, PromiseRow.id == PromiseDeliveryRow.promise_id)
            .where(counting)
            .group_by(PromiseRow.customer, PromiseDeliveryRow.sku, PromiseDeliveryRow.date)
        ),
    )


def live_capacity_by_status(
    session: Session, now: datetime, first: date, last: date
) -> list[tuple[str, date, str, int]]:
    """(resource, day, held|confirmed, minutes) reserved by live promises between two days."""
    query = (
        select(
            PromiseCapacityRow.resource,
            PromiseCapacityRow.date,
            PromiseRow.status,
            func.sum(PromiseCapacityRow.minutes),
        )
        .join(PromiseRow, PromiseRow.id == PromiseCapacityRow.promise_id)
        .where(counts_now(now), PromiseCapacityRow.date.between(first, last))
        .group_by(PromiseCapacityRow.resource, PromiseCapacityRow.date, PromiseRow.status)
    )
    return [(r, d, s, int(m)) for r, d, s, m in session.execute(query)]


def live_deliveries_by_status(
    session: Session, now: datetime, skus: Sequence[str]
) -> list[tuple[str, str, date, str, int]]:
    """(customer, sku, day, held|confirmed, qty) that live promises deliver of ``skus``."""
    query = (
        select(
            PromiseRow.customer,
            PromiseDeliveryRow.sku,
            PromiseDeliveryRow.date,
            PromiseRow.status,
            func.sum(PromiseDeliveryRow.qty),
        )
        .join(PromiseRow, PromiseRow.id == PromiseDeliveryRow.promise_id)
        .where(counts_now(now), PromiseDeliveryRow.sku.in_(list(skus)))
        .group_by(
            PromiseRow.customer, PromiseDeliveryRow.sku, PromiseDeliveryRow.date, PromiseRow.status
        )
    )
    return [(c, s, d, st, int(q)) for c, s, d, st, q in session.execute(query)]


def add_reservations(
    session: Session,
    promise_id: str,
    stock: Sequence[tuple[str, StockMove]],
    capacity: Sequence[tuple[str, CapacityUse]],
    deliveries: Sequence[tuple[str, StockMove]] = (),
) -> None:
    """Store what a promise takes and delivers, per line (line_ref, move)."""
    session.add_all(
        PromiseDeliveryRow(promise_id=promise_id, line_ref=ref, sku=m.sku, date=m.date, qty=m.qty)
        for ref, m in deliveries
    )
    session.add_all(
        PromiseStockRow(promise_id=promise_id, line_ref=ref, sku=m.sku, date=m.date, qty=m.qty)
        for ref, m in stock
    )
    session.add_all(
        PromiseCapacityRow(
            promise_id=promise_id, line_ref=ref, resource=u.resource, date=u.date, minutes=u.minutes
        )
        for ref, u in capacity
    )


def reservations_of(
    session: Session, promise_ids: Sequence[str]
) -> dict[str, tuple[list[PromiseStockRow], list[PromiseCapacityRow]]]:
    """What each promise reserves, in the order it was reserved (two queries for any number)."""
    found: dict[str, tuple[list[PromiseStockRow], list[PromiseCapacityRow]]] = {
        promise_id: ([], []) for promise_id in promise_ids
    }
    for stock in session.scalars(
        select(PromiseStockRow)
        .where(PromiseStockRow.promise_id.in_(promise_ids))
        .order_by(PromiseStockRow.id)
    ):
        found[stock.promise_id][0].append(stock)
    for capacity in session.scalars(
        select(PromiseCapacityRow)
        .where(PromiseCapacityRow.promise_id.in_(promise_ids))
        .order_by(PromiseCapacityRow.id)
    ):
        found[capacity.promise_id][1].append(capacity)
    return found


def reserved_by(session: Session, promise_id: str) -> Reservations:
    """What one promise takes."""
    stock, capacity = reservations_of(session, [promise_id])[promise_id]
    return Reservations(
        tuple(StockMove(row.sku, row.qty, row.date) for row in stock),
        tuple(CapacityUse(row.resource, row.date, row.minutes) for row in capacity),
    )


def drop_reservations(session: Session, promise_id: str) -> None:
    for model in (PromiseStockRow, PromiseCapacityRow, PromiseDeliveryRow):
        session.query(model).filter(model.promise_id == promise_id).delete()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
