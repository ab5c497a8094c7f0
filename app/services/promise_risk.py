"""Live promises after anything changes what there is: still fitting, re-planned, or at risk.

SPEC section 3, "Promises stay true when the data changes". After every planning-data change
(an ERP feed row, a dataset import, a calendar exception) and whenever stock or minutes come
free (a release, an expiry, a fulfilment), ``reevaluate_promises`` walks every live promise in
priority order: confirmed ones first (oldest confirmed first), then held ones (oldest first).
Each is judged against the new data with the promises before it taken (those at risk too: an
older commitment keeps its claim on what is left):

- its reservations still fit (``app.solver.fit.misfits``): it is left alone, and cleared if it
  was at risk;
- they no longer fit, or it is at risk: its stored request is checked again, without its own
  reservations and with every other live promise counting. When every line keeps its promised
  date, the fresh plan replaces its reservations and the fresh check becomes its check (and any
  risk is cleared); otherwise it keeps its reservations and is flagged at risk, with a reason
  and the earliest date the fresh check finds (null if none).

So the promises not at risk always fit together. It runs inside the caller's transaction with
the reservations lock held, so it sees exactly what will be committed. What it did to each
promise comes back as ``RiskChange``s, and each is recorded and announced (promise.at_risk,
.replanned, .risk_cleared; app.services.promise_events) in the same transaction.

A demand row may name the promise it fulfils: loading it marks the promise fulfilled and ends
its reservations, since the ERP's firm order now carries the same stock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlalchemy.orm import Session

from app.db import promises as db
from app.db.queries import load_plant
from app.db.risk import any_at_risk, live_promises_by_priority, reserved_by_promise
from app.schemas.check import CheckRequest, CheckResult
from app.schemas.events import SYSTEM
from app.services.checks import planning_state, solve_quote, store_check, today
from app.services.promise_events import record, record_changes
from app.services.reservations import reserve_plan
from app.settings import Settings
from app.solver.fit import Misfit, misfits
from app.solver.plant import Plant, Reservations
from app.solver.results import QuoteResult, SolverTimeout
from app.solver.state import PlanningState

# At most this many findings are spelled out in a reason.
_REASONS_SHOWN = 3

RiskEvent = Literal["at_risk", "replanned", "risk_cleared"]


@dataclass(frozen=True, slots=True)
class RiskChange:
    """What a re-evaluation did to one promise (promise.at_risk, .replanned, .risk_cleared)."""

    promise_id: str
    event: RiskEvent
    detail: str


@dataclass(slots=True)
class Reevaluation:
    # The live promises at risk afterwards, in priority order (what a feed answer lists).
    at_risk: list[str] = field(default_factory=list)
    changes: list[RiskChange] = field(default_factory=list)


def reevaluate_promises(session: Session, settings: Settings, now: datetime) -> Reevaluation:
    """Re-plan, flag or clear every live promise against the planning data as it is now."""
    rows = live_promises_by_priority(session, now)
    outcome = Reevaluation()
    if not rows:
        return outcome
    # Not the planning cache: this transaction's data may not be committed yet.
    plant = load_plant(session)
    reserved = reserved_by_promise(session, now)
    settled = _Settled(plant, settings.horizon_days)
    today_ = today(settings, now)
    for at, row in enumerate(rows):
        # A promise made for a later as_of is judged from that day, as it was checked.
        state = settled.state(max(today_, row.as_of))
        mine = reserved.get(row.id, Reservations())
        found = misfits(state, mine)
        was_at_risk = row.at_risk_since is not None
        if not found:
            if was_at_risk:
                _clear(row)
                outcome.changes.append(RiskChange(row.id, "risk_cleared", _FITS_AGAIN))
        else:
            # Every other live promise counts: those settled, and the later ones as they are.
            later = [reserved.get(other.id, Reservations()) for other in rows[at + 1 :]]
            fresh = _recheck(_taking(state, later), row, settings)
            if fresh.keeps_dates:
                mine = _replan(session, row, fresh, now)
                outcome.changes.append(RiskChange(row.id, "replanned", _REPLANNED))
                if was_at_risk:
                    outcome.changes.append(RiskChange(row.id, "risk_cleared", _REPLANNED))
            else:
                reason = _flag(row, now, found, fresh)
                outcome.at_risk.append(row.id)
                if not was_at_risk:
                    outcome.changes.append(RiskChange(row.id, "at_risk", reason))
        settled.take(mine)
    session.flush()
    record_changes(session, outcome.changes, now)
    return outcome


def after_freeing(session: Session, settings: Settings, now: datetime) -> Reevaluation:
    """Stock or minutes came free (a release, an expiry): the promises at risk are checked
    again, oldest first, and cleared or re-planned onto their dates when those can be met.
    Nothing else can change then, so without a promise at risk this costs one query."""
    if not any_at_risk(session, now):
        return Reevaluation()
    return reevaluate_promises(session, settings, now)


def clear_risk(row: db.PromiseRow) -> None:
    """Not at risk (any more): cleared, or no longer live."""
    _clear(row)


@dataclass(frozen=True, slots=True)
class ConfirmCheck:
    """Whether a live hold may be confirmed as it is, and the fresh check when one was made."""

    refusal: str | None = None  # why it cannot be confirmed; None when it can
    check: CheckResult | None = None
    changes: tuple[RiskChange, ...] = ()


def check_before_confirm(
    session: Session, settings: Settings, now: datetime, row: db.PromiseRow
) -> ConfirmCheck:
    """A hold at risk, or whose reservations no longer fit once it ranks after the confirmed
    promises, is checked again: re-planned when the same dates hold, else refused (at risk).

    No data changes in this transaction, so the committed planning data's cached state serves.
    """
    base = planning_state(session, settings, max(today(settings, now), row.as_of))
    was_at_risk = row.at_risk_since is not None
    found: list[Misfit] = []
    if not was_at_risk:
        ahead = db.live_reservations(session, now, excluding=row.id, confirmed_only=True)
        found = misfits(base.with_reservations(ahead), db.reserved_by(session, row.id))
        if not found:
            return ConfirmCheck()
    others = db.live_reservations(session, now, excluding=row.id)
    fresh = _recheck(base.with_reservations(others), row, settings)
    if fresh.keeps_dates:
        _replan(session, row, fresh, now)
        changes = [RiskChange(row.id, "replanned", _REPLANNED)]
        if was_at_risk:
            changes.append(RiskChange(row.id, "risk_cleared", _REPLANNED))
        record_changes(session, changes, now)
        return ConfirmCheck(changes=tuple(changes))
    reason = _flag(row, now, found, fresh)
    check = None
    if fresh.request is not None and fresh.quote is not None:
        check = store_check(session, fresh.request, fresh.quote, now)
    flagged = () if was_at_risk else (RiskChange(row.id, "at_risk", reason),)
    record_changes(session, flagged, now)
    return ConfirmCheck(
        refusal="the hold is at risk: its dates no longer hold; see the fresh check",
        check=check,
        changes=flagged,
    )


def fulfilment_problem(session: Session, promise_id: str, now: datetime) -> str | None:
    """Why a demand row cannot name ``promise_id``, or None when it can."""
    row = db.get_answered_promise(session, promise_id)
    if row is None:
        return f"unknown promise {promise_id}"
    status = db.effective_status(row, now)
    if status in (db.RELEASED, db.EXPIRED):
        return f"promise {promise_id} is {status}: it holds nothing to fulfil"
    return None


def fulfil_promise(session: Session, promise_id: str, now: datetime) -> None:
    """The ERP carries the promise now: it is fulfilled and reserves nothing any more."""
    row = db.get_answered_promise(session, promise_id)
    if row is None or db.effective_status(row, now) not in (db.HELD, db.CONFIRMED):
        return
    row.status = db.FULFILLED
    db.drop_reservations(session, row.id)
    _clear(row)
    session.flush()
    record(
        session,
        row,
        "promise.fulfilled",
        by=SYSTEM,
        detail="A firm order from the ERP feed carries it now; it reserves nothing any more.",
        now=now,
    )


_FITS_AGAIN = "Its reservations fit the planning data again."
_REPLANNED = "A new plan meets every promised date."


# -- the states ------------------------------------------------------------------------------


class _Settled:
    """The new planning data per as_of, with the promises settled so far taken."""

    def __init__(self, plant: Plant, horizon_days: int) -> None:
        self.plant = plant
        self.horizon_days = horizon_days
        self.taken: list[Reservations] = []
        self.states: dict[date, PlanningState] = {}

    def state(self, as_of: date) -> PlanningState:
        if as_of not in self.states:
            base = PlanningState.build(self.plant, as_of, self.horizon_days)
            self.states[as_of] = _taking(base, self.taken)
        return self.states[as_of]

    def take(self, reserved: Reservations) -> None:
        self.taken.append(reserved)
        for as_of, state in self.states.items():
            self.states[as_of] = _taking(state, [reserved])


def _taking(state: PlanningState, taken: list[Reservations]) -> PlanningState:
    return state.taking(
        [move for each in taken for move in each.stock],
        [use for each in taken for use in each.capacity],
    )


# -- the fresh check -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fresh:
    """A fresh check of a promise's quote, without its own reservations."""

    request: CheckRequest | None = None
    quote: QuoteResult | None = None  # None when no check could be made
    keeps_dates: bool = False
    problem: str | None = None  # why there is no quote

    @property
    def earliest(self) -> date | None:
        return self.quote.promise_date if self.quote is not None else None


def _recheck(state: PlanningState, row: db.PromiseRow, settings: Settings) -> _Fresh:
    """Check the promise's stored request again on the settled state: do its dates hold?

    Not ``checks.evaluate_quote``: it would cache the plant of this uncommitted data version,
    and its request validation (an item gone, a date now past) would refuse the change itself.
    """
    request = CheckRequest.model_validate({k: v for k, v in row.request.items() if k != "mode"})
    promised = [line.promised_date for line in CheckResult.model_validate(row.result).lines]
    if any(line.sku not in state.plant.items for line in request.lines):
        return _Fresh(problem="An item it needs is no longer in the planning data.")
    last = state.date_of(state.horizon_days - 1)
    # Judged from as_of (today once the promise's own as_of has passed), within the horizon.
    dated = request.model_copy(
        update={
            "as_of": state.as_of,
            "lines": [
                line.model_copy(
                    update={"requested_date": min(max(line.requested_date, state.as_of), last)}
                )
                for line in request.lines
            ],
        }
    )
    quote = _solve(state, dated, settings)
    if quote is not None and quote.status != "infeasible":
        fresh = [line.promised_date for line in quote.lines]
        if fresh != promised and all(
            f is not None and p is not None and f <= p for f, p in zip(fresh, promised, strict=True)
        ):
            # Some line could now come sooner: plan every line for the date it was promised.
            dated = dated.model_copy(
                update={
                    "lines": [
                        line.model_copy(update={"requested_date": day})
                        for line, day in zip(dated.lines, promised, strict=True)
                    ]
                }
            )
            quote = _solve(state, dated, settings)
    if quote is None:
        return _Fresh(problem="A new check did not finish in time, so no new date is known.")
    keeps = (
        quote.status != "infeasible" and [line.promised_date for line in quote.lines] == promised
    )
    return _Fresh(request=dated, quote=quote, keeps_dates=keeps)


def _solve(state: PlanningState, request: CheckRequest, settings: Settings) -> QuoteResult | None:
    try:
        # A confirmed promise keeps the allocation it was given (SPEC section 7): a change of
        # allocations after it was confirmed never puts it at risk. Options change no date: a
        # re-evaluation does without them.
        return solve_quote(
            state, request, settings, allocations=False, with_options=False, urgent=True
        )
    except SolverTimeout:
        return None


def _replan(session: Session, row: db.PromiseRow, fresh: _Fresh, now: datetime) -> Reservations:
    """The fresh plan meets every date: it replaces the promise's reservations and check."""
    request, quote = fresh.request, fresh.quote
    if request is None or quote is None:
        raise ValueError("only a fresh check that keeps the dates replaces a plan")
    db.drop_reservations(session, row.id)
    taken = reserve_plan(session, row.id, quote)
    check = store_check(session, request, quote, now)
    row.check_id = check.id
    row.result = check.model_dump(mode="json")
    _clear(row)
    return taken


def _flag(row: db.PromiseRow, now: datetime, found: list[Misfit], fresh: _Fresh) -> str:
    """Flag the promise at risk (since the first time); its reason."""
    if row.at_risk_since is None:
        row.at_risk_since = now
    row.at_risk_earliest_date = fresh.earliest
    if not found and row.at_risk_reason:
        return row.at_risk_reason  # at risk already, for the reason it was flagged
    findings = list(dict.fromkeys(str(misfit) for misfit in found))
    shown = "; ".join(findings[:_REASONS_SHOWN])
    more = len(findings) - _REASONS_SHOWN
    if more > 0:
        shown += f"; and {more} more"
    dates = "date" if len(row.result.get("lines", [])) <= 1 else "dates"
    reason = f"The planning data changed and the promised {dates} can no longer be met: {shown}."
    # The earliest date a new check finds is shown next to the reason, not in it.
    if fresh.problem is not None:
        reason += f" {fresh.problem}"
    elif fresh.earliest is None:
        reason += " A new check finds no date within the horizon."
    row.at_risk_reason = reason[:1000]
    return row.at_risk_reason


def _clear(row: db.PromiseRow) -> None:
    row.at_risk_since = None
    row.at_risk_reason = None
    row.at_risk_earliest_date = None
