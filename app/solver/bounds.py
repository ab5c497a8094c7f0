"""Relaxations that bound a line's earliest day from below and say what binds.

Both ignore something the real rules enforce, so whatever they call impossible is impossible:
``blocking_materials`` ignores capacity (every lot is made the day it is needed), and
``root_capacity_shortfall`` ignores everything but the line's own lot on its own routing.
"""

from __future__ import annotations

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


def relaxed_earliest_day(state: PlanningState, sku: str, qty: int) -> int | None:
    """A day on or before the true earliest day; None when even the relaxation finds none."""

    def possible(day: int) -> bool:
        return (
            not blocking_materials(state, sku, qty, day)
            and root_capacity_shortfall(state, sku, qty, day) is None
        )

    last = state.horizon_days - 1
    if not possible(last):
        return None
    low, high = 0, last
    while low < high:
        middle = (low + high) // 2
        if possible(middle):
            high = middle
        else:
            low = middle + 1
    return low
