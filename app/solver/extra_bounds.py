"""A lower bound on the extra capacity a line needs, and the overtime that could meet it.

The extra_capacity option of SPEC section 5 is the least-cost plan over the allowed overtime
and expediting, with the fewest overtime minutes at that cost. Every such plan is a plan on the
*widest* what-if state (all the allowed overtime worked, every item bought at its expedited
lead time), so what the relaxation of :func:`app.solver.bounds.relaxed_needs` says every plan
there needs holds for it:

- per resource, each operation of the tree works at least some minutes on days within a window
  [release, deadline]. Over any run of days [a, b], the minutes of the operations whose windows
  lie inside it, less the resource's free minutes of those days *without* overtime, can only
  come from overtime on those days (overtime o on a day adds at most o free minutes). So the
  resource's overtime is at least the largest such shortfall;
- a purchased component taken on a day before the item's normal lead time is bought expedited,
  all of the units beyond its stock; the relaxation gives the latest day of each such take and
  the fewest units.

The option costs at least the bounds' cost (each resource's minutes at its cost per minute, the
units at their expedite cost) and has at least their overtime minutes. A plan that costs exactly
that, in exactly those minutes, is the option (:mod:`app.solver.extra_capacity` seeks one on the
overtime :func:`overtime_on_the_tightest_runs` places).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from app.solver.bounds import relaxed_needs
from app.solver.state import IntArray, PlanningState


@dataclass(frozen=True, slots=True)
class ResourceBound:
    """At least ``minutes`` of overtime on a resource, within the run of days ``days``."""

    minutes: int
    days: tuple[int, int]


@dataclass(frozen=True, slots=True)
class ExtraBound:
    overtime: dict[str, ResourceBound]
    # Units that must be bought expedited, per item.
    expedited: dict[str, int]
    cost: Fraction

    @property
    def minutes(self) -> int:
        return sum(bound.minutes for bound in self.overtime.values())


def least_extra(
    state: PlanningState, widest: PlanningState, sku: str, qty: int, day: int
) -> ExtraBound | None:
    """What every plan for ``qty`` of ``sku`` on ``day`` needs beyond ``state``'s free minutes
    and normal lead times, seen on ``widest`` (the state with all the overtime and expediting
    allowed); None when ``widest`` itself has no plan by the relaxation."""
    needs = relaxed_needs(widest, sku, qty, day)
    if needs is None:
        return None
    plant = state.plant
    cost = Fraction(0)
    overtime: dict[str, ResourceBound] = {}
    for resource, works in sorted(needs.work.items()):
        bound = _tightest_run(state.free[resource], works)
        if bound is None:
            continue
        rule = plant.resources[resource].overtime
        if rule is None:
            return None  # the relaxation on the widest state would have said no plan exists
        overtime[resource] = bound
        cost += bound.minutes * rule.cost_per_minute
    expedited: dict[str, int] = {}
    for item_sku, units, latest in needs.bought:
        item = plant.items[item_sku]
        normal = item.lead_time_days
        if item.expedite is None or (normal is not None and latest >= normal):
            continue
        expedited[item_sku] = expedited.get(item_sku, 0) + units
        cost += units * item.expedite.cost_per_unit
    return ExtraBound(overtime, expedited, cost)


def _tightest_run(free: IntArray, works: list[tuple[int, int, int]]) -> ResourceBound | None:
    """The run of days whose work most exceeds its free minutes, and by how much (None: none
    does)."""
    free_by = np.concatenate(([0], np.cumsum(free)))
    best: ResourceBound | None = None
    for first in sorted({release for release, _, _ in works}):
        for last in sorted({deadline for _, deadline, _ in works if deadline >= first}):
            inside = sum(
                minutes
                for release, deadline, minutes in works
                if release >= first and deadline <= last
            )
            short = inside - int(free_by[last + 1] - free_by[first])
            if short > 0 and (best is None or short > best.minutes):
                best = ResourceBound(short, (first, last))
    return best


def overtime_on_the_tightest_runs(
    state: PlanningState, allowed: Mapping[str, IntArray], bound: ExtraBound
) -> dict[str, IntArray] | None:
    """Each resource's bound in minutes of overtime on the latest days of its tightest run, as
    much as each day allows, on days that are not overbooked (there overtime would first fill
    the hole); None when the run cannot take them."""
    placed: dict[str, IntArray] = {}
    for resource, need in bound.overtime.items():
        minutes = np.zeros(state.horizon_days, dtype=np.int64)
        left = need.minutes
        first, last = need.days
        net = state.net[resource]
        for day in range(last, first - 1, -1):
            if left == 0:
                break
            if net[day] < 0:
                continue
            taken = min(left, int(allowed[resource][day]))
            minutes[day] = taken
            left -= taken
        if left:
            return None
        placed[resource] = minutes
    return placed
