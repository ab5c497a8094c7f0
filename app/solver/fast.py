"""The fast exact method: a line whose production is one routing chain with bought or stocked parts.

For a day d the line takes ``a = min(qty, ATP(sku, d))`` from stock and makes the rest as one lot
by d. The lot is packed backward as late as possible (:mod:`app.solver.schedule`), which gives
the latest possible start day S; components are taken on S. ATP never falls as the day grows and a
purchase is possible from day L on, so the latest start is the best start for every component:
if a component is short at S it is short at every possible start. Hence the answer is exact
whenever each component is served from stock or bought at S. When a component would have to be
*made* at S, the line needs a multi-level plan and the method says so (:class:`NotCovered`)
instead of guessing; the CP-SAT model decides those lines.

Feasibility is monotone in the day (ATP grows, the lot shrinks, the window widens) and in the
quantity (a smaller lot needs fewer minutes and parts), so both searches bisect.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.solver.lots import component_need
from app.solver.plan import DayPlan, DayPurchase, DayStockTake
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


def plan_line(state: PlanningState, sku: str, qty: int, day: int) -> Outcome:
    """Serve ``qty`` of ``sku`` on ``day``: stock first, then buy or make the rest."""
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
    made = plan_lot(state, sku, rest, day)
    if not isinstance(made, DayPlan):
        return made
    return DayPlan(day, stock + made.stock, made.purchases, made.lots)


def plan_lot(state: PlanningState, sku: str, qty: int, deadline: int) -> Outcome:
    """Make one lot of ``qty`` ready by ``deadline``, as late as possible."""
    plant = state.plant
    lot = schedule_backward(sku, plant.routings[sku], qty, deadline, state.free)
    if isinstance(lot, CapacityShortfall):
        return Infeasible("capacity", sku, lot.operation.resource)
    start = lot.start_day
    takes: list[DayStockTake] = []
    purchases: list[DayPurchase] = []
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
            return NotCovered(component.sku)
        lead = component.lead_time_days
        if lead is None or start < lead:
            return Infeasible("material", component.sku)
        purchases.append(DayPurchase(component.sku, rest, start, lead))
    return DayPlan(deadline, tuple(takes), tuple(purchases), (lot,))
