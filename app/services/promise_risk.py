"""Confirmed promises after a change of planning data: still met as reserved, or at risk?

After every ERP feed change and dataset import, each confirmed promise the change touches (it
takes stock of a changed item, or minutes of a changed resource; an import touches all) is
replayed against the new data: from the new plant, with every live promise's reservations
applied, the stock the promise takes must not leave any day from its first take on short, and
its reserved minutes must fit the free minutes of each day (SPEC section 2). A promise that
fails is flagged at risk, with a reason and the earliest date a fresh check of its quote finds
now; one that passes again is cleared.

A demand row may name the promise it fulfils: loading it marks the promise fulfilled and ends
its reservations, since the ERP's firm order now carries the same stock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from sqlalchemy.orm import Session

from app.db import promises as db
from app.db.queries import load_plant
from app.db.risk import Reserved, confirmed_promises, reserved_by, reserved_by_promise
from app.metrics import SOLVER_SECONDS
from app.schemas.check import CheckRequest
from app.services.checks import solver_settings
from app.settings import Settings
from app.solver.engine import PlanningState, check_quote
from app.solver.plant import CapacityUse, Plant, StockMove
from app.solver.results import LineRequest, SolverTimeout

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
    """Flag or clear the confirmed promises ``touched`` concerns; the ids now at risk.

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
    by_day: dict[date, list[db.PromiseRow]] = defaultdict(list)
    for row in rows:
        # A promise made for a later as_of is judged from that day, as it was checked.
        by_day[max(today, row.as_of)].append(row)
    at_risk: list[str] = []
    for as_of, group in by_day.items():
        replay = _Replay(plant, PlanningState.build(plant, as_of, settings.horizon_days), reserved)
        for row in group:
            findings = replay.findings(reserved.get(row.id, Reserved()))
            if findings:
                earliest = _earliest_date(replay, row, settings)
                _flag(row, now, findings, earliest)
                at_risk.append(row.id)
            else:
                _clear(row)
    session.flush()
    return at_risk


def fulfilment_problem(session: Session, promise_id: str, now: datetime) -> str | None:
    """Why a demand row cannot name ``promise_id``, or None when it can."""
    row = session.get(db.PromiseRow, promise_id)
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
    row = session.get(db.PromiseRow, promise_id)
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


# -- the replay ------------------------------------------------------------------------------


class _Replay:
    """The new planning state with every live reservation taken, per item and resource."""

    def __init__(self, plant: Plant, base: PlanningState, reserved: dict[str, Reserved]) -> None:
        self.plant = plant
        self.base = base
        self.reserved = reserved
        h = base.horizon_days
        taken: dict[str, np.ndarray] = {}
        self.minutes: dict[tuple[str, int], int] = defaultdict(int)
        for promise in reserved.values():
            for move in promise.stock:
                day = self._stock_day(move)
                if day is not None and move.sku in base.projected:
                    taken.setdefault(move.sku, np.zeros(h, dtype=np.int64))[day] += move.qty
            for use in promise.capacity:
                day = self._capacity_day(use)
                if day is not None:
                    self.minutes[use.resource, day] += use.minutes
        # Projected stock P[s][t] after every live promise's takes.
        self.projected = {sku: base.projected[sku] - np.cumsum(t) for sku, t in taken.items()}

    def findings(self, mine: Reserved) -> list[str]:
        """Sentences on what no longer holds of ``mine``; empty when the plan still holds."""
        return [*self._stock_findings(mine.stock), *self._capacity_findings(mine.capacity)]

    def without(self, promise_id: str) -> PlanningState:
        """The new state with every live promise but ``promise_id`` taken: a fresh check's."""
        stock: list[StockMove] = []
        capacity: list[CapacityUse] = []
        for other, taken in self.reserved.items():
            if other != promise_id:
                stock += taken.stock
                capacity += taken.capacity
        return self.base.taking(stock, capacity)

    def _stock_findings(self, stock: Iterable[StockMove]) -> list[str]:
        first_take: dict[str, int] = {}
        findings = []
        for move in stock:
            if move.sku not in self.plant.items:
                findings.append(f"item {move.sku} is no longer in the planning data")
                continue
            day = self._stock_day(move)
            if day is not None and move.qty > 0:
                first_take[move.sku] = min(day, first_take.get(move.sku, day))
        for sku, first in sorted(first_take.items()):
            projected = self.projected.get(sku, self.base.projected[sku])[first:]
            short_days = np.flatnonzero(projected < 0)
            if short_days.size:
                day = first + int(short_days[0])
                findings.append(
                    f"{sku} is {-int(projected[short_days[0]])} short on "
                    f"{self.base.date_of(day)} with the stock it takes"
                )
        return list(dict.fromkeys(findings))

    def _capacity_findings(self, capacity: Iterable[CapacityUse]) -> list[str]:
        mine: dict[tuple[str, int], int] = defaultdict(int)
        findings = []
        for use in capacity:
            if use.resource not in self.plant.resources:
                findings.append(f"resource {use.resource} is no longer in the planning data")
                continue
            day = self._capacity_day(use)
            if day is not None:
                mine[use.resource, day] += use.minutes
        for (resource, day), minutes in sorted(mine.items()):
            others = self.minutes[resource, day] - minutes
            free = max(0, int(self.base.free[resource][day]) - others)
            if minutes > free:
                findings.append(
                    f"{resource} has {free} free minutes on {self.base.date_of(day)}, "
                    f"{minutes} reserved"
                )
        return list(dict.fromkeys(findings))

    def _stock_day(self, move: StockMove) -> int | None:
        """Stock taken before as_of counts on day 0; after the horizon, not at all."""
        day = self.base.day_of(move.date)
        return None if day >= self.base.horizon_days else max(day, 0)

    def _capacity_day(self, use: CapacityUse) -> int | None:
        """Minutes on days before as_of are past and take nothing."""
        day = self.base.day_of(use.date)
        return day if 0 <= day < self.base.horizon_days else None


def _earliest_date(replay: _Replay, row: db.PromiseRow, settings: Settings) -> date | None:
    """The quote date a fresh check finds now (every other live promise counts)."""
    request = CheckRequest.model_validate({k: v for k, v in row.request.items() if k != "mode"})
    state = replay.without(row.id)
    last = state.date_of(state.horizon_days - 1)
    if any(line.sku not in replay.plant.items for line in request.lines):
        return None
    lines = [
        LineRequest(
            line_ref=line.line_ref,
            sku=line.sku,
            qty=line.qty,
            requested_date=min(max(line.requested_date, state.as_of), last),
        )
        for line in request.lines
    ]
    try:
        with SOLVER_SECONDS.time():
            quote = check_quote(state, lines, request.ship_complete, solver_settings(settings))
    except SolverTimeout:
        return None
    return quote.promise_date


def _flag(row: db.PromiseRow, now: datetime, findings: list[str], earliest: date | None) -> None:
    shown = "; ".join(findings[:_REASONS_SHOWN])
    more = len(findings) - _REASONS_SHOWN
    if more > 0:
        shown += f"; and {more} more"
    if earliest is None:
        when = "A new check finds no date within the horizon"
    else:
        when = f"The earliest date a new check finds is {earliest}"
    reason = f"The planning data changed and the reserved plan no longer holds: {shown}. {when}."
    if row.at_risk_since is None:
        row.at_risk_since = now
    row.at_risk_reason = reason[:1000]
    row.at_risk_earliest_date = earliest


def _clear(row: db.PromiseRow) -> None:
    row.at_risk_since = None
    row.at_risk_reason = None
    row.at_risk_earliest_date = None
