"""Confirmed promises after a change of planning data: re-planned, or at risk?

A promise is its dates, not its plan. After every ERP feed change and dataset import, each
confirmed promise the change touches (it takes stock of a changed item, or minutes of a changed
resource; an import touches all) is replayed against the new data: the stock it takes must not
leave any day from its first take on short, and its reserved minutes must fit the free minutes
of each day (SPEC section 2). A promise whose plan still fits is left alone (and cleared if it
was at risk). One whose plan no longer fits is checked again from its stored request, without
its own reservations: when every line keeps its promised date, the fresh plan replaces its
reservations and the fresh check becomes its check; otherwise it keeps its old reservations and
is flagged at risk, with a reason and the earliest date the fresh check finds (null if none).

The touched promises are taken oldest confirmed first, each against every live promise the
change did not touch and the touched ones already settled (re-planned, kept or flagged), so an
older promise keeps its dates before a newer one may take what is left.

A demand row may name the promise it fulfils: loading it marks the promise fulfilled and ends
its reservations, since the ERP's firm order now carries the same stock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.db import promises as db
from app.db.queries import load_plant
from app.db.risk import confirmed_promises, reserved_by, reserved_by_promise
from app.schemas.check import CheckRequest, CheckResult
from app.services.checks import solve_quote, store_check
from app.services.reservations import reserve_plan
from app.settings import Settings
from app.solver.fit import misfits
from app.solver.plant import Plant, Reservations
from app.solver.results import QuoteResult, SolverTimeout
from app.solver.state import PlanningState

# At most this many findings are spelled out in a reason.
_REASONS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Touched:
    """What a change touched; None for both means everything (a dataset import)."""

    skus: frozenset[str] | None = None
    resources: frozenset[str] | None = None

    def __or__(self, other: Touched) -> Touched:
        if self.skus is None and self.resources is None:
            return self
        if other.skus is None and other.resources is None:
            return other
        return Touched(
            skus=(self.skus or frozenset()) | (other.skus or frozenset()),
            resources=(self.resources or frozenset()) | (other.resources or frozenset()),
        )


EVERYTHING = Touched()


def touching(*, skus: Iterable[str] = (), resources: Iterable[str] = ()) -> Touched:
    return Touched(skus=frozenset(skus), resources=frozenset(resources))


def reevaluate_promises(
    session: Session, settings: Settings, now: datetime, touched: Touched
) -> list[str]:
    """Re-plan, flag or clear the confirmed promises ``touched`` concerns; the ids now at risk.

    Runs inside the change's transaction, after the change and with the reservations lock
    held (the data version bump takes it), so it sees exactly what will be committed.
    """
    rows = confirmed_promises(session, skus=touched.skus, resources=touched.resources)
    if not rows:
        return []
    # Not the planning cache: this transaction's data is not committed yet.
    plant = load_plant(session)
    reserved = reserved_by_promise(session, now)
    today = now.astimezone(settings.zone).date()
    pending = {row.id for row in rows}
    settled = _Settled(
        plant, settings.horizon_days, [r for pid, r in reserved.items() if pid not in pending]
    )
    at_risk: list[str] = []
    for row in rows:
        # A promise made for a later as_of is judged from that day, as it was checked.
        state = settled.state(max(today, row.as_of))
        mine = reserved.get(row.id, Reservations())
        findings = [str(misfit) for misfit in misfits(state, mine)]
        if not findings:
            _clear(row)
        else:
            fresh = _recheck(state, row, settings)
            if fresh.keeps_dates and fresh.request is not None and fresh.quote is not None:
                mine = _replan(session, row, fresh.request, fresh.quote, now)
            else:
                _flag(row, now, findings, fresh)
                at_risk.append(row.id)
        settled.take(mine)
    session.flush()
    return at_risk


def fulfilment_problem(session: Session, promise_id: str, now: datetime) -> str | None:
    """Why a demand row cannot name ``promise_id``, or None when it can."""
    row = db.get_promise(session, promise_id)
    if row is None:
        return f"unknown promise {promise_id}"
    status = db.effective_status(row, now)
    if status in (db.RELEASED, db.EXPIRED):
        return f"promise {promise_id} is {status}: it holds nothing to fulfil"
    return None


def fulfil_promise(session: Session, promise_id: str, now: datetime) -> Touched:
    """The ERP carries the promise now: it is fulfilled and reserves nothing any more.

    Returns what its reservations touched: freed stock and minutes may clear other promises.
    """
    row = db.get_promise(session, promise_id)
    if row is None or db.effective_status(row, now) not in (db.HELD, db.CONFIRMED):
        return Touched(skus=frozenset(), resources=frozenset())
    released = reserved_by(session, row.id)
    row.status = db.FULFILLED
    db.drop_reservations(session, row.id)
    _clear(row)
    session.flush()
    return Touched(
        skus=frozenset(move.sku for move in released.stock),
        resources=frozenset(use.resource for use in released.capacity),
    )


# -- what is settled ------------------------------------------------------------------------


class _Settled:
    """The new planning data with the settled promises' reservations taken, per as_of."""

    def __init__(self, plant: Plant, horizon_days: int, settled: list[Reservations]) -> None:
        self.plant = plant
        self.horizon_days = horizon_days
        self.stock = [move for taken in settled for move in taken.stock]
        self.capacity = [use for taken in settled for use in taken.capacity]
        self.states: dict[date, PlanningState] = {}

    def state(self, as_of: date) -> PlanningState:
        if as_of not in self.states:
            base = PlanningState.build(self.plant, as_of, self.horizon_days)
            self.states[as_of] = base.taking(self.stock, self.capacity)
        return self.states[as_of]

    def take(self, reserved: Reservations) -> None:
        """Count ``reserved`` from now on."""
        self.stock += reserved.stock
        self.capacity += reserved.capacity
        for as_of, state in self.states.items():
            self.states[as_of] = state.taking(reserved.stock, reserved.capacity)


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
        return solve_quote(state, request, settings, allocations=False, with_options=False)
    except SolverTimeout:
        return None


def _replan(
    session: Session, row: db.PromiseRow, request: CheckRequest, quote: QuoteResult, now: datetime
) -> Reservations:
    """The fresh plan meets every date: it replaces the promise's reservations and check."""
    db.drop_reservations(session, row.id)
    taken = reserve_plan(session, row.id, quote)
    check = store_check(session, request, quote, now)
    row.check_id = check.id
    row.result = check.model_dump(mode="json")
    _clear(row)
    return taken


def _flag(row: db.PromiseRow, now: datetime, findings: list[str], fresh: _Fresh) -> None:
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
    if row.at_risk_since is None:
        row.at_risk_since = now
    row.at_risk_reason = reason[:1000]
    row.at_risk_earliest_date = fresh.earliest


def _clear(row: db.PromiseRow) -> None:
    row.at_risk_since = None
    row.at_risk_reason = None
    row.at_risk_earliest_date = None
