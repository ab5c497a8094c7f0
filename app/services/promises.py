"""Hold, confirm and release promises (SPEC section 3): no double promise, ever.

Every change to what is reserved runs as: take the reservations lock, read the clock, re-read
what is reserved, solve, write. The lock (``app.db.locking``) makes these sequences run one at a
time across all processes, so each solve sees every reservation committed before it and nothing
can slip in between its read and its write. See docs/concurrency.md.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.clock import Clock
from app.db import promises as db
from app.db.locking import lock_reservations
from app.errors import Conflict, FieldError, Invalid, NotFound, pointer
from app.schemas.check import CheckRequest, CheckResult
from app.schemas.promise import (
    AtRiskOut,
    CapacityReservationOut,
    HoldRequest,
    PromiseList,
    PromiseOut,
    ReservationsOut,
    StockReservationOut,
)
from app.services.checks import (
    evaluate_quote,
    parse_request,
    request_line_errors,
    store_check,
    today,
)
from app.services.outcomes import Refusal
from app.services.promise_risk import after_freeing, check_before_confirm, clear_risk
from app.services.reservations import reserve_plan
from app.settings import Settings
from app.solver.results import QuoteResult


@dataclass(frozen=True, slots=True)
class PromiseContext:
    session: Session
    settings: Settings
    clock: Clock


def hold(ctx: PromiseContext, raw: Any) -> PromiseOut | Refusal:
    """Check the quote of the JSON body ``raw`` and hold its plan, or refuse with the check
    when it cannot be held. An invalid body is 422 with every error at once, the past as_of
    included."""
    received = ctx.clock()
    today_ = today(ctx.settings, received)
    request = parse_request(
        ctx.session,
        ctx.settings,
        HoldRequest,
        raw,
        now=received,
        more_errors=lambda as_of: _past_errors(as_of, today_),
    )
    session = ctx.session
    lock_reservations(session)
    now = ctx.clock()
    if db.expire_stale_holds(session, now):
        after_freeing(session, ctx.settings, now)
    check_request = CheckRequest.model_validate(
        request.model_dump(exclude={"hold_minutes", "mode"})
    )
    _refuse_past(session, ctx.settings, check_request, today(ctx.settings, now))
    dated, quote = evaluate_quote(
        session, ctx.settings, check_request, db.live_reservations(session, now), now=now
    )
    result = store_check(session, dated, quote, now)
    refusal = _refusal(quote, request.mode)
    if refusal is not None:
        return Refusal(refusal, result)
    row = db.add_promise(
        session,
        id=str(uuid.uuid4()),
        status=db.HELD,
        mode=request.mode,
        quote_ref=request.quote_ref,
        customer=request.customer,
        as_of=quote.as_of,
        created_at=now,
        expires_at=now + timedelta(minutes=request.hold_minutes),
        check_id=result.id,
        request=dated.model_dump(mode="json") | {"mode": request.mode},
        result=result.model_dump(mode="json"),
    )
    reserve_plan(session, row.id, quote)
    return _out(session, row, now)


def confirm(ctx: PromiseContext, promise_id: str) -> PromiseOut | Refusal:
    """A live hold becomes confirmed; an expired one is checked again and must keep its dates."""
    session = ctx.session
    lock_reservations(session)
    now = ctx.clock()
    row = _get(session, promise_id)
    status = db.effective_status(row, now)
    if status in (db.RELEASED, db.FULFILLED):
        raise Conflict(f"promise {promise_id} is {status}; it cannot be confirmed")
    if status == db.HELD:
        checked = check_before_confirm(session, ctx.settings, now, row)
        if checked.refusal is not None:
            return Refusal(checked.refusal, checked.check or CheckResult.model_validate(row.result))
        row.status = db.CONFIRMED
        row.confirmed_at = now
    elif status == db.EXPIRED:
        refused = _confirm_expired(ctx, row, now)
        if refused is not None:
            return refused
    return _out(session, row, now)


def release(ctx: PromiseContext, promise_id: str) -> PromiseOut:
    """Give the stock and minutes back. Releasing a released promise changes nothing."""
    session = ctx.session
    lock_reservations(session)
    now = ctx.clock()
    row = _get(session, promise_id)
    if row.status == db.FULFILLED:
        raise Conflict(f"promise {promise_id} is fulfilled; the ERP carries it now")
    if row.status != db.RELEASED:
        row.status = db.RELEASED
        row.released_at = now
        db.drop_reservations(session, row.id)
        clear_risk(row)
        after_freeing(session, ctx.settings, now)
    return _out(session, row, now)


def read_promise(session: Session, promise_id: str, now: datetime) -> PromiseOut:
    return _out(session, _get(session, promise_id), now)


def list_promises(
    session: Session,
    now: datetime,
    *,
    status: str | None = None,
    at_risk: bool | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> PromiseList:
    """Newest first, keyset-paged on (created_at, id) so that new promises do not shift pages."""
    after = _decode_cursor(cursor) if cursor is not None else None
    page, more = db.promise_page(
        session, now, status=status, at_risk=at_risk, limit=limit, after=after
    )
    next_cursor = _encode_cursor(page[-1]) if more else None
    return PromiseList(items=_outs(session, page, now), next_cursor=next_cursor)


# -- the pieces -----------------------------------------------------------------------------


def _refuse_past(session: Session, settings: Settings, request: CheckRequest, today_: date) -> None:
    """A hold reserves from today on: stock and minutes of days gone by cannot be promised.

    Refused with the errors of the lines too, so that one answer lists everything to fix.
    """
    errors = _past_errors(request.as_of, today_)
    if errors:
        assert request.as_of is not None  # noqa: S101  (an error means an as_of)
        errors += request_line_errors(session, request, request.as_of, settings.horizon_days)
        raise Invalid("a hold cannot start in the past", errors)


def _past_errors(as_of: date | None, today_: date) -> list[FieldError]:
    if as_of is None or as_of >= today_:
        return []
    return [
        FieldError(
            pointer("as_of"),
            f"as_of {as_of} is before today ({today_}); leave it out or use today or a later day",
        )
    ]


def _refusal(quote: QuoteResult, mode: str) -> str | None:
    if quote.status == "infeasible":
        return "the quote cannot be held: a line has no date within the horizon"
    if mode == "requested_only" and quote.status != "feasible":
        return "the quote cannot be held as requested: a line is late (mode requested_only)"
    return None


def _confirm_expired(ctx: PromiseContext, row: db.PromiseRow, now: datetime) -> Refusal | None:
    """Check the expired hold's quote again; confirm only if every line keeps its date."""
    session = ctx.session
    db.drop_reservations(session, row.id)
    original = CheckResult.model_validate(row.result)
    stored = CheckRequest.model_validate({k: v for k, v in row.request.items() if k != "mode"})
    # Checked again from today: days gone by since the hold was made cannot be reserved.
    today_ = today(ctx.settings, now)
    request = stored.model_copy(update={"as_of": max(stored.as_of or today_, today_)})
    try:
        dated, quote = evaluate_quote(
            session, ctx.settings, request, db.live_reservations(session, now), now=now
        )
    except Invalid as exc:
        row.status = db.EXPIRED
        return Refusal(f"the hold expired and cannot be checked again: {exc.detail}", original)
    fresh = store_check(session, dated, quote, now)
    same_dates = [line.promised_date for line in fresh.lines] == [
        line.promised_date for line in original.lines
    ]
    if not same_dates or _refusal(quote, row.mode) is not None:
        row.status = db.EXPIRED
        return Refusal("the hold expired and its dates no longer hold; see the fresh check", fresh)
    reserve_plan(session, row.id, quote)
    clear_risk(row)
    row.status = db.CONFIRMED
    row.confirmed_at = now
    row.check_id = fresh.id
    row.result = _json(fresh)
    return None


def _get(session: Session, promise_id: str) -> db.PromiseRow:
    row = db.get_promise(session, promise_id)
    if row is None:
        raise NotFound(f"no promise with id {promise_id}")
    return row


def _out(session: Session, row: db.PromiseRow, now: datetime) -> PromiseOut:
    return _outs(session, [row], now)[0]


def _outs(session: Session, rows: Sequence[db.PromiseRow], now: datetime) -> list[PromiseOut]:
    reserved = db.reservations_of(session, [row.id for row in rows])
    return [_shape(row, *reserved[row.id], now) for row in rows]


def _shape(
    row: db.PromiseRow,
    stock: Sequence[db.PromiseStockRow],
    capacity: Sequence[db.PromiseCapacityRow],
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
    )


def _json(check: CheckResult) -> dict[str, Any]:
    return check.model_dump(mode="json")


def _encode_cursor(row: db.PromiseRow) -> str:
    raw = f"{db.as_utc(row.created_at).isoformat()}|{row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created_at, promise_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(created_at), promise_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(
            "the cursor is not one this service gave out",
            [FieldError(pointer("cursor"), "malformed cursor")],
        ) from exc
