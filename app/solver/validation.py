"""An independent check of a plan: replays it against the planning state it was made on.

It shares no code with the methods that make plans (only the lot arithmetic of the spec), so a
bug in the fast method or the CP-SAT model shows up here. Used by the tests, and by the engine
before a plan is handed out to be reserved.
"""

from __future__ import annotations

from collections import defaultdict

from app.solver.lots import component_need, operation_minutes
from app.solver.plan import DayPlan
from app.solver.state import PlanningState


def plan_violations(state: PlanningState, sku: str, qty: int, plan: DayPlan) -> list[str]:
    """Everything wrong with ``plan`` as a way to deliver ``qty`` of ``sku``; empty if none."""
    problems: list[str] = []
    horizon = state.horizon_days
    plant = state.plant
    if not 0 <= plan.delivery_day < horizon:
        return [f"delivery day {plan.delivery_day} is outside the horizon"]

    # Needs: the delivery itself, and every lot's components on its start day.
    needs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    supplies: dict[str, list[tuple[int, int]]] = defaultdict(list)
    needs[sku].append((plan.delivery_day, qty))

    used: dict[tuple[str, int], int] = defaultdict(int)
    for lot in plan.lots:
        item = plant.items[lot.sku]
        if item.kind != "manufactured":
            problems.append(f"{lot.sku} is not manufactured but a lot of it is planned")
            continue
        operations = plant.routings[lot.sku]
        if [op.operation for op in lot.operations] != list(operations):
            problems.append(f"lot of {lot.sku} does not follow its routing")
            continue
        if lot.qty < 1:
            problems.append(f"lot of {lot.sku} has quantity {lot.qty}")
        previous_last: int | None = None
        for op in lot.operations:
            expected = operation_minutes(op.operation, lot.qty)
            loaded = sum(minutes for _, minutes in op.loads)
            if op.minutes != expected or loaded != expected:
                problems.append(
                    f"{lot.sku} op {op.operation.seq}: needs {expected} minutes, "
                    f"says {op.minutes}, loads {loaded}"
                )
            for day, minutes in op.loads:
                if not 0 <= day < horizon or minutes <= 0:
                    problems.append(f"{lot.sku} op {op.operation.seq}: bad load {minutes} on {day}")
                    continue
                if previous_last is not None and day < previous_last:
                    problems.append(
                        f"{lot.sku} op {op.operation.seq} works on day {day}, "
                        f"before the previous operation finished (day {previous_last})"
                    )
                used[op.operation.resource, day] += minutes
            if op.loads:
                previous_last = max(day for day, _ in op.loads)
        if not lot.operations or not lot.operations[0].loads:
            continue
        start = min(day for day, _ in lot.operations[0].loads)
        ready = max(day for day, _ in lot.operations[-1].loads)
        supplies[lot.sku].append((ready, lot.qty))
        for line in plant.bom.get(lot.sku, ()):
            needs[line.component].append((start, component_need(lot.qty, line.qty_per)))

    for (resource, day), minutes in used.items():
        free = int(state.free[resource][day])
        if minutes > free:
            problems.append(f"{resource} on day {day}: {minutes} minutes planned, {free} free")

    for purchase in plan.purchases:
        item = plant.items[purchase.sku]
        lead = item.lead_time_days
        if item.kind != "purchased" or lead is None or purchase.day < lead:
            problems.append(f"{purchase.sku} cannot be bought for day {purchase.day}")
        supplies[purchase.sku].append((purchase.day, purchase.qty))

    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for take in plan.stock:
        supplies[take.sku].append((take.day, take.qty))
        taken[take.sku].append((take.day, take.qty))
    for item_sku, takes in taken.items():
        problems.extend(_stock_overdrawn(state, item_sku, takes))

    for item_sku in set(needs) | set(supplies):
        problems.extend(_balance(item_sku, needs[item_sku], supplies[item_sku], horizon))
    return problems


def _stock_overdrawn(state: PlanningState, sku: str, takes: list[tuple[int, int]]) -> list[str]:
    """Taking stock must never leave any day, from the first take on, short (SPEC: stock ATP)."""
    projected = state.projected[sku]
    first_take = min(day for day, qty in takes if qty > 0) if any(q for _, q in takes) else None
    if first_take is None:
        return []
    cumulative = 0
    by_day = defaultdict(int)
    for day, qty in takes:
        by_day[day] += qty
    for day in range(first_take, state.horizon_days):
        cumulative += by_day.get(day, 0)
        if projected[day] - cumulative < 0:
            return [
                f"taking stock of {sku} leaves day {day} short by {cumulative - projected[day]}"
            ]
    return []


def _balance(
    sku: str, needs: list[tuple[int, int]], supplies: list[tuple[int, int]], horizon: int
) -> list[str]:
    """Every need is covered by supply available by its day, and nothing is left over."""
    if sum(q for _, q in needs) != sum(q for _, q in supplies):
        return [
            f"{sku}: {sum(q for _, q in supplies)} supplied for {sum(q for _, q in needs)} needed"
        ]
    need_by = defaultdict(int)
    supply_by = defaultdict(int)
    for day, qty in needs:
        need_by[day] += qty
    for day, qty in supplies:
        supply_by[day] += qty
    have = want = 0
    for day in range(horizon):
        have += supply_by.get(day, 0)
        want += need_by.get(day, 0)
        if have < want:
            return [f"{sku}: {want} needed by day {day}, only {have} there"]
    return []
