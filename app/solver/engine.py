"""Entry point of the promise engine: a quote in, the answers of SPEC section 2 out.

Each line is decided by the cheapest method that can prove its answer: stock and purchase rules
for a purchased item, the fast exact chain method (:mod:`app.solver.fast`) for a manufactured
item whose parts are stocked or bought, and the CP-SAT model (:mod:`app.solver.cpsat`) for every
other line with production. Lines are evaluated in order, each on the state the lines before it
leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from app.solver import explain, fast
from app.solver.bounds import relaxed_earliest_day
from app.solver.cpsat.model import SolverSettings, earliest_day, latest_plan, most_qty
from app.solver.plan import DayPlan
from app.solver.results import (
    LineRequest,
    LineResult,
    Method,
    Plan,
    QuoteResult,
    QuoteStatus,
)
from app.solver.state import PlanningState
from app.solver.validation import plan_violations

__all__ = ["LineDecision", "PlanningState", "SolverSettings", "check_quote", "decide_line"]

# After the requested date, CP-SAT looks for the earliest date in windows of growing size: a
# short window keeps the model small for the usual case of a date a little late.
_WINDOW_GROWTH = (14, 60, 180)


@dataclass(frozen=True, slots=True)
class LineDecision:
    earliest_day: int | None
    qty_on_requested_day: int
    plan: DayPlan | None
    method: Method


def check_quote(
    state: PlanningState,
    lines: Sequence[LineRequest],
    ship_complete: bool,
    settings: SolverSettings,
) -> QuoteResult:
    """Answer a quote; ``state`` already carries the held and confirmed promises."""
    answered: list[LineResult] = []
    current = state
    for request in lines:
        requested_day = current.day_of(request.requested_date)
        decision = decide_line(current, request.sku, request.qty, requested_day, settings)
        promised_day = (
            None if decision.earliest_day is None else max(requested_day, decision.earliest_day)
        )
        feasible = decision.earliest_day is not None and decision.earliest_day <= requested_day
        constraints = (
            ()
            if feasible
            else explain.binding_constraints(
                current, request.sku, request.qty, requested_day, decision.earliest_day
            )
        )
        answered.append(
            LineResult(
                line_ref=request.line_ref,
                sku=request.sku,
                qty=request.qty,
                requested_date=request.requested_date,
                feasible_on_requested_date=feasible,
                qty_on_requested_date=decision.qty_on_requested_day,
                earliest_date=_date(current, decision.earliest_day),
                promised_date=_date(current, promised_day),
                delivery_date=_date(current, promised_day),
                plan=decision.plan.dated(current) if decision.plan else Plan(),
                constraints=tuple(constraints),
                method=decision.method,
            )
        )
        if decision.plan is not None:
            current = decision.plan.apply_to(current)
    return _quote(state, answered, ship_complete)


def decide_line(
    state: PlanningState,
    sku: str,
    qty: int,
    requested_day: int,
    settings: SolverSettings,
    *,
    force_cpsat: bool = False,
) -> LineDecision:
    """Earliest day, quantity on the requested day, and the plan for the promised day.

    ``force_cpsat`` lets the tests show that CP-SAT agrees with the fast method where both apply.
    """
    decided = None
    if not force_cpsat or state.plant.items[sku].kind == "purchased":
        decided = _decide_by_rules(state, sku, qty, requested_day)
    if decided is None:
        decided = _decide_by_cpsat(state, sku, qty, requested_day, settings)
    if decided.plan is not None:
        problems = plan_violations(state, sku, qty, decided.plan)
        if problems:
            raise RuntimeError(f"plan for {qty} {sku} fails validation: {problems}")
    return decided


def _decide_by_rules(
    state: PlanningState, sku: str, qty: int, requested_day: int
) -> LineDecision | None:
    """Stock, purchase and the fast chain method; None when a probe is not covered."""
    tree = fast.separable(state.plant, sku)
    earliest = _earliest_by_rules(state, sku, qty, tree)
    if isinstance(earliest, fast.NotCovered):
        return None
    if earliest is not None and earliest <= requested_day:
        most: int | None = qty
    else:
        most = _most_by_rules(state, sku, qty, requested_day, tree)
    if most is None:
        return None
    plan = None
    if earliest is not None:
        outcome = fast.plan_line(state, sku, qty, max(requested_day, earliest), separable_tree=tree)
        if not isinstance(outcome, DayPlan):
            # Feasibility is monotone in the day, so the promised day always has a plan.
            raise RuntimeError(f"no plan for {qty} {sku} on its promised day: {outcome}")
        plan = outcome
    method: Method = "fast" if state.plant.items[sku].kind == "manufactured" else "stock"
    if method == "stock" and plan is not None and plan.purchases:
        method = "purchase"
    return LineDecision(earliest, most, plan, method)


def _earliest_by_rules(
    state: PlanningState, sku: str, qty: int, tree: bool
) -> int | fast.NotCovered | None:
    """Bisection over the day (feasibility is monotone in it)."""
    last = state.horizon_days - 1
    at_last = fast.plan_line(state, sku, qty, last, separable_tree=tree)
    if not isinstance(at_last, DayPlan):
        return at_last if isinstance(at_last, fast.NotCovered) else None
    low, high = 0, last
    while low < high:
        middle = (low + high) // 2
        outcome = fast.plan_line(state, sku, qty, middle, separable_tree=tree)
        if isinstance(outcome, fast.NotCovered):
            return outcome
        if isinstance(outcome, DayPlan):
            high = middle
        else:
            low = middle + 1
    return low


def _most_by_rules(state: PlanningState, sku: str, qty: int, day: int, tree: bool) -> int | None:
    """The largest deliverable quantity below ``qty`` on ``day`` (bisection), None if not covered."""
    low, high = 0, qty - 1  # qty itself is known to be impossible on this day
    while low < high:
        middle = (low + high + 1) // 2
        outcome = fast.plan_line(state, sku, middle, day, separable_tree=tree)
        if isinstance(outcome, fast.NotCovered):
            return None
        if isinstance(outcome, DayPlan):
            low = middle
        else:
            high = middle - 1
    return low


def _decide_by_cpsat(
    state: PlanningState, sku: str, qty: int, requested_day: int, settings: SolverSettings
) -> LineDecision:
    last = state.horizon_days - 1
    earliest: int | None = None
    first = relaxed_earliest_day(state, sku, qty)
    if first is not None:
        windows: list[tuple[int, int]] = []
        if first <= requested_day:
            windows.append((first, requested_day))
            first = requested_day + 1
        for size in _WINDOW_GROWTH:
            if first > last:
                break
            windows.append((first, min(last, first + size - 1)))
            first += size
        if first <= last:
            windows.append((first, last))
        for low, high in windows:
            earliest = earliest_day(state, sku, qty, (low, high), settings)
            if earliest is not None:
                break
    if earliest is not None and earliest <= requested_day:
        most = qty
    else:
        most = most_qty(state, sku, qty, requested_day, settings)
    plan = None
    if earliest is not None:
        plan = latest_plan(state, sku, qty, max(requested_day, earliest), settings)
        if plan is None:
            raise RuntimeError(f"CP-SAT found day {earliest} for {sku} but no plan on that day")
    return LineDecision(earliest, most, plan, "cp-sat")


def _quote(state: PlanningState, lines: list[LineResult], ship_complete: bool) -> QuoteResult:
    status: QuoteStatus
    if any(line.earliest_date is None for line in lines):
        status, promise_date = "infeasible", None
    else:
        status = (
            "feasible"
            if all(line.feasible_on_requested_date for line in lines)
            else "counter_proposal"
        )
        promise_date = max(line.promised_date for line in lines if line.promised_date)
    if ship_complete:
        lines = [replace(line, delivery_date=promise_date) for line in lines]
    return QuoteResult(state.as_of, status, promise_date, ship_complete, tuple(lines))


def _date(state: PlanningState, day: int | None) -> date | None:
    return None if day is None else state.date_of(day)
