"""Options for a late line (SPEC section 5): what sales and operations can negotiate.

Options are what-ifs on the state the line saw: they never change the line's answer or the
state later lines see, and they reserve nothing. ``split`` evaluates the line as two
consecutive lines by the ordinary rules (``plan_on_time`` and ``decide``, the engine's own line
decision: the first is deliverable on the day, so only its plan is needed);
``extra_capacity`` is :mod:`app.solver.extra_capacity`; no overtime makes up for an
allocation (SPEC section 7), so a line its allocation holds back gets none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

import numpy as np

from app.solver.cpsat.solve import SolverSettings
from app.solver.extra_capacity import (
    ExtraCapacity,
    cheapest_extra_capacity,
    what_if,
)
from app.solver.plan import DayPlan
from app.solver.results import (
    Constraint,
    Delivery,
    ExtraMinutes,
    LineOption,
    LineRequest,
    LineResult,
    Purchase,
)
from app.solver.state import IntArray, PlanningState
from app.solver.tree import items_and_resources
from app.solver.validation import plan_violations


@dataclass(frozen=True, slots=True)
class OptionsAsked:
    split: bool = False
    extra_capacity: bool = False
    min_split_qty: int = 1

    def __bool__(self) -> bool:
        return self.split or self.extra_capacity


class Decided(Protocol):
    @property
    def earliest_day(self) -> int | None: ...

    @property
    def plan(self) -> DayPlan | None: ...


# (state, qty, requested day, deliveries of the line's sku before it besides the quote's, a
# day the earliest is likely near or None).
Decide = Callable[[PlanningState, int, int, Sequence[tuple[int, int]], int | None], Decided]
# (state, qty, requested day): the plan the line decision gives a line deliverable that day.
PlanOnTime = Callable[[PlanningState, int, int], DayPlan]


def with_options(
    state: PlanningState,
    request: LineRequest,
    answered: LineResult,
    *,
    asked: OptionsAsked,
    settings: SolverSettings,
    decide: Decide,
    plan_on_time: PlanOnTime,
    allocation_room: int | None = None,
) -> LineResult:
    """``answered`` (a late line, on ``state``) with the options asked for; ``allocation_room``
    is what the line's allocation allows on the requested day (None: no allocation)."""
    requested_day = state.day_of(request.requested_date)
    options: list[LineOption] = []
    constraints = answered.constraints
    if asked.split:
        split = split_option(
            state,
            request,
            on_time_qty=answered.qty_on_requested_date,
            whole_earliest=answered.earliest_date,
            min_split_qty=asked.min_split_qty,
            decide=decide,
            plan_on_time=plan_on_time,
        )
        if split is not None:
            options.append(split)
    if asked.extra_capacity:
        found = None
        if allocation_room is None or allocation_room >= request.qty:
            found = cheapest_extra_capacity(
                state, request.sku, request.qty, requested_day, settings
            )
        if found is None:
            constraints = tuple(_no_extra_capacity(state, c, requested_day) for c in constraints)
        else:
            options.append(extra_capacity_option(state, request, found))
    return replace(answered, options=tuple(options), constraints=constraints)


def split_option(
    state: PlanningState,
    request: LineRequest,
    *,
    on_time_qty: int,
    min_split_qty: int,
    decide: Decide,
    plan_on_time: PlanOnTime,
    whole_earliest: date | None = None,
) -> LineOption | None:
    """What the requested date allows now, the rest as early as it can follow (two lines)."""
    rest = request.qty - on_time_qty
    if not (0 < on_time_qty < request.qty and on_time_qty >= min_split_qty):
        return None
    requested_day = state.day_of(request.requested_date)
    first = plan_on_time(state, on_time_qty, requested_day)
    after = first.apply_to(state)
    # The whole line's earliest day is where the rest's is likely to be (it only orders probes).
    guess = None if whole_earliest is None else state.day_of(whole_earliest)
    second = decide(after, rest, requested_day, ((requested_day, on_time_qty),), guess)
    if second.earliest_day is None or second.plan is None:
        return None
    second_day = max(requested_day, second.earliest_day)
    second_date = state.date_of(second_day)
    return LineOption(
        kind="split",
        detail=(
            f"Ship {on_time_qty} on {_short(request.requested_date)} "
            f"and {rest} on {_short(second_date)}."
        ),
        deliveries=(
            Delivery(on_time_qty, request.requested_date, first.dated(state)),
            Delivery(rest, second_date, second.plan.dated(after)),
        ),
        lines=(
            replace(request, line_ref=f"{request.line_ref}.1", qty=on_time_qty),
            replace(
                request, line_ref=f"{request.line_ref}.2", qty=rest, requested_date=second_date
            ),
        ),
    )


def extra_capacity_option(
    state: PlanningState, request: LineRequest, found: ExtraCapacity
) -> LineOption:
    """The option of a least-cost plan, checked by the validator on the state with its overtime."""
    used: dict[str, IntArray] = {}
    for added in found.extra:
        minutes = used.setdefault(added.resource, np.zeros(state.horizon_days, dtype=np.int64))
        minutes[added.day] += added.minutes
    skus, _ = items_and_resources(state.plant, request.sku)
    problems = plan_violations(what_if(state, used, skus), request.sku, request.qty, found.plan)
    if problems:
        raise RuntimeError(f"extra-capacity plan for {request.sku} fails validation: {problems}")
    plan = found.plan.dated(state)
    calendars = state.calendar
    extra = tuple(
        ExtraMinutes(
            e.resource,
            state.date_of(e.day),
            e.minutes,
            int(calendars[e.resource][e.day]) + e.minutes,
        )
        for e in found.extra
    )
    expedite = tuple(
        Purchase(p.sku, p.qty, state.date_of(p.day), state.date_of(p.day - p.lead_time_days))
        for p in found.expedited
    )
    return LineOption(
        kind="extra_capacity",
        detail=_extra_detail(request, extra, expedite, found),
        deliveries=(Delivery(request.qty, request.requested_date, plan),),
        lines=(request,),
        extra=extra,
        expedite=expedite,
        cost=found.cost,
        plan=plan,
    )


def _extra_detail(
    request: LineRequest,
    extra: tuple[ExtraMinutes, ...],
    expedite: tuple[Purchase, ...],
    found: ExtraCapacity,
) -> str:
    """ "With 240 more minutes on CARGO on 3 Dec and 120 on 4 Dec, all 40 can ship on 7 Dec"."""
    parts: list[str] = []
    by_resource: dict[str, list[ExtraMinutes]] = {}
    for e in extra:
        by_resource.setdefault(e.resource, []).append(e)
    for code, days in by_resource.items():
        first, *more = days
        words = [f"{first.minutes} more minutes on {code} on {_short(first.date)}"]
        words += [f"{e.minutes} on {_short(e.date)}" for e in more]
        parts.append(_joined(words))
    for p in expedite:
        parts.append(f"{p.qty} {p.sku} expedited (ordered by {_short(p.order_by)})")
    cost = f" (extra cost {float(found.cost):g})" if found.cost else ""
    every = "all " if request.qty > 1 else ""
    return (
        f"With {', plus '.join(parts)}, {every}{request.qty} can ship on "
        f"{_short(request.requested_date)}{cost}."
    )


def _no_extra_capacity(
    state: PlanningState, constraint: Constraint, requested_day: int
) -> Constraint:
    """The constraint, saying that no overtime or expediting operations allow lifts it."""
    plant = state.plant
    when = _short(state.date_of(requested_day))
    why = ""
    if constraint.kind == "horizon":
        return constraint
    if constraint.resource is not None and constraint.resource in plant.resources:
        overtime = plant.resources[constraint.resource].overtime
        why = (
            f"{constraint.resource} allows no overtime"
            if overtime is None
            else f"the overtime {constraint.resource} allows is not enough"
        )
    elif constraint.sku is not None and plant.items[constraint.sku].kind == "purchased":
        expedite = plant.items[constraint.sku].expedite
        why = (
            f"{constraint.sku} cannot be expedited"
            if expedite is None
            else f"even expedited ({expedite.lead_time_days} days) {constraint.sku} is short"
        )
    note = f" No allowed overtime or expediting makes {when}" + (f": {why}." if why else ".")
    return replace(constraint, detail=constraint.detail + note)


def _joined(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"
