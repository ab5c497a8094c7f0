"""Stored checks: write one, read one, and page through them newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, insert, select, tuple_, update
from sqlalchemy.orm import Session

from app.db.models import CheckRow, CheckSkuRow

FEASIBLE = "feasible"
# The status of a hold's check from the commit of its reservations to that of its answer (see
# app.db.promises.PromiseRow.pending): stored, but no reader sees it.
PENDING = "pending"
# On the tables, not the mapped classes: a check is written once and never changed in its
# transaction, so the ORM's bulk-insert bookkeeping (or a unit-of-work flush) buys nothing and
# costs more than the two statements.
_INSERT_CHECK = insert(cast("Table", CheckRow.__table__))
_INSERT_SKUS = insert(cast("Table", CheckSkuRow.__table__))


def add_check(
    session: Session,
    *,
    check_id: str,
    quote_ref: str,
    customer: str,
    as_of: date,
    status: str,
    created_at: datetime,
    request: dict[str, Any],
    result: dict[str, Any],
) -> None:
    # The check, then its skus in one executemany: two statements, nothing to flush.
    session.execute(
        _INSERT_CHECK,
        {
            "id": check_id,
            "quote_ref": quote_ref,
            "customer": customer,
            "as_of": as_of,
            "status": status,
            "created_at": created_at,
            "request": request,
            "result": result,
        },
    )
    skus = dict.fromkeys(line["sku"] for line in request.get("lines", ()))
    if skus:
        session.execute(
            _INSERT_SKUS,
            [{"check_id": check_id, "sku": sku, "created_at": created_at} for sku in skus],
        )


def get_check(session: Session, check_id: str) -> CheckRow | None:
    """The check; None while it is pending its answer."""
    row = session.get(CheckRow, check_id)
    return None if row is None or row.status == PENDING else row


def answer_check(session: Session, check_id: str, *, status: str, result: dict[str, Any]) -> None:
    """The answer of a check stored pending (``PENDING``)."""
    session.execute(
        update(CheckRow).where(CheckRow.id == check_id).values(status=status, result=result)
    )


@dataclass(frozen=True, slots=True)
class CheckFilter:
    """What to list; None is no filter. ``rejected``: every status but feasible."""

    status: str | None = None
    rejected: bool = False
    sku: str | None = None
    customer: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def find_checks(
    session: Session,
    where: CheckFilter,
    *,
    after: tuple[datetime, str] | None,
    limit: int,
) -> Sequence[CheckRow]:
    """Up to ``limit`` checks, newest first, strictly after the (created_at, id) ``after``."""
    return session.scalars(checks_query(where, after=after, limit=limit)).all()


def checks_query(
    where: CheckFilter, *, after: tuple[datetime, str] | None, limit: int
) -> Select[Any]:
    """The query of ``find_checks``.

    Each filter has an index whose order is the listing's (app.db.models.CheckRow), so a page
    is one index range scan; with ``sku`` the scan runs on check_skus and joins each check.
    """
    query = select(CheckRow)
    created_at, key = CheckRow.created_at, CheckRow.id
    if where.sku is not None:
        # Ordered by the check_skus copy of (created_at, id), so its index gives the order.
        created_at, key = CheckSkuRow.created_at, CheckSkuRow.check_id
        query = query.join(CheckSkuRow, CheckSkuRow.check_id == CheckRow.id).where(
            CheckSkuRow.sku == where.sku
        )
    if where.status is not None:
        query = query.where(CheckRow.status == where.status)
    else:
        query = query.where(CheckRow.status != PENDING)
    if where.rejected:
        # Written as the partial index's predicate, so that the planner can use it.
        query = query.where(CheckRow.status != FEASIBLE)
    if where.customer is not None:
        query = query.where(CheckRow.customer == where.customer)
    if where.since is not None:
        query = query.where(created_at >= where.since)
    if where.until is not None:
        query = query.where(created_at < where.until)
    if after is not None:
        query = query.where(tuple_(created_at, key) < tuple_(*after))
    return query.order_by(created_at.desc(), key.desc()).limit(limit)
