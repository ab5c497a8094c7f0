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
units at their expedite cost) and has at least their overtime minutes.

When the tree is a chain (no lot has two made components) on resources that all differ, a
second bound sees that the operations follow each other: each works between the day the one
before it finishes and the day it finishes itself, so for some days t_1 <= ... <= t_n every
plan works operation i within [t_(i-1), t_i], and its overtime there is at least its minutes
less the free minutes of those days. The least cost (then minutes) over all such days, by
dynamic programming over the operations, is a bound on the option's cost and minutes together
(lexicographically); the bound used is the larger of the two.

A plan that costs exactly the bound, in exactly its minutes, is the option
(:mod:`app.solver.extra_capacity` seeks one on the overtime :func:`overtime_on_the_bound_days`
places).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from app.solver.bounds import RelaxedNeeds, relaxed_needs
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
    # Which bound: "runs" (each resource's tightest run) or "chain" (operations in sequence).
    by: str = "runs"

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
    expedite_cost = Fraction(0)
    for item_sku, units, latest in needs.bought:
        item = plant.items[item_sku]
        normal = item.lead_time_days
        if item.expedite is None or (normal is not None and latest >= normal):
            continue
        expedited[item_sku] = expedited.get(item_sku, 0) + units
        expedite_cost += units * item.expedite.cost_per_unit
    by_runs = ExtraBound(overtime, expedited, cost + expedite_cost)
    chained = _chain_bound(state, widest, needs, day)
    if chained is None:
        return by_runs
    by_chain = ExtraBound(chained[0], expedited, chained[1] + expedite_cost, by="chain")
    if (by_chain.cost, by_chain.minutes) > (by_runs.cost, by_runs.minutes):
        return by_chain
    return by_runs


_NEVER = np.int64(2**62)


def _chain_bound(
    state: PlanningState, widest: PlanningState, needs: RelaxedNeeds, day: int
) -> tuple[dict[str, ResourceBound], Fraction] | None:
    """The chain bound (module docstring): per resource, the least overtime and its days, and
    their cost; None when the tree is not a chain on resources that all differ."""
    sequence = needs.sequence
    resources = [resource for resource, _, _, _ in sequence]
    if needs.branching or not sequence or len(set(resources)) != len(resources):
        return None
    plant = state.plant
    costs = []
    for resource in resources:
        rule = plant.resources[resource].overtime
        costs.append(Fraction(0) if rule is None else rule.cost_per_minute)
    scale = math.lcm(*(cost.denominator for cost in costs))
    days = day + 1
    # Keys cost * big + minutes order plans by cost, then minutes (big > any minutes).
    big = sum(int((widest.free[r][:days] - state.free[r][:days]).sum()) for r in resources) + 1
    first = np.arange(days)[:, None]
    last = np.arange(days)[None, :]
    best = np.where(np.arange(days) >= sequence[0][1], np.int64(0), _NEVER)
    choices = []
    for (resource, release, deadline, minutes), cost in zip(sequence, costs, strict=True):
        free = np.concatenate(([0], np.cumsum(state.free[resource][:days])))
        gain = np.concatenate(([0], np.cumsum(widest.free[resource][:days])))
        short = np.maximum(minutes - (free[last + 1] - free[first]), 0)
        # Within its window, after the one before it, and within the overtime allowed there.
        possible = (last >= first) & (first >= release) & (last <= deadline)
        possible &= minutes <= gain[last + 1] - gain[first]
        key = short * (int(cost * scale) * big + 1)
        total = np.where(possible, best[:, None] + key, _NEVER)
        total = np.minimum(total, _NEVER)
        choices.append(total.argmin(axis=0))
        best = total.min(axis=0)
    end = int(best.argmin())
    if best[end] >= _NEVER:
        return None
    overtime: dict[str, ResourceBound] = {}
    cost_total = Fraction(0)
    for index in range(len(sequence) - 1, -1, -1):
        start = int(choices[index][end])
        resource, _, _, minutes = sequence[index]
        free_minutes = int(state.free[resource][start : end + 1].sum())
        if minutes > free_minutes:
            overtime[resource] = ResourceBound(minutes - free_minutes, (start, end))
            cost_total += (minutes - free_minutes) * costs[index]
        end = start
    return overtime, cost_total


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


def overtime_on_the_bound_days(
    state: PlanningState, allowed: Mapping[str, IntArray], bound: ExtraBound
) -> dict[str, IntArray] | None:
    """Each resource's bound in minutes of overtime on the latest of its days (its tightest
    run, or its operation's days in the chain), as much as each day allows, on days that are
    not overbooked (there overtime would first fill the hole); None when they cannot take it."""
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
