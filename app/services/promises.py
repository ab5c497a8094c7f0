"""Hold, confirm and release promises (SPEC section 3): no double promise, ever.

Every change to what is reserved runs as: take the reservations lock, read the clock, re-read
what is reserved, solve (or prove plans found before still stand), write. The lock
(``app.db.locking``) makes these sequences run one at a time across all processes, so each
reservation holds on every reservation committed before it and nothing can slip in between its
read and its write. A hold plans first on a snapshot read without the lock and keeps those
plans only when ``app.solver.standing`` proves they stand on what is reserved under the lock;
otherwise it plans again there. It commits its reservations before it explains its late lines
(which reserves nothing), so the lock is held for the plans only. See docs/concurrency.md.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from app.clock import Clock
from app.db import promises as db
from app.db.engine import begin_writing, commit_and_read
from app.db.locking import lock_reservations
from app.errors import Conflict, FieldError, Invalid, NotFound, pointer
from app.metrics import HOLD_ANSWERS
from app.schemas.check import CheckRequest, CheckResult
from app.schemas.events import SYSTEM
from app.schemas.promise import HoldRequest, PromiseList, PromiseOut
from app.services.checks import (
    answer_kept,
    answer_pending_check,
    current_plant,
    evaluate_quote,
    explain,
    parse_request,
    plan_on,
    request_line_errors,
    reserved_now,
    reserved_state,
    store_check,
    store_check_json,
    today,
)
from app.services.expiry import announce_expiry, expire_holds
from app.services.outcomes import Refusal, StoredCheck
from app.services.promise_events import record
from app.services.promise_risk import after_freeing, check_before_confirm, clear_risk
from app.services.promise_views import promise_out, promise_outs
from app.services.reservations import reserve_plan
from app.services.snapshot_gate import snapshot_gate
from app.settings import Settings
from app.solver.engine import PlannedQuote
from app.solver.plant import Reservations
from app.solver.results import QuoteResult
from app.solver.standing import why_not_standing

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PromiseContext:
    session: Session
    settings: Settings
    clock: Clock
    # Who acts, for the history: the API key's role and id (app.services.events.actor).
    by: str
    # A hold may commit its reservations before its answer (``hold``): not under an
    # Idempotency-Key, whose stored answer must commit with the work it answers.
    explain_after_reserving: bool = True


def hold(ctx: PromiseContext, raw: Any) -> PromiseOut | Refusal:
    """Check the quote of the JSON body ``raw`` and hold its plan, or refuse with the check
    when it cannot be held. An invalid body is 422 with every error at once, the past as_of
    included.

    The quote's plans (each line's earliest day and plan) are found first in the request's
    reading transaction, without the reservations lock (on SQLite without the write lock: the
    route is ``reads_first``), so that holds do not wait for each other. Under the lock they
    are reserved only if they still stand on what is reserved now (``_plans_now``); else they
    are planned again there. While most snapshot plans of this process did not stand, they are
    planned under the lock only (``app.services.snapshot_gate``).

    Explaining the late lines (their quantity on the requested day, what binds, options) is
    most of a quote's work and reserves nothing, so with ``ctx.explain_after_reserving`` the
    reservations commit first, pending (unseen, unannounced), and the answer, found on the
    state they were reserved on, commits in a second transaction (docs/concurrency.md).
    """
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
    check_request = CheckRequest.model_validate(
        request.model_dump(exclude={"hold_minutes", "mode"})
    )
    _refuse_past(session, ctx.settings, check_request, today_)
    snapshot = None
    if snapshot_gate.try_snapshot():
        snapshot = _plan_on_snapshot(ctx, check_request, received)
    begin_writing(session)
    lock_reservations(session)
    now = ctx.clock()
    expire_holds(session, ctx.settings, now)
    _refuse_past(session, ctx.settings, check_request, today(ctx.settings, now))
    reserved = reserved_now(session, now)
    why = None if snapshot is None else _why_plan_again(ctx, check_request, snapshot, reserved, now)
    dated, planned, answered = _plans_now(ctx, check_request, snapshot, reserved, now, reason=why)
    plans = planned.plans()
    refusal = _refusal(plans, request.mode)
    if answered is not None or planned.explained or not ctx.explain_after_reserving:
        quote = answered or explain(planned, ctx.settings, urgent=True)
        stored = store_check_json(session, dated, quote, now)
        if refusal is not None:
            return Refusal(refusal, stored.result)
        row = _add_hold(ctx, request, dated, stored, now, pending=False)
        reserve_plan(session, row.id, quote)
        _announce_held(ctx, row, stored.result, now)
        return _out(session, row, now)
    # Reserve now, answer after: the lock is held only while the plans are reserved.
    if refusal is not None:
        commit_and_read(session)  # what ran out, marked under the lock
        quote = explain(planned, ctx.settings)
        begin_writing(session)
        return Refusal(refusal, store_check_json(session, dated, quote, now).result)
    pending = store_check_json(session, dated, plans, now, pending=True)
    held = _add_hold(ctx, request, dated, pending, now, pending=True)
    reserve_plan(session, held.id, plans)
    commit_and_read(session)
    quote = explain(planned, ctx.settings)
    begin_writing(session)
    return _answer_pending(ctx, held, pending.result, dated, quote, reserved_at=now)


def _add_hold(
    ctx: PromiseContext,
    request: HoldRequest,
    dated: CheckRequest,
    stored: StoredCheck,
    now: datetime,
    *,
    pending: bool,
) -> db.PromiseRow:
    result = stored.result
    return db.add_promise(
        ctx.session,
        id=str(uuid.uuid4()),
        status=db.HELD,
        mode=request.mode,
        quote_ref=request.quote_ref,
        customer=request.customer,
        as_of=result.as_of,
        created_at=now,
        expires_at=now + timedelta(minutes=request.hold_minutes),
        check_id=result.id,
        request=dated.model_dump(mode="json") | {"mode": request.mode},
        result=stored.body,  # the JSON the check was stored as
        pending=pending,
    )


def _answer_pending(
    ctx: PromiseContext,
    row: db.PromiseRow,
    pending: CheckResult,
    dated: CheckRequest,
    quote: QuoteResult,
    *,
    reserved_at: datetime,
) -> PromiseOut:
    """The answer of a hold reserved pending (its check stored as ``pending``): its check's,
    and the hold seen and announced.

    What happened to the hold meanwhile was done under the lock and not announced (it was
    pending): a re-plan after a data change gave it a fresh check (kept: it is what the hold
    reserves now), a flag at risk, an expiry. It is announced here, after ``promise.held``.
    """
    session = ctx.session
    session.refresh(row)
    stored = answer_pending_check(session, pending, dated, quote)
    if row.check_id == pending.id:
        row.result = stored.body
    row.pending = False
    now = ctx.clock()
    _announce_held(ctx, row, stored.result, now, at=reserved_at)
    if row.at_risk_since is not None:
        record(session, row, "promise.at_risk", by=SYSTEM, detail=row.at_risk_reason or "", now=now)
    if row.status == db.EXPIRED:
        announce_expiry(session, row, now)
    return _out(session, row, now)


def _announce_held(
    ctx: PromiseContext,
    row: db.PromiseRow,
    check: CheckResult,
    now: datetime,
    *,
    at: datetime | None = None,
) -> None:
    detail = f"Held until {_moment(row.expires_at)}, {_dates(check)}."
    record(ctx.session, row, "promise.held", by=ctx.by, detail=detail, now=now, at=at)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """A hold's quote planned without the lock: on data version ``version`` with ``reserved``;
    with the whole answer when a check of the same quote on the same state left it in the
    answer cache."""

    version: int
    reserved: Reservations
    dated: CheckRequest
    planned: PlannedQuote
    answered: QuoteResult | None


class _Plans(NamedTuple):
    """What a hold reserves under the lock, and its whole answer if that is known already."""

    dated: CheckRequest
    planned: PlannedQuote
    answered: QuoteResult | None = None


def _plan_on_snapshot(ctx: PromiseContext, request: CheckRequest, now: datetime) -> _Snapshot:
    """The quote planned on what is reserved at ``now``, read without the reservations lock.

    The data version is read first: a planning change committed after it (visible to a later
    statement under READ COMMITTED) makes the version under the lock differ, so such a
    snapshot is never kept.
    """
    session = ctx.session
    version, _ = current_plant(session)
    reserved = reserved_now(session, now)
    dated, planned = plan_on(session, ctx.settings, request, reserved, now=now)
    answered = answer_kept(session, ctx.settings, request, reserved, now=now)
    return _Snapshot(version, reserved, dated, planned, answered)


def _plans_now(
    ctx: PromiseContext,
    request: CheckRequest,
    snapshot: _Snapshot | None,
    reserved: Reservations,
    now: datetime,
    *,
    reason: str | None,
) -> _Plans:
    """Under the lock: the snapshot's plans, on the state of now, when they provably stand
    with ``reserved`` (what is reserved now) taken (``reason`` is None); else the quote
    planned again on it. Without a snapshot (``app.services.snapshot_gate``), planned here
    only."""
    session = ctx.session
    if snapshot is None:
        HOLD_ANSWERS.labels("under_lock").inc()
        return _Plans(*plan_on(session, ctx.settings, request, reserved, now=now, urgent=True))
    snapshot_gate.record(stood=reason is None)
    if reason is None:
        HOLD_ANSWERS.labels("snapshot").inc()
        if reserved is snapshot.reserved:
            # The same sums (the reservations version did not change): the same state.
            return _Plans(snapshot.dated, snapshot.planned, snapshot.answered)
        state = reserved_state(session, ctx.settings, snapshot.planned.state.as_of, reserved)
        return _Plans(snapshot.dated, snapshot.planned.on(state))
    HOLD_ANSWERS.labels("solved_again").inc()
    log.debug("hold %s planned again under the lock: %s", request.quote_ref, reason)
    return _Plans(*plan_on(session, ctx.settings, request, reserved, now=now, urgent=True))


def _why_plan_again(
    ctx: PromiseContext,
    request: CheckRequest,
    snapshot: _Snapshot,
    reserved: Reservations,
    now: datetime,
) -> str | None:
    """None when the snapshot's plans stand (docs/concurrency.md, app.solver.standing)."""
    session = ctx.session
    version, _ = current_plant(session)
    if version != snapshot.version:
        return "the planning data changed"
    as_of = request.as_of or today(ctx.settings, now)
    planned = snapshot.planned
    if as_of != planned.state.as_of:
        return "the day changed"
    if reserved is snapshot.reserved:
        return None
    state = reserved_state(session, ctx.settings, as_of, reserved)
    return why_not_standing(state, snapshot.reserved, reserved, planned.plans(), request.customer)


def confirm(ctx: PromiseContext, promise_id: str) -> PromiseOut | Refusal:
    """A live hold becomes confirmed; an expired one is checked again and must keep its dates."""
    session = ctx.session
    lock_reservations(session)
    now = ctx.clock()
    row = _get(session, promise_id)
    expire_holds(session, ctx.settings, now)
    status = db.effective_status(row, now)
    if status in (db.RELEASED, db.FULFILLED):
        raise Conflict(f"promise {promise_id} is {status}; it cannot be confirmed")
    if status == db.HELD:
        checked = check_before_confirm(session, ctx.settings, now, row)
        if checked.refusal is not None:
            return Refusal(checked.refusal, checked.check or CheckResult.model_validate(row.result))
        row.status = db.CONFIRMED
        row.confirmed_at = now
        detail = f"Confirmed: {_dates(CheckResult.model_validate(row.result))}."
    elif status == db.EXPIRED:
        refused = _confirm_expired(ctx, row, now)
        if refused is not None:
            return refused
        detail = (
            "Confirmed after the hold had run out: checked again, "
            f"{_dates(CheckResult.model_validate(row.result))} still hold."
        )
    else:
        return _out(session, row, now)  # confirmed already: nothing changes
    record(session, row, "promise.confirmed", by=ctx.by, detail=detail, now=now)
    return _out(session, row, now)


def release(ctx: PromiseContext, promise_id: str) -> PromiseOut:
    """Give the stock and minutes back. Releasing a released promise changes nothing."""
    session = ctx.session
    lock_reservations(session)
    now = ctx.clock()
    row = _get(session, promise_id)
    expire_holds(session, ctx.settings, now)
    if row.status == db.FULFILLED:
        raise Conflict(f"promise {promise_id} is fulfilled; the ERP carries it now")
    if row.status != db.RELEASED:
        was = row.status
        row.status = db.RELEASED
        row.released_at = now
        db.drop_reservations(session, row.id)
        clear_risk(row)
        record(
            session,
            row,
            "promise.released",
            by=ctx.by,
            detail=f"Released ({was} before): it takes no stock or capacity any more.",
            now=now,
        )
        after_freeing(session, ctx.settings, now)
    return _out(session, row, now)


def repromise(ctx: PromiseContext, promise_id: str) -> PromiseOut | Refusal:
    """A confirmed promise at risk gets the dates a fresh check finds now (SPEC section 6):
    checked again without its own reservations; when every line has an earliest date, the
    fresh plan and dates replace the old ones, it stays confirmed and is no longer at risk.
    Otherwise refused with the fresh check, and nothing changes."""
    session = ctx.session
    lock_reservations(session)
    now = ctx.clock()
    row = _get(session, promise_id)
    expire_holds(session, ctx.settings, now)
    status = db.effective_status(row, now)
    if status != db.CONFIRMED or row.at_risk_since is None:
        state = status if status != db.CONFIRMED else "confirmed and not at risk"
        raise Conflict(
            f"promise {promise_id} is {state}: only a confirmed promise at risk is re-promised"
        )
    original = CheckResult.model_validate(row.result)
    try:
        dated, quote = evaluate_quote(
            session,
            ctx.settings,
            _recheck_request(row, today(ctx.settings, now), requested_from_today=True),
            db.live_reservations(session, now, excluding=row.id),
            now=now,
            urgent=True,
        )
    except Invalid as exc:
        return Refusal(f"the promise cannot be checked again: {exc.detail}", original)
    fresh = store_check(session, dated, quote, now)
    if quote.status == "infeasible":
        return Refusal("a line has no date within the horizon now; see the fresh check", fresh)
    db.drop_reservations(session, row.id)
    reserve_plan(session, row.id, quote)
    clear_risk(row)
    row.check_id = fresh.id
    row.result = _json(fresh)
    record(
        session,
        row,
        "promise.repromised",
        by=ctx.by,
        detail=f"Re-promised: {_moves(original, fresh)}.",
        now=now,
    )
    # The old plan's stock and minutes came free where the new one does not take them.
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
    try:
        dated, quote = evaluate_quote(
            session,
            ctx.settings,
            _recheck_request(row, today(ctx.settings, now)),
            db.live_reservations(session, now),
            now=now,
            urgent=True,
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
    row = db.get_answered_promise(session, promise_id)
    if row is None:
        raise NotFound(f"no promise with id {promise_id}")
    return row


def _out(session: Session, row: db.PromiseRow, now: datetime) -> PromiseOut:
    return promise_out(session, row, now)


def _outs(session: Session, rows: Sequence[db.PromiseRow], now: datetime) -> list[PromiseOut]:
    return promise_outs(session, rows, now)


def _recheck_request(
    row: db.PromiseRow, today_: date, *, requested_from_today: bool = False
) -> CheckRequest:
    """The promise's stored request, checked again from today: days gone by since it was made
    cannot be reserved. With ``requested_from_today`` a requested date gone by counts as
    today (a re-promise asks for the earliest dates there are now)."""
    stored = CheckRequest.model_validate({k: v for k, v in row.request.items() if k != "mode"})
    as_of = max(stored.as_of or today_, today_)
    if not requested_from_today:
        return stored.model_copy(update={"as_of": as_of})
    lines = [
        line.model_copy(update={"requested_date": max(line.requested_date, as_of)})
        for line in stored.lines
    ]
    return stored.model_copy(update={"as_of": as_of, "lines": lines})


def _moment(moment: datetime) -> str:
    return db.as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _dates(check: CheckResult) -> str:
    """The promised dates in words: "line 1 on 2026-12-11, line 2 on 2026-12-14"."""
    return ", ".join(f"line {line.line_ref} on {line.promised_date}" for line in check.lines)


def _moves(old: CheckResult, new: CheckResult) -> str:
    """Old and new date of every line: "line 1 from 2026-12-11 to 2026-12-15"."""
    return ", ".join(
        f"line {a.line_ref} from {a.promised_date} to {b.promised_date}"
        for a, b in zip(old.lines, new.lines, strict=True)
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
