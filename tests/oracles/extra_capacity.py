"""A brute force of the extra_capacity option (SPEC section 5) on tiny plants, from the SPEC text.

Overtime is enumerated per resource and day, in steps of ``unit`` minutes, from none to what the
resource allows that day: its weekly overtime, none on a holiday unless an overtime exception
names the day, an exception replacing the day's overtime; never more than keeps the calendar
plus overtime within the 1440 minutes of a day (so that a calendar exception can add it). For
each overtime the free minutes are recomputed from the SPEC's words (calendar + overtime - load,
never below 0; the calendar by weekday, a holiday 0 unless a calendar exception names it), and
the brute force of SPEC section 2 finds the cheapest plan, expedited purchases allowed. The
option is the least total cost (overtime minutes x cost per minute + expedited units x cost per
unit), then the fewest overtime minutes.

Exact when every minute quantity of the plant is a multiple of ``unit``: the minutes then form
a transportation problem with integral data in units of ``unit``, whose optimum is integral.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

import numpy as np

from app.solver.plant import Plant
from app.solver.state import PlanningState
from tests.oracles.brute_force import BruteForce

DAY = 1440


@dataclass(frozen=True)
class Cheapest:
    cost: Fraction
    overtime_minutes: int


def calendar_on(plant: Plant, code: str, when: date) -> int:
    calendar = plant.resources[code].calendar
    if when in calendar.exceptions:
        return calendar.exceptions[when]
    if when in plant.holidays:
        return 0
    return calendar.weekly_minutes[when.weekday()]


def overtime_allowed_on(plant: Plant, code: str, when: date) -> int:
    overtime = plant.resources[code].overtime
    if overtime is None:
        return 0
    if when in overtime.exceptions:
        allowed = overtime.exceptions[when]
    elif when in plant.holidays:
        allowed = 0
    else:
        allowed = overtime.weekly_minutes[when.weekday()]
    return max(0, min(allowed, DAY - calendar_on(plant, code, when)))


def cheapest(state: PlanningState, sku: str, qty: int, day: int, *, unit: int) -> Cheapest | None:
    """``state`` must be built from its plant alone (no reservations): its free minutes are
    recomputed here from the plant."""
    plant = state.plant
    as_of = state.as_of
    load: dict[tuple[str, int], int] = {}
    for use in plant.load:
        t = (use.date - as_of).days
        load[use.resource, t] = load.get((use.resource, t), 0) + use.minutes
    slots = [
        (code, t)
        for code in sorted(plant.resources)
        for t in range(day + 1)
        if overtime_allowed_on(plant, code, as_of + timedelta(days=t)) > 0
    ]
    choices = [
        range(0, overtime_allowed_on(plant, code, as_of + timedelta(days=t)) + 1, unit)
        for code, t in slots
    ]

    def overtime_cost(minutes: tuple[int, ...]) -> Fraction:
        total = Fraction(0)
        for (code, _), extra in zip(slots, minutes, strict=True):
            overtime = plant.resources[code].overtime
            assert overtime is not None
            total += extra * overtime.cost_per_minute
        return total

    widest = tuple(choice[-1] for choice in choices)
    if (
        _least_expedite_cost(
            state, plant, load, dict(zip(slots, widest, strict=True)), sku, qty, day
        )
        is None
    ):
        return None  # more overtime never hurts: with all of it there is no plan
    combos = sorted(itertools.product(*choices), key=lambda m: (overtime_cost(m), sum(m)))
    best: Cheapest | None = None
    for minutes in combos:
        ot_cost, ot_minutes = overtime_cost(minutes), sum(minutes)
        if best is not None and (ot_cost, ot_minutes) >= (best.cost, best.overtime_minutes):
            if ot_cost > best.cost:
                break
            continue
        added = dict(zip(slots, minutes, strict=True))
        expedite_cost = _least_expedite_cost(state, plant, load, added, sku, qty, day)
        if expedite_cost is None:
            continue
        found = Cheapest(ot_cost + expedite_cost, ot_minutes)
        if best is None or (found.cost, found.overtime_minutes) < (
            best.cost,
            best.overtime_minutes,
        ):
            best = found
    return best


def _least_expedite_cost(
    state: PlanningState,
    plant: Plant,
    load: dict[tuple[str, int], int],
    added: dict[tuple[str, int], int],
    sku: str,
    qty: int,
    day: int,
) -> Fraction | None:
    """The brute force on free minutes of calendar + overtime - load, never below 0."""
    as_of = state.as_of
    free = {
        code: np.array(
            [
                max(
                    0,
                    calendar_on(plant, code, as_of + timedelta(days=t))
                    + added.get((code, t), 0)
                    - load.get((code, t), 0),
                )
                for t in range(state.horizon_days)
            ],
            dtype=np.int64,
        )
        for code in plant.resources
    }
    return BruteForce(replace(state, free=free), expedite=True).least_expedite_cost(sku, qty, day)
