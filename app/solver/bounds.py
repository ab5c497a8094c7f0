"""Relaxations that bound a line's earliest day from below and say what binds.

Each ignores something the real rules enforce, so whatever it calls impossible is impossible:
``blocking_materials`` ignores capacity (every lot is made the day it is needed),
``root_capacity_shortfall`` ignores everything but the line's own lot on its own routing, and
``relaxation_fits`` (the tightest, used for the lower bounds) plans every lot of the tree alone
on all free minutes and then asks whether each resource has the minutes they need together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from app.solver.lots import component_need
from app.solver.schedule import CapacityShortfall, schedule_backward
from app.solver.state import PlanningState


def blocking_materials(state: PlanningState, sku: str, qty: int, day: int) -> list[str]:
    """Every item that cannot be had on ``day`` even with unlimited capacity (none: empty).

    Stock of an item used twice in the tree is not shared here (each use sees all of it), which
    only makes the relaxation looser.
    """
    plant = state.plant
    item = plant.items[sku]
    rest = qty - min(qty, state.stock_atp(sku, day))
    if rest == 0:
        return []
    if item.kind == "purchased":
        lead = item.lead_time_days
        return [sku] if lead is None or day < lead else []
    blocked: list[str] = []
    for line in plant.bom.get(sku, ()):
        for part in blocking_materials(
            state, line.component, component_need(rest, line.qty_per), day
        ):
            if part not in blocked:
                blocked.append(part)
    return blocked


def root_capacity_shortfall(
    state: PlanningState, sku: str, qty: int, day: int
) -> CapacityShortfall | None:
    """The operation of the line's own lot that cannot fit by ``day``, or None."""
    item = state.plant.items[sku]
    rest = qty - min(qty, state.stock_atp(sku, day))
    if rest == 0 or item.kind != "manufactured":
        return None
    lot = schedule_backward(sku, state.plant.routings[sku], rest, day, state.free)
    return lot if isinstance(lot, CapacityShortfall) else None


# (release day, deadline day, minutes) of the operations of the tree, per resource.
_Work = dict[str, list[tuple[int, int, int]]]


@dataclass(slots=True)
class RelaxedNeeds:
    """What every plan of a line needs at least, from the relaxation of ``relaxation_fits``.

    ``work``: per resource, (release, deadline, minutes) of each operation of the tree, the
    operation working at least those minutes on days within [release, deadline].
    ``bought``: per purchased component use, (sku, units, latest day): the use takes at least
    that many units beyond its stock, on a day no later than the latest.
    ``sequence``: (resource, release, deadline, minutes) of every operation, in the order they
    work when no lot has two made components (``branching`` False): each lot's operations in
    seq order, after those of the lot it takes.
    """

    work: _Work
    bought: list[tuple[str, int, int]]
    sequence: list[tuple[str, int, int, int]] = field(default_factory=list)
    branching: bool = False


def relaxed_needs(state: PlanningState, sku: str, qty: int, day: int) -> RelaxedNeeds | None:
    """The needs of ``relaxation_fits`` before the resources are checked together; None when
    some lot cannot be served by its deadline even alone."""
    needs = RelaxedNeeds(defaultdict(list), [])
    if _alone(state, sku, qty, day, needs) is None:
        return None
    return needs


def relaxation_fits(state: PlanningState, sku: str, qty: int, day: int) -> bool:
    """False only when ``qty`` of ``sku`` provably cannot be delivered on ``day``.

    Every lot of the tree is planned alone, backward, on all free minutes (as if no other lot
    used its resources), with each use of an item seeing all of its stock ATP. Against any real
    plan this only makes lots smaller and deadlines later: the line's own lot is the same;
    planned alone a lot starts no earlier than it really can, so its components see at least as
    much ATP (it only grows with the day) and a later deadline; and a smaller lot with a later
    deadline fits whenever the larger, earlier one does. So a real plan implies that this one
    succeeds, and that each operation's work, at least these minutes, lies on or before the day
    this plan lets it finish (the latest first day of the next operation, or the lot's
    deadline), and on or after the lot's release: a lot that must buy a component (it is short
    even here) starts no earlier than its lead time, and one that must make a component no
    earlier than the day that component's lot, packed forward from its own release on all free
    minutes, can be ready; within a lot, operation j works no earlier than the day operation j-1
    can first be finished that way (work starts on or after the previous operation's finish
    day). The resources are then checked together (Hall's
    condition on intervals): for every run of days, the minutes whose release and deadline lie
    inside it fit the resource's free minutes in it.

    Feasibility grows with the day and shrinks with the quantity, and so does this test, so
    both can be bisected.
    """
    needs = relaxed_needs(state, sku, qty, day)
    if needs is None:
        return False
    return all(
        _fits_intervals(state.free[resource], works) for resource, works in needs.work.items()
    )


def _fits_intervals(free: npt.NDArray[np.int64], works: list[tuple[int, int, int]]) -> bool:
    if any(release > deadline for release, deadline, _ in works):
        return False
    free_by = np.concatenate(([0], np.cumsum(free)))
    releases = sorted({release for release, _, _ in works})
    for first in releases:
        inside = sorted(
            (deadline, minutes) for release, deadline, minutes in works if release >= first
        )
        total = 0
        for deadline, minutes in inside:
            total += minutes
            if total > free_by[deadline + 1] - free_by[first]:
                return False
    return True


def _alone(
    state: PlanningState, sku: str, qty: int, deadline: int, needs: RelaxedNeeds
) -> int | None:
    """Plan the need alone (see ``relaxation_fits``): the earliest day it can be there, or None
    when even alone it cannot be served by ``deadline``."""
    item = state.plant.items[sku]
    rest = qty - min(qty, state.stock_atp(sku, deadline))
    if rest == 0:
        return 0
    if item.kind == "purchased":
        lead = item.lead_time_days
        needs.bought.append((sku, rest, deadline))
        return lead if lead is not None and deadline >= lead else None
    lot = schedule_backward(sku, state.plant.routings[sku], rest, deadline, state.free)
    if isinstance(lot, CapacityShortfall):
        return None
    release = 0
    made_before = 0
    for line in state.plant.bom.get(sku, ()):
        before = len(needs.sequence)
        there = _alone(
            state, line.component, component_need(rest, line.qty_per), lot.start_day, needs
        )
        if there is None:
            return None
        made_before += len(needs.sequence) > before
        release = max(release, there)
    needs.branching |= made_before > 1
    # Forward from the release, alone: operation j works no earlier than the day operation j-1
    # can first be finished, and the lot is ready no earlier than its last operation can be.
    releases = []
    earliest = release
    for operation in lot.operations:
        releases.append(earliest)
        finished = _earliest_finish(
            state.free[operation.operation.resource], earliest, operation.minutes
        )
        if finished is None or finished > deadline:
            return None
        earliest = finished
    finish_by = deadline
    windows = []
    for operation, released in zip(reversed(lot.operations), reversed(releases), strict=True):
        resource = operation.operation.resource
        needs.work[resource].append((released, finish_by, operation.minutes))
        windows.append((resource, released, finish_by, operation.minutes))
        finish_by = operation.first_day
    needs.sequence.extend(reversed(windows))
    return earliest


def _earliest_finish(free: npt.NDArray[np.int64], start: int, minutes: int) -> int | None:
    """The first day by which ``minutes`` of work from day ``start`` on can be done (all of the
    free minutes for it, so no real plan finishes earlier), or None within the horizon."""
    if minutes <= 0:
        return start
    collected = free[start:].cumsum()
    reach = int(collected.searchsorted(minutes))
    return None if reach >= len(collected) else start + reach


def relaxed_earliest_day(
    state: PlanningState, sku: str, qty: int, near: int | None = None, guess: int | None = None
) -> int | None:
    """A day on or before the true earliest day; None when even the relaxation finds none.

    ``near`` (the requested day) is probed first: most lines are due within weeks of the
    horizon's year, so that halves the range to bisect; then ``guess`` (a day the answer is
    likely near), when it is still inside the range. The test is monotone in the day, so the
    day found is the same whatever is probed first.
    """
    last = state.horizon_days - 1
    if not relaxation_fits(state, sku, qty, last):
        return None
    low, high = 0, last
    for probe in (near, guess):
        if probe is not None and low <= probe < high:
            if relaxation_fits(state, sku, qty, probe):
                high = probe
            else:
                low = probe + 1
    while low < high:
        middle = (low + high) // 2
        if relaxation_fits(state, sku, qty, middle):
            high = middle
        else:
            low = middle + 1
    return low


def relaxed_most_qty(state: PlanningState, sku: str, qty: int, day: int) -> int:
    """A quantity at least the largest one (<= ``qty``) deliverable on ``day``."""
    low, high = 0, qty
    while low < high:
        middle = (low + high + 1) // 2
        if relaxation_fits(state, sku, middle, day):
            low = middle
        else:
            high = middle - 1
    return low
