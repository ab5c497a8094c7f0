"""The fast exact method: a line whose production is one routing chain with bought or stocked parts.

For a day d the line takes ``a = min(qty, ATP(sku, d))`` from stock and makes the rest as one lot
by d. The lot is packed backward as late as possible (:mod:`app.solver.schedule`), which gives
the latest possible start day S; components are taken on S. ATP never falls as the day grows and a
purchase is possible from day L on, so the latest start is the best start for every component:
if a component is short at S it is short at every possible start. Hence the answer is exact
whenever each component is served from stock or bought at S.

A component that has to be *made* is planned the same way, backward from S, when the tree is
*separable*: no resource serves two items of the tree and no item is used twice in it. Then
lots compete for nothing but their deadlines: each lot's start only depends on its own
resources and its deadline, and a later deadline only helps (more stock ATP, a smaller lot, a
wider window), so the latest start of every lot is best for everything below it, and the
top-down backward plan is feasible exactly when any plan is. When a component must be made in a
tree that is not separable, the method says so (:class:`NotCovered`) instead of guessing; the
CP-SAT model decides those lines.

Feasibility is monotone in the day (ATP grows, the lot shrinks, the window widens) and in the
quantity (a smaller lot needs fewer minutes and parts), so both searches bisect.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.solver.lots import component_need
from app.solver.plan import DayPlan, DayPurchase, DayStockTake
from app.solver.plant import Plant
from app.solver.results import ConstraintKind
from app.solver.schedule import CapacityShortfall, schedule_backward
from app.solver.state import PlanningState


@dataclass(frozen=True, slots=True)
class Infeasible:
    """Provably impossible on this day, with what binds."""

    kind: ConstraintKind
    sku: str
    resource: str | None = None


@dataclass(frozen=True, slots=True)
class NotCovered:
    """Outside what this method can prove: a component would have to be made."""

    component: str


Outcome = DayPlan | Infeasible | NotCovered


def separable(
    plant: Plant,
    sku: str,
    *,
    unlimited: frozenset[str] = frozenset(),
    plentiful: frozenset[str] = frozenset(),
) -> bool:
    """No resource serves two items of the tree below ``sku``, and no item is used twice.

    Except what cannot be competed for: ``unlimited`` resources have more free minutes on every
    day up to the delivery than the whole tree could use, and ``plentiful`` bought items more
    stock from day 0 than it could take (what lifting gives, :mod:`app.solver.lifting`). Lots
    packed alone on them fit together: their minutes, and their takes, add up to less than there
    is on any day, so each lot still depends on nothing but its deadline.
    """
    owner = {op.resource: sku for op in plant.routings.get(sku, ())}
    seen: set[str] = set()

    def walk(parent: str) -> bool:
        for line in plant.bom.get(parent, ()):
            if line.component in seen and line.component not in plentiful:
                return False
            seen.add(line.component)
            for op in plant.routings.get(line.component, ()):
                if op.resource in unlimited:
                    continue
                if owner.setdefault(op.resource, line.component) != line.component:
                    return False
            if not walk(line.component):
                return False
        return True

    return walk(sku)


def plan_line(
    state: PlanningState, sku: str, qty: int, day: int, *, separable_tree: bool = False
) -> Outcome:
    """Serve ``qty`` of ``sku`` on ``day``: stock first, then buy or make the rest.

    ``separable_tree`` (see :func:`separable`) lets components be made too.
    """
    item = state.plant.items[sku]
    from_stock = min(qty, state.stock_atp(sku, day))
    stock = (DayStockTake(sku, day, from_stock),) if from_stock else ()
    rest = qty - from_stock
    if rest == 0:
        return DayPlan(day, stock)
    if item.kind == "purchased":
        lead = item.lead_time_days
        if lead is None:
            return Infeasible("stock", sku)
        if day < lead:
            return Infeasible("lead_time", sku)
        return DayPlan(day, stock, (DayPurchase(sku, rest, day, lead),))
    made = plan_lot(state, sku, rest, day, separable_tree=separable_tree)
    if not isinstance(made, DayPlan):
        return made
    return DayPlan(day, stock + made.stock, made.purchases, made.lots)


def plan_lot(
    state: PlanningState, sku: str, qty: int, deadline: int, *, separable_tree: bool = False
) -> Outcome:
    """Make one lot of ``qty`` ready by ``deadline``, as late as possible."""
    plant = state.plant
    lot = schedule_backward(sku, plant.routings[sku], qty, deadline, state.free)
    if isinstance(lot, CapacityShortfall):
        return Infeasible("capacity", sku, lot.operation.resource)
    start = lot.start_day
    takes: list[DayStockTake] = []
    purchases: list[DayPurchase] = []
    lots = [lot]
    for line in plant.bom.get(sku, ()):
        component = plant.items[line.component]
        need = component_need(qty, line.qty_per)
        from_stock = min(need, state.stock_atp(component.sku, start))
        rest = need - from_stock
        if from_stock:
            takes.append(DayStockTake(component.sku, start, from_stock))
        if rest == 0:
            continue
        if component.kind == "manufactured":
            if not separable_tree:
                return NotCovered(component.sku)
            made = plan_lot(state, component.sku, rest, start, separable_tree=True)
            if not isinstance(made, DayPlan):
                return made
            takes.extend(made.stock)
            purchases.extend(made.purchases)
            lots.extend(made.lots)
            continue
        lead = component.lead_time_days
        if lead is None or start < lead:
            return Infeasible("material", component.sku)
        purchases.append(DayPurchase(component.sku, rest, start, lead))
    return DayPlan(deadline, tuple(takes), tuple(purchases), tuple(lots))
