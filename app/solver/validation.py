"""An independent check of a plan: replays it against the planning state it was made on.

It shares no code with the methods that make plans (only the lot arithmetic of the spec), so a
bug in the fast method or the CP-SAT model shows up here. Used by the tests, and by the engine
before a plan is handed out to be reserved.

Stock first (SPEC section 2) is checked exactly where the spec fixes the quantity: the line takes
``min(qty, ATP(sku, d))`` of its own item on its delivery day, and a component used once in the
line's tree takes ``min(need, ATP(component, start))`` on its lot's start day. Both ATPs are the
state's own: no other need in the tree is for the same item (the BOM has no cycle), so nothing
else the plan takes changes them. Of an item used more than once in the tree the spec fixes only
the joint bound (the takes together never leave a later day short); how its stock is split
between its uses is the plan's choice, so only that bound is checked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

from app.solver.fit import Misfit, misfits_on_days
from app.solver.lots import component_need, operation_minutes
from app.solver.plan import DayPlan
from app.solver.plant import BomLine
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
    problems.extend(_stock_first_problems(state, sku, qty, plan))
    for lot in plan.lots:
        problems.extend(_lot_problems(state, lot))
        if problems or not lot.operations[0].loads:
            continue
        supplies[lot.sku].append((lot.ready_day, lot.qty))
        for line in state.plant.bom.get(lot.sku, ()):
            needs[line.component].append((lot.start_day, component_need(lot.qty, line.qty_per)))
    for purchase in plan.purchases:
        item = state.plant.items[purchase.sku]
        lead = item.lead_time_days
        if item.kind != "purchased" or lead is None or purchase.day < lead:
            problems.append(f"{purchase.sku} cannot be bought for day {purchase.day}")
        supplies[purchase.sku].append((purchase.day, purchase.qty))
    for take in plan.stock:
        supplies[take.sku].append((take.day, take.qty))
    # Its minutes within each day's free minutes, its stock takes leaving no later day short.
    for misfit in misfits_on_days(state, plan.stock_taken(), plan.minutes_used()):
        problems.append(_misfit_problem(state, misfit))
    for item_sku in sorted(set(needs) | set(supplies)):
        problems.extend(_balance(item_sku, needs[item_sku], supplies[item_sku], state.horizon_days))
    return problems


def _stock_first_problems(state: PlanningState, sku: str, qty: int, plan: DayPlan) -> list[str]:
    """Stock is taken first, on the day it is needed, wherever the spec fixes how much."""
    uses = _uses_in_tree(state.plant.bom, sku)
    needs = _needs_by_item(state, sku, qty, plan)
    taken_on: dict[tuple[str, int], int] = defaultdict(int)
    taken_of: Counter[str] = Counter()
    for take in plan.stock:
        taken_on[take.sku, take.day] += take.qty
        taken_of[take.sku] += take.qty
    problems = _lots_split(plan, uses) + _takes_off_their_day(needs, taken_on)
    for item_sku, item_needs in sorted(needs.items()):
        # The line's own item, or a component with one use: the spec fixes the stock taken.
        fixed = item_sku == sku or uses[item_sku] == 1
        # More needs than that mean a lot split, reported above.
        if not fixed or len(item_needs) != 1 or not 0 <= item_needs[0][0] < state.horizon_days:
            continue
        day, need = item_needs[0]
        expected = min(need, state.stock_atp(item_sku, day))
        taken = taken_of[item_sku]
        if taken != expected:
            problems.append(
                f"stock first: {item_sku} needs {need} on day {day} with {expected} in stock "
                f"there, but the plan takes {taken} from stock"
            )
    return problems


def _needs_by_item(
    state: PlanningState, sku: str, qty: int, plan: DayPlan
) -> dict[str, list[tuple[int, int]]]:
    """(day, quantity) each item is needed for: the line's delivery and its lots' components."""
    needs: dict[str, list[tuple[int, int]]] = defaultdict(list)
    needs[sku].append((plan.delivery_day, qty))
    for lot in plan.lots:
        if not lot.operations or not lot.operations[0].loads:
            continue
        for line in state.plant.bom.get(lot.sku, ()):
            needs[line.component].append((lot.start_day, component_need(lot.qty, line.qty_per)))
    return needs


def _lots_split(plan: DayPlan, uses: Counter[str]) -> list[str]:
    """Each need in the tree is made as one lot: no more lots of an item than it has needs."""
    lots_of = Counter(lot.sku for lot in plan.lots)
    return [
        f"{item_sku} is made in {count} lots for {max(1, uses[item_sku])} needs in the tree"
        for item_sku, count in sorted(lots_of.items())
        if count > max(1, uses[item_sku])
    ]


def _takes_off_their_day(
    needs: dict[str, list[tuple[int, int]]], taken_on: dict[tuple[str, int], int]
) -> list[str]:
    """Stock is taken on the day it is needed (delivery, or the lot's start), never before."""
    needed_on: dict[tuple[str, int], int] = defaultdict(int)
    for item_sku, item_needs in needs.items():
        for day, need in item_needs:
            needed_on[item_sku, day] += need
    return [
        f"{taken} of {item_sku} taken from stock on day {day}, "
        f"where {needed_on.get((item_sku, day), 0)} are needed"
        for (item_sku, day), taken in sorted(taken_on.items())
        if taken > needed_on.get((item_sku, day), 0)
    ]


def _uses_in_tree(bom: Mapping[str, tuple[BomLine, ...]], sku: str) -> Counter[str]:
    """How many needs each component has in the line's tree (one per BOM path to it)."""
    uses = Counter[str]()
    pending = [sku]
    while pending:
        parent = pending.pop()
        for line in bom.get(parent, ()):
            uses[line.component] += 1
            pending.append(line.component)
    return uses


def _lot_problems(state: PlanningState, lot: LotSchedule) -> list[str]:
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
        if op.loads:
            previous_last = max(day for day, _ in op.loads)
    return problems


def _misfit_problem(state: PlanningState, misfit: Misfit) -> str:
    """A misfit in the day indexes the plan is written in."""
    if misfit.date is None:
        return str(misfit)
    day = state.day_of(misfit.date)
    if misfit.kind == "capacity":
        return f"{misfit.name} on day {day}: {misfit.reserved} minutes planned, {misfit.free} free"
    return f"taking stock of {misfit.name} leaves day {day} short by {misfit.short}"


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
    # The balance only changes on days with a need or a supply: those are the days to look at.
    for day in sorted(d for d in set(need_by) | set(supply_by) if 0 <= d < horizon):
        have += supply_by.get(day, 0)
        want += need_by.get(day, 0)
        if have < want:
            return [f"{sku}: {want} needed by day {day}, only {have} there"]
    return []
