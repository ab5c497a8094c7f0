"""A brute force of the extra_capacity option (SPEC section 5) on tiny plants, from the SPEC text.

Overtime is enumerated per resource and day, in steps of ``unit`` minutes, from none to what the
resource allows that day: its weekly overtime, none on a holiday unless an overtime exception
names the day, an exception replacing the day's overtime; never more than keeps the calendar
plus overtime within the 1440 minutes of a day (so that a calendar exception can add it). Each
overtime is applied as the SPEC words it, a calendar exception of calendar + overtime, and the
brute force of SPEC section 2 (its free minutes from the plant's raw data) finds the cheapest
plan, expedited purchases allowed. The option is the least total cost (overtime minutes x cost
per minute + expedited units x cost per unit), then the fewest overtime minutes.

Exact when every minute quantity of the plant is a multiple of ``unit``: the minutes then form
a transportation problem with integral data in units of ``unit``, whose optimum is integral.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from app.solver.plant import Plant
from tests.oracles.brute_force import BruteForce
from tests.oracles.planning_data import calendar_minutes

DAY = 1440


@dataclass(frozen=True)
class Cheapest:
    cost: Fraction
    overtime_minutes: int


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
    return max(0, min(allowed, DAY - calendar_minutes(plant, code, when)))


def cheapest(
    plant: Plant, as_of: date, horizon_days: int, sku: str, qty: int, day: int, *, unit: int
) -> Cheapest | None:
    slots = [
        (code, as_of + timedelta(days=t))
        for code in sorted(plant.resources)
        for t in range(day + 1)
        if overtime_allowed_on(plant, code, as_of + timedelta(days=t)) > 0
    ]
    choices = [range(0, overtime_allowed_on(plant, code, when) + 1, unit) for code, when in slots]

    def least_expedite_cost(minutes: tuple[int, ...]) -> Fraction | None:
        with_overtime = _with_overtime(plant, dict(zip(slots, minutes, strict=True)))
        oracle = BruteForce(with_overtime, as_of, horizon_days, expedite=True)
        return oracle.least_expedite_cost(sku, qty, day)

    def overtime_cost(minutes: tuple[int, ...]) -> Fraction:
        total = Fraction(0)
        for (code, _), extra in zip(slots, minutes, strict=True):
            overtime = plant.resources[code].overtime
            assert overtime is not None
            total += extra * overtime.cost_per_minute
        return total

    # More overtime never hurts: with all of it and no plan, there is no option.
    if least_expedite_cost(tuple(choice[-1] for choice in choices)) is None:
        return None
    best: Cheapest | None = None
    for minutes in sorted(itertools.product(*choices), key=lambda m: (overtime_cost(m), sum(m))):
        ot_cost, ot_minutes = overtime_cost(minutes), sum(minutes)
        if best is not None and (ot_cost, ot_minutes) >= (best.cost, best.overtime_minutes):
            if ot_cost > best.cost:
                break
            continue
        expedite_cost = least_expedite_cost(minutes)
        if expedite_cost is None:
            continue
        found = Cheapest(ot_cost + expedite_cost, ot_minutes)
        if best is None or (found.cost, found.overtime_minutes) < (
            best.cost,
            best.overtime_minutes,
        ):
            best = found
    return best


def _with_overtime(plant: Plant, added: dict[tuple[str, date], int]) -> Plant:
    """Overtime as calendar exceptions of calendar + overtime (SPEC section 5)."""
    resources = dict(plant.resources)
    for (code, when), minutes in added.items():
        if minutes == 0:
            continue
        resource = resources[code]
        exceptions = resource.calendar.exceptions | {
            when: calendar_minutes(plant, code, when) + minutes
        }
        resources[code] = replace(
            resource, calendar=replace(resource.calendar, exceptions=exceptions)
        )
    return replace(plant, resources=resources)
