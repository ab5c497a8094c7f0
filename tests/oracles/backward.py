"""The as-late-as-possible plan of a line whose item is made on a routing chain from bought or
stocked parts, written from SPEC section 2 alone (no engine code), for comparison with the plans
the engine reserves.

Backward from the delivery day: the line takes ``min(qty, ATP)`` from stock and makes the rest as
one lot. The last operation takes the free minutes of the latest days first; operation j-1 may
finish no later than the first day operation j works, so it is packed backward from that day, on
what operation j left of it. The lot starts on the first day operation 1 works; its components
are taken that day, stock first, the rest bought if the lead time allows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from app.solver.plant import Plant
from tests.oracles.planning_data import PlanningData


@dataclass
class LatestPlan:
    minutes: dict[tuple[str, int], int] = field(default_factory=dict)
    stock: dict[tuple[str, int], int] = field(default_factory=dict)
    purchases: dict[tuple[str, int], int] = field(default_factory=dict)


def latest_plan(
    plant: Plant, as_of: date, horizon_days: int, sku: str, qty: int, day: int
) -> LatestPlan | None:
    """The plan that delivers ``qty`` of ``sku`` on ``day`` as late as possible; None if none."""
    data = PlanningData(plant, as_of, horizon_days)
    plan = LatestPlan()
    from_stock = min(qty, data.atp(sku, day))
    if from_stock:
        plan.stock[sku, day] = from_stock
    lot = qty - from_stock
    if lot == 0:
        return plan
    left = {code: [data.free(code, t) for t in range(horizon_days)] for code in plant.resources}
    minutes: dict[tuple[str, int], int] = defaultdict(int)
    latest_finish = day
    for operation in reversed(plant.routings[sku]):
        need = operation.setup_minutes + math.ceil(operation.run_minutes_per_unit * lot)
        t = latest_finish
        first_worked = latest_finish
        while need > 0:
            if t < 0:
                return None
            worked = min(need, left[operation.resource][t])
            if worked > 0:
                left[operation.resource][t] -= worked
                minutes[operation.resource, t] += worked
                need -= worked
                first_worked = t
            t -= 1
        latest_finish = first_worked
    start = latest_finish
    for line in plant.bom.get(sku, ()):
        item = plant.items[line.component]
        if item.kind != "purchased":
            raise ValueError(f"{line.component} is made: not a chain with bought parts")
        need = math.ceil(line.qty_per * lot)
        taken = min(need, data.atp(item.sku, start))
        if taken:
            plan.stock[item.sku, start] = taken
        if need > taken:
            if item.lead_time_days is None or start < item.lead_time_days:
                return None
            plan.purchases[item.sku, start] = need - taken
    plan.minutes = dict(minutes)
    return plan
