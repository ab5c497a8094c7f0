"""An independent check of a plan: replays it against the planning state it was made on.

It shares no code with the methods that make plans (only the lot arithmetic of the spec), so a
bug in the fast method or the CP-SAT model shows up here. Used by the tests, and by the engine
before a plan is handed out to be reserved.
"""

from __future__ import annotations

from collections import defaultdict

from app.solver.lots import component_need, operation_minutes
from app.solver.plan import DayPlan
from app.solver.schedule import LotSchedule
from app.solver.state import PlanningState

Supplies = dict[str, list[tuple[int, int]]]


def plan_violations(state: PlanningState, sku: str, qty: int, plan: DayPlan) -> list[str]:
    """Everything wrong with ``plan`` as a way to deliver ``qty`` of ``sku``; empty if none."""
    if not 0 <= plan.delivery_day < state.horizon_days:
        return [f"delivery day {plan.delivery_day} is outside the horizon"]
    problems: list[str] = []
    # Needs: the delivery itself, and every lot's components on its start day.
    needs: Supplies = defaultdict(list)
    supplies: Supplies = defaultdict(list)
    needs[sku].append((plan.delivery_day, qty))
    used: dict[tuple[str, int], int] = defaultdict(int)
    for lot in plan.lots:
        problems.extend(_lot_problems(state, lot, used))
        if problems or not lot.operations[0].loads:
            continue
        supplies[lot.sku].append((lot.ready_day, lot.qty))
        for line in state.plant.bom.get(lot.sku, ()):
            needs[line.component].append((lot.start_day, component_need(lot.qty, line.qty_per)))
    for (resource, day), minutes in used.items():
        free = int(state.free[resource][day])
        if minutes > free:
            problems.append(f"{resource} on day {day}: {minutes} minutes planned, {free} free")
    for purchase in plan.purchases:
        item = state.plant.items[purchase.sku]
        lead = item.lead_time_days
        if item.kind != "purchased" or lead is None or purchase.day < lead:
            problems.append(f"{purchase.sku} cannot be bought for day {purchase.day}")
        supplies[purchase.sku].append((purchase.day, purchase.qty))
    taken: Supplies = defaultdict(list)
    for take in plan.stock:
        supplies[take.sku].append((take.day, take.qty))
        taken[take.sku].append((take.day, take.qty))
    for item_sku, takes in taken.items():
        problems.extend(_stock_overdrawn(state, item_sku, takes))
    for item_sku in sorted(set(needs) | set(supplies)):
        problems.extend(_balance(item_sku, needs[item_sku], supplies[item_sku], state.horizon_days))
    return problems


def _lot_problems(
    state: PlanningState, lot: LotSchedule, used: dict[tuple[str, int], int]
) -> list[str]:
    """A lot follows its routing, needs the spec's minutes and works in seq order."""
    plant = state.plant
    if plant.items[lot.sku].kind != "manufactured":
        return [f"{lot.sku} is not manufactured but a lot of it is planned"]
    if [op.operation for op in lot.operations] != list(plant.routings[lot.sku]):
        return [f"lot of {lot.sku} does not follow its routing"]
    problems = [] if lot.qty >= 1 else [f"lot of {lot.sku} has quantity {lot.qty}"]
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
            if not 0 <= day < state.horizon_days or minutes <= 0:
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
    return problems


def _stock_overdrawn(state: PlanningState, sku: str, takes: list[tuple[int, int]]) -> list[str]:
    """Taking stock must never leave any day, from the first take on, short (SPEC: stock ATP)."""
    projected = state.projected[sku]
    first_take = min(day for day, qty in takes if qty > 0) if any(q for _, q in takes) else None
    if first_take is None:
        return []
    cumulative = 0
    by_day: dict[int, int] = defaultdict(int)
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
    need_by: dict[int, int] = defaultdict(int)
    supply_by: dict[int, int] = defaultdict(int)
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
