"""Entry point of the promise engine: a quote in, the answers of SPEC section 2 out.

Each line is decided by the cheapest method that can prove its answer: stock and purchase rules
for a purchased item, the fast exact chain method (:mod:`app.solver.fast`) for a manufactured
item whose parts are stocked or bought or whose tree shares nothing; for every other line with
production, bounds: a greedy plan (:mod:`app.solver.greedy`) gives a day and a quantity that
can be met, the relaxation (:mod:`app.solver.bounds`) a day before which and a quantity above
which nothing can, and where they meet the answer is proven ("bounds"). The CP-SAT model
(:mod:`app.solver.cpsat`) decides only what lies between them. Lines are evaluated in order,
each on the state the lines before it leave.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from app.solver import explain, fast
from app.solver.allocation import AllocationLimit
from app.solver.allocation_explain import allocation_constraints
from app.solver.bounds import relaxed_earliest_day, relaxed_most_qty
from app.solver.cpsat.model import earliest_day, latest_plan, most_qty
from app.solver.cpsat.solve import SolverSettings
from app.solver.greedy import GreedyProbe
from app.solver.options import OptionsAsked, with_options
from app.solver.plan import DayPlan
from app.solver.results import (
    Constraint,
    LineRequest,
    LineResult,
    Method,
    Plan,
    QuoteResult,
    QuoteStatus,
)
from app.solver.state import PlanningState
from app.solver.validation import plan_violations

__all__ = [
    "LineDecision",
    "OptionsAsked",
    "PlannedLine",
    "PlannedQuote",
    "PlanningState",
    "SolverSettings",
    "check_quote",
    "decide_line",
    "explain_quote",
    "plan_quote",
]

# After the requested date, CP-SAT looks for the earliest date in windows of growing size: a
# short window keeps the model small for the usual case of a date a little late.
_WINDOW_GROWTH = (14, 60, 180)
_NO_OPTIONS = OptionsAsked()


@dataclass(frozen=True, slots=True)
class LineDecision:
    earliest_day: int | None
    qty_on_requested_day: int
    plan: DayPlan | None
    method: Method
    # The earliest day under section 2 alone, before any allocation limit.
    unlimited_earliest_day: int | None = None
    # False: a late line's quantity on the requested day was not sought (``most_wanted``) and
    # ``qty_on_requested_day`` is 0 for now; ``with_quantity`` seeks it.
    most_sought: bool = True


def check_quote(
    state: PlanningState,
    lines: Sequence[LineRequest],
    ship_complete: bool,
    settings: SolverSettings,
    customer: str | None = None,
    *,
    options: OptionsAsked = _NO_OPTIONS,
) -> QuoteResult:
    """Answer a quote; ``state`` already carries the held and confirmed promises.

    ``customer``'s group's allocations limit its lines (SPEC section 7); without a customer
    nothing is limited. A late line gets the ``options`` asked for, computed on the state it
    saw; they change nothing the line or later lines answer (SPEC section 5).
    """
    planned = plan_quote(state, lines, ship_complete, settings, customer, options=options)
    return explain_quote(planned, settings)


@dataclass(frozen=True, slots=True)
class PlannedLine:
    """A line's earliest day and the plan it reserves, decided on ``seen``: the quote's state
    with the plans of the lines before it taken."""

    request: LineRequest
    seen: PlanningState
    decision: LineDecision
    limit: AllocationLimit | None
    # (day, qty) that the lines before it deliver, per item: they use up the allocation too.
    delivered: dict[str, list[tuple[int, int]]]

    @property
    def requested_day(self) -> int:
        return self.seen.day_of(self.request.requested_date)

    @property
    def promised_day(self) -> int | None:
        earliest = self.decision.earliest_day
        return None if earliest is None else max(self.requested_day, earliest)

    @property
    def feasible(self) -> bool:
        earliest = self.decision.earliest_day
        return earliest is not None and earliest <= self.requested_day


@dataclass(frozen=True, slots=True)
class PlannedQuote:
    """What a quote reserves: every line's earliest day and plan (SPEC section 2), before the
    late lines are explained (their quantity on the requested day, what binds, options).

    Explaining reserves nothing, so a hold reserves the plans first and explains after
    (docs/concurrency.md). ``decided_here`` is False for plans decided on another state (a
    snapshot, ``on``): explaining then decides each line again on this one."""

    state: PlanningState
    lines: tuple[PlannedLine, ...]
    ship_complete: bool
    customer: str | None
    options: OptionsAsked
    decided_here: bool = True
    # The time plan_quote took (for the service's metrics: the engine's time on a quote).
    seconds: float = 0.0

    @property
    def explained(self) -> bool:
        """Nothing left to explain: every line is feasible on its requested date."""
        return self.decided_here and all(line.feasible for line in self.lines)

    def plans(self) -> QuoteResult:
        """The quote's status, dates and plans; a late line's quantity on the requested day,
        constraints and options are not in it (0, none: ``explain_quote`` finds them)."""
        answered = [_line_result(line.seen, line.request, line.decision, ()) for line in self.lines]
        return _quote(self.state, answered, self.ship_complete)

    def on(self, state: PlanningState) -> PlannedQuote:
        """The same plans, to be explained on ``state`` (the same planning data and as_of) as
        the state the quote is reserved on. The caller has shown they fit it and keep every
        promised date (``app.solver.standing``)."""
        lines: list[PlannedLine] = []
        current = state
        for line in self.lines:
            limit = _allocation(state, self.customer, line.request.sku, line.delivered)
            lines.append(replace(line, seen=current, limit=limit))
            if line.decision.plan is not None:
                current = line.decision.plan.apply_to(current)
        return replace(self, state=state, lines=tuple(lines), decided_here=False)


def plan_quote(
    state: PlanningState,
    lines: Sequence[LineRequest],
    ship_complete: bool,
    settings: SolverSettings,
    customer: str | None = None,
    *,
    options: OptionsAsked = _NO_OPTIONS,
) -> PlannedQuote:
    """Each line's earliest day and plan, in order, each on the state the lines before it
    leave (see ``check_quote``)."""
    started = time.perf_counter()
    planned: list[PlannedLine] = []
    current = state
    delivered: dict[str, list[tuple[int, int]]] = {}
    for request in lines:
        requested_day = current.day_of(request.requested_date)
        limit = _allocation(state, customer, request.sku, delivered)
        decision = decide_line(
            current,
            request.sku,
            request.qty,
            requested_day,
            settings,
            allocation=limit,
            most_wanted=False,
        )
        line = PlannedLine(
            request, current, decision, limit, {sku: list(d) for sku, d in delivered.items()}
        )
        planned.append(line)
        if decision.plan is not None:
            current = decision.plan.apply_to(current)
        if line.promised_day is not None:
            delivered.setdefault(request.sku, []).append((line.promised_day, request.qty))
    seconds = time.perf_counter() - started
    return PlannedQuote(state, tuple(planned), ship_complete, customer, options, seconds=seconds)


def explain_quote(planned: PlannedQuote, settings: SolverSettings) -> QuoteResult:
    """The whole answer of a planned quote: each late line's quantity on the requested day,
    what binds and the options asked for, on the state the line saw."""
    answered: list[LineResult] = []
    for line in planned.lines:
        decision = (
            with_quantity(line, settings)
            if planned.decided_here
            else _decided_again(line, settings)
        )
        constraints = (
            ()
            if line.feasible
            else _constraints(
                line.seen, line.request, line.requested_day, decision, line.limit, settings=settings
            )
        )
        answer = _line_result(line.seen, line.request, decision, tuple(constraints))
        if planned.options and not line.feasible:
            answer = _with_options(
                line.seen,
                line.request,
                answer,
                asked=planned.options,
                settings=settings,
                customer=planned.customer,
                delivered=line.delivered,
            )
        answered.append(answer)
    return _quote(planned.state, answered, planned.ship_complete)


def with_quantity(line: PlannedLine, settings: SolverSettings) -> LineDecision:
    """The line's decision with its quantity on the requested day, sought as ``decide_line``
    seeks it (the bounds, CP-SAT where they differ) when it was not yet."""
    decision = line.decision
    if decision.most_sought:
        return decision
    request = line.request
    most, cpsat_used = _most_by_bounds(
        line.seen,
        request.sku,
        request.qty,
        line.requested_day,
        settings,
        greedy=GreedyProbe(line.seen, request.sku),
    )
    allowed = (
        request.qty if line.limit is None else min(request.qty, line.limit.on(line.requested_day))
    )
    return replace(
        decision,
        qty_on_requested_day=min(most, allowed),
        method="cp-sat" if cpsat_used else decision.method,
        most_sought=True,
    )


def _decided_again(line: PlannedLine, settings: SolverSettings) -> LineDecision:
    """The line decided on the state it is reserved on, with the plan it reserves (valid there
    and, for a chain, the one as-late-as-possible plan there is: app.solver.standing)."""
    request = line.request
    fresh = decide_line(
        line.seen, request.sku, request.qty, line.requested_day, settings, allocation=line.limit
    )
    again = replace(line, decision=fresh)
    if again.promised_day != line.promised_day or again.feasible != line.feasible:
        raise RuntimeError(
            f"line {request.line_ref}: the plan reserved for day {line.promised_day} is not the "
            f"answer on the state it is reserved on (day {again.promised_day})"
        )
    return replace(fresh, plan=line.decision.plan)


def _line_result(
    state: PlanningState,
    request: LineRequest,
    decision: LineDecision,
    constraints: tuple[Constraint, ...],
) -> LineResult:
    requested_day = state.day_of(request.requested_date)
    earliest = decision.earliest_day
    promised_day = None if earliest is None else max(requested_day, earliest)
    return LineResult(
        line_ref=request.line_ref,
        sku=request.sku,
        qty=request.qty,
        requested_date=request.requested_date,
        feasible_on_requested_date=earliest is not None and earliest <= requested_day,
        qty_on_requested_date=decision.qty_on_requested_day,
        earliest_date=_date(state, earliest),
        promised_date=_date(state, promised_day),
        delivery_date=_date(state, promised_day),
        plan=decision.plan.dated(state) if decision.plan else Plan(),
        constraints=constraints,
        method=decision.method,
    )


def _with_options(
    state: PlanningState,
    request: LineRequest,
    answer: LineResult,
    *,
    asked: OptionsAsked,
    settings: SolverSettings,
    customer: str | None,
    delivered: dict[str, list[tuple[int, int]]],
) -> LineResult:
    """The options of a late line; a split's lines are decided as lines of this quote would be,
    allocations and all."""

    def decide_as_line(
        at: PlanningState,
        qty: int,
        day: int,
        also_delivered: Sequence[tuple[int, int]],
        guess: int | None,
    ) -> LineDecision:
        earlier = {request.sku: [*delivered.get(request.sku, ()), *also_delivered]}
        limit = _allocation(state, customer, request.sku, earlier)
        # A split's lines need their earliest day and plan, never the quantity on the day.
        return decide_line(
            at,
            request.sku,
            qty,
            day,
            settings,
            allocation=limit,
            most_wanted=False,
            earliest_guess=guess,
        )

    def plan_on_time(at: PlanningState, qty: int, day: int) -> DayPlan:
        # The allocation allows what was deliverable on the day (it never falls after it).
        return on_time_plan(at, request.sku, qty, day, settings)

    limit = _allocation(state, customer, request.sku, delivered)
    room = None if limit is None else limit.on(state.day_of(request.requested_date))
    return with_options(
        state,
        request,
        answer,
        asked=asked,
        settings=settings,
        decide=decide_as_line,
        plan_on_time=plan_on_time,
        allocation_room=room,
    )


def _allocation(
    state: PlanningState,
    customer: str | None,
    sku: str,
    delivered: dict[str, list[tuple[int, int]]],
) -> AllocationLimit | None:
    return state.allocation_of(customer, sku, earlier=delivered.get(sku, ()))


def _constraints(
    state: PlanningState,
    request: LineRequest,
    requested_day: int,
    decision: LineDecision,
    limit: AllocationLimit | None,
    *,
    settings: SolverSettings,
) -> list[Constraint]:
    """Section 2's binding constraints when it alone is late, and the allocation's beside them."""
    unlimited = decision.unlimited_earliest_day
    found: list[Constraint] = []
    if unlimited is None or unlimited > requested_day:
        found = explain.binding_constraints(
            state, request.sku, request.qty, requested_day, unlimited, settings=settings
        )
    if limit is not None and limit.on(requested_day) < request.qty:
        found += allocation_constraints(
            state,
            limit,
            request.qty,
            requested_day,
            decision.earliest_day,
            horizon_already=unlimited is None,
        )
    return found


def decide_line(
    state: PlanningState,
    sku: str,
    qty: int,
    requested_day: int,
    settings: SolverSettings,
    *,
    force_cpsat: bool = False,
    allocation: AllocationLimit | None = None,
    most_wanted: bool = True,
    earliest_guess: int | None = None,
) -> LineDecision:
    """Earliest day, quantity on the requested day, and the plan for the promised day.

    With an ``allocation``, a day counts only if the allocation left on it covers ``qty``
    (SPEC section 7): the earliest day is the later of section 2's and the allocation's, and
    the quantity on the requested day the lesser of both limits.
    ``force_cpsat`` lets the tests show that CP-SAT agrees with the fast method and the bounds
    where they apply. Without ``most_wanted`` the quantity on the requested day of a late line
    is not sought where that costs (the bounds, CP-SAT) and may be reported as 0: for callers
    that need only the day and its plan, which are the same either way.
    ``earliest_guess``, a day the earliest is likely near, only orders the relaxation's probes.
    """
    limit = _Limit(0, qty, most_wanted=most_wanted)
    if allocation is not None:
        limit = _Limit(
            allocation.first_day(qty),
            min(qty, allocation.on(requested_day)),
            most_wanted=most_wanted,
        )
    decided = None
    if not force_cpsat or state.plant.items[sku].kind == "purchased":
        decided = _decide_by_rules(state, sku, qty, requested_day, limit)
    if decided is None:
        decided = (_decide_by_cpsat if force_cpsat else _decide_by_bounds)(
            state, sku, qty, requested_day, settings, limit=limit, guess=earliest_guess
        )
    if decided.plan is not None:
        problems = plan_violations(state, sku, qty, decided.plan)
        if problems:
            raise RuntimeError(f"plan for {qty} {sku} fails validation: {problems}")
    return decided


def on_time_plan(
    state: PlanningState, sku: str, qty: int, day: int, settings: SolverSettings
) -> DayPlan:
    """The plan :func:`decide_line` gives a line known to be deliverable on its requested
    ``day``, without seeking its earliest day: the promised day is then ``day`` whatever the
    earliest is, and the plan only depends on which method decides the line. That is the
    rules' whenever their day search is covered, as in :func:`decide_line`, else the bounds'.
    """
    tree = fast.separable(state.plant, sku)
    plan: DayPlan | None
    if not isinstance(_earliest_by_rules(state, sku, qty, tree), fast.NotCovered):
        plan = _rules_plan_on(state, sku, qty, day, tree)
    else:
        plan = GreedyProbe(state, sku).plan(qty, day)
        if plan is None:
            plan = latest_plan(state, sku, qty, day, settings)
    if plan is None:
        raise RuntimeError(f"{qty} {sku} were deliverable on day {day} but have no plan")
    problems = plan_violations(state, sku, qty, plan)
    if problems:
        raise RuntimeError(f"plan for {qty} {sku} fails validation: {problems}")
    return plan


@dataclass(frozen=True, slots=True)
class _Limit:
    """What an allocation allows: the first day the whole quantity fits (the horizon's length
    when it never does) and the most it allows on the requested day."""

    first_day: int
    on_requested_day: int
    most_wanted: bool = True

    def unsought(self, earliest: int | None, requested_day: int) -> bool:
        """A late line whose quantity on the requested day is wanted later, not now."""
        late = earliest is None or earliest > requested_day
        return late and self.on_requested_day > 0 and not self.most_wanted

    @property
    def most_unasked(self) -> bool:
        """Nothing to seek on the requested day: the allocation allows nothing there, or the
        caller does not want to know."""
        return self.on_requested_day == 0 or not self.most_wanted

    def decision(
        self,
        state: PlanningState,
        *,
        requested_day: int,
        earliest: int | None,
        most: int,
        plan_on: Callable[[int], DayPlan],
        method: Method,
        most_sought: bool = True,
    ) -> LineDecision:
        """Section 2's answer (``earliest``, ``most``) within the allocation."""
        combined = None if earliest is None else max(earliest, self.first_day)
        if combined is not None and combined >= state.horizon_days:
            combined = None
        plan = None if combined is None else plan_on(max(requested_day, combined))
        return LineDecision(
            combined,
            min(most, self.on_requested_day),
            plan,
            method,
            unlimited_earliest_day=earliest,
            most_sought=most_sought,
        )


def _decide_by_rules(
    state: PlanningState, sku: str, qty: int, requested_day: int, limit: _Limit
) -> LineDecision | None:
    """Stock, purchase and the fast chain method; None when a probe is not covered."""
    tree = fast.separable(state.plant, sku)
    earliest = _earliest_by_rules(state, sku, qty, tree)
    if isinstance(earliest, fast.NotCovered):
        return None
    if earliest is not None and earliest <= requested_day:
        most: int | None = qty
    elif limit.on_requested_day == 0:
        most = 0  # the allocation allows nothing on the requested day, whatever stock there is
    else:
        # Sought even when not wanted: whether its probes are covered decides the method, so
        # the plan, as for any other line (the fast probes are cheap).
        most = _most_by_rules(state, sku, qty, requested_day, tree)
    if most is None:
        return None

    def plan_on(day: int) -> DayPlan:
        return _rules_plan_on(state, sku, qty, day, tree)

    method: Method = "fast" if state.plant.items[sku].kind == "manufactured" else "stock"
    decision = limit.decision(
        state,
        requested_day=requested_day,
        earliest=earliest,
        most=most,
        plan_on=plan_on,
        method=method,
    )
    if method == "stock" and decision.plan is not None and decision.plan.purchases:
        decision = replace(decision, method="purchase")
    return decision


def _rules_plan_on(state: PlanningState, sku: str, qty: int, day: int, tree: bool) -> DayPlan:
    outcome = fast.plan_line(state, sku, qty, day, separable_tree=tree)
    if not isinstance(outcome, DayPlan):
        # Feasibility is monotone in the day, so the promised day always has a plan.
        raise RuntimeError(f"no plan for {qty} {sku} on its promised day: {outcome}")
    return outcome


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


def _decide_by_bounds(
    state: PlanningState,
    sku: str,
    qty: int,
    requested_day: int,
    settings: SolverSettings,
    *,
    limit: _Limit,
    guess: int | None = None,
) -> LineDecision:
    """The greedy plan against the relaxation; CP-SAT decides only where the two differ."""
    cpsat_used = False
    greedy = GreedyProbe(state, sku)
    earliest: int | None = None
    low = relaxed_earliest_day(state, sku, qty, near=requested_day, guess=guess)
    if low is not None:
        earliest = greedy.earliest_day(qty, low)
        if earliest != low:
            cpsat_used = True
            last = state.horizon_days - 1 if earliest is None else earliest - 1
            # Feasibility only grows with the day: when the day before the greedy's (or the
            # last day) is impossible, one fixed-day solve proves the greedy's day (or none).
            if _possible(state, sku, qty, last, settings):
                earliest = _cpsat_earliest(
                    state, sku, qty, requested_day, (low, last), settings=settings
                )
    if earliest is not None and earliest <= requested_day:
        most = qty
    elif limit.most_unasked:
        most = 0  # nothing allowed or nothing wanted on the requested day, whatever can be made
    else:
        most, most_by_cpsat = _most_by_bounds(
            state, sku, qty, requested_day, settings, greedy=greedy
        )
        cpsat_used = cpsat_used or most_by_cpsat
    planned_by_cpsat: list[int] = []

    def plan_on(day: int) -> DayPlan:
        plan = greedy.plan(qty, day)
        if plan is None:
            planned_by_cpsat.append(day)
            plan = latest_plan(state, sku, qty, day, settings)
        if plan is None:
            raise RuntimeError(f"{sku} has day {earliest} but no plan on day {day}")
        return plan

    decision = limit.decision(
        state,
        requested_day=requested_day,
        earliest=earliest,
        most=most,
        plan_on=plan_on,
        method="bounds",
        most_sought=not limit.unsought(earliest, requested_day),
    )
    return replace(decision, method="cp-sat") if cpsat_used or planned_by_cpsat else decision


def _most_by_bounds(
    state: PlanningState,
    sku: str,
    qty: int,
    requested_day: int,
    settings: SolverSettings,
    *,
    greedy: GreedyProbe,
) -> tuple[int, bool]:
    """The most of ``qty`` (known impossible) deliverable on the requested day: the greedy's
    against the relaxation's, CP-SAT where they differ; and whether CP-SAT was asked."""
    upper = relaxed_most_qty(state, sku, qty - 1, requested_day)
    most = greedy.most_qty(requested_day, upper)
    if most == upper:
        return most, False
    # Feasibility only shrinks with the quantity: one more unit impossible proves it.
    if _possible(state, sku, most + 1, requested_day, settings):
        most = most_qty(state, sku, qty, requested_day, settings)
    return most, True


def _decide_by_cpsat(
    state: PlanningState,
    sku: str,
    qty: int,
    requested_day: int,
    settings: SolverSettings,
    *,
    limit: _Limit,
    guess: int | None = None,
) -> LineDecision:
    earliest: int | None = None
    first = relaxed_earliest_day(state, sku, qty, guess=guess)
    if first is not None:
        earliest = _cpsat_earliest(
            state, sku, qty, requested_day, (first, state.horizon_days - 1), settings=settings
        )
    if earliest is not None and earliest <= requested_day:
        most = qty
    elif limit.most_unasked:
        most = 0  # nothing allowed or nothing wanted on the requested day, whatever can be made
    else:
        most = most_qty(state, sku, qty, requested_day, settings)

    def plan_on(day: int) -> DayPlan:
        plan = latest_plan(state, sku, qty, day, settings)
        if plan is None:
            raise RuntimeError(f"CP-SAT found day {earliest} for {sku} but no plan on day {day}")
        return plan

    return limit.decision(
        state,
        requested_day=requested_day,
        earliest=earliest,
        most=most,
        plan_on=plan_on,
        method="cp-sat",
        most_sought=not limit.unsought(earliest, requested_day),
    )


def _possible(state: PlanningState, sku: str, qty: int, day: int, settings: SolverSettings) -> bool:
    """Whether CP-SAT finds a way to deliver ``qty`` of ``sku`` on ``day`` (a fixed-day model)."""
    return earliest_day(state, sku, qty, (day, day), settings) is not None


def _cpsat_earliest(
    state: PlanningState,
    sku: str,
    qty: int,
    requested_day: int,
    days: tuple[int, int],
    *,
    settings: SolverSettings,
) -> int | None:
    """The earliest day in ``days`` by CP-SAT, solved in windows: up to the requested day, then
    growing ones after it (a short window keeps the model small when the date is a little late)."""
    first, last = days
    windows: list[tuple[int, int]] = []
    if first <= requested_day:
        windows.append((first, min(requested_day, last)))
        first = requested_day + 1
    for size in _WINDOW_GROWTH:
        if first > last:
            break
        windows.append((first, min(last, first + size - 1)))
        first += size
    if first <= last:
        windows.append((first, last))
    for window in windows:
        found = earliest_day(state, sku, qty, window, settings)
        if found is not None:
            return found
    return None


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
