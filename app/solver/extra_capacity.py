"""The extra_capacity option of SPEC section 5: the cheapest overtime and expediting that deliver
the full quantity on the requested date.

The plan is sought on a *what-if* state: each resource's calendar raised by the overtime it
allows on each day, and each expeditable item bought at its expedited lead time. Overtime ``o``
on a day makes the free minutes ``max(0, net + o)``, ``net`` being the calendar minus the load
and the reservations (possibly below 0), exactly as a calendar exception of ``calendar + o``
would. Overtime is capped so that ``calendar + o`` stays a day (1440 minutes): operations can
always add what the option asks for as a calendar exception.

A purchased line is decided by the rules (stock first, the rest expedited). A manufactured line
is decided by the CP-SAT model of :mod:`app.solver.cpsat` on the what-if state plus the rules
below, for the least total cost and, at that cost, the fewest overtime minutes (one weighted
objective, or two solves when the weights could overflow). Every solve must be proven optimal;
a time-out raises :class:`SolverTimeout`, never a guess. The fast method proves the cases no
overtime and expediting can save before any model is built, and the relaxation of
:mod:`app.solver.bounds` most of the others. Before the model, the lower bound of
:mod:`app.solver.extra_bounds` is tried: a plan that costs exactly it, in exactly its minutes,
is the option (on the benchmark plants, 60-80 % of the lines that have one).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

from ortools.sat.python import cp_model

from app.solver import extra_bounds, fast
from app.solver.bounds import relaxation_fits
from app.solver.cpsat.extract import extract_plan
from app.solver.cpsat.model import build_line_model
from app.solver.cpsat.solve import SolverSettings, solve
from app.solver.cpsat.variables import LineVars, NodeVars, UseVars
from app.solver.greedy import greedy_plan
from app.solver.plan import DayPlan, DayPurchase, DayStockTake
from app.solver.plant import Item
from app.solver.results import SolverTimeout
from app.solver.state import IntArray, PlanningState
from app.solver.tree import items_and_resources

# Objectives stay well inside CP-SAT's 64-bit integer arithmetic.
_SAFE_OBJECTIVE = 2**53
_WHAT = "the cheapest extra capacity for the requested date"


@dataclass(frozen=True, slots=True)
class DayExtraMinutes:
    resource: str
    day: int
    minutes: int


@dataclass(frozen=True, slots=True)
class ExtraCapacity:
    """The option: overtime per resource and day, the expedited purchases, their cost, the plan."""

    extra: tuple[DayExtraMinutes, ...]
    expedited: tuple[DayPurchase, ...]
    cost: Fraction
    plan: DayPlan

    @property
    def overtime_minutes(self) -> int:
        return sum(extra.minutes for extra in self.extra)


def what_if(
    state: PlanningState, overtime: Mapping[str, IntArray], skus: Iterable[str] | None = None
) -> PlanningState:
    """``state`` with ``overtime`` worked on top of the calendar and the expedited lead time of
    each item (of ``skus``, default all) in place of the normal one: the state on which an
    option's plan is valid."""
    plant = state.plant
    items = dict(plant.items)
    for sku in plant.items if skus is None else skus:
        expedite = items[sku].expedite
        if expedite is not None:
            items[sku] = replace(items[sku], lead_time_days=expedite.lead_time_days)
    raised = state.with_extra_minutes(overtime)
    return replace(raised, plant=replace(plant, items=items))


def cheapest_extra_capacity(
    state: PlanningState, sku: str, qty: int, day: int, settings: SolverSettings
) -> ExtraCapacity | None:
    """The least-cost way to deliver ``qty`` of ``sku`` on ``day``, or None when no allowed
    overtime and expediting can."""
    item = state.plant.items[sku]
    if item.kind == "purchased":
        return _expedited_line(state, item, qty, day)
    # Only the line's own tree can use overtime or expediting.
    skus, resources = items_and_resources(state.plant, sku)
    allowed = {code: state.overtime[code] for code in sorted(resources)}
    widest = what_if(state, allowed, skus)
    outcome = fast.plan_line(
        widest, sku, qty, day, separable_tree=fast.separable(widest.plant, sku)
    )
    if isinstance(outcome, fast.Infeasible):
        return None
    # The relaxation calls impossible only what is: on the benchmark plants it proves every
    # late line no option can save, which CP-SAT would otherwise build and solve to say so.
    if not relaxation_fits(widest, sku, qty, day):
        return None
    proven = _cheapest_by_bounds(state, widest=widest, allowed=allowed, sku=sku, qty=qty, day=day)
    if proven is not None:
        return proven
    return _cheapest_by_cpsat(
        state, widest=widest, allowed=allowed, sku=sku, qty=qty, day=day, settings=settings
    )


def _expedited_line(state: PlanningState, item: Item, qty: int, day: int) -> ExtraCapacity | None:
    """Stock first; the rest bought for the day, expedited when the normal lead time is too long."""
    from_stock = min(qty, state.stock_atp(item.sku, day))
    rest = qty - from_stock
    expedite = item.expedite
    normal = item.lead_time_days is not None and day >= item.lead_time_days
    if rest == 0 or normal or expedite is None or day < expedite.lead_time_days:
        return None
    stock = (DayStockTake(item.sku, day, from_stock),) if from_stock else ()
    bought = DayPurchase(item.sku, rest, day, expedite.lead_time_days)
    plan = DayPlan(day, stock, (bought,))
    return ExtraCapacity((), (bought,), rest * expedite.cost_per_unit, plan)


# -- by bounds -------------------------------------------------------------------------------


def _cheapest_by_bounds(
    state: PlanningState,
    *,
    widest: PlanningState,
    allowed: Mapping[str, IntArray],
    sku: str,
    qty: int,
    day: int,
) -> ExtraCapacity | None:
    """A plan that costs what :func:`extra_bounds.least_extra` says every plan costs at least,
    in as many overtime minutes: the option, proven without CP-SAT. None: not proven.

    The plan is sought on ``state`` with the bound's overtime on the latest days of each
    resource's tightest run and only the items that must be expedited at their expedited lead
    time: by the fast method where it is exact for the tree, else the greedy.
    """
    bound = extra_bounds.least_extra(state, widest, sku, qty, day)
    if bound is None or not (bound.overtime or bound.expedited):
        return None
    overtime = extra_bounds.overtime_on_the_bound_days(state, allowed, bound)
    if overtime is None:
        return None
    raised = what_if(state, overtime, bound.expedited)
    outcome = fast.plan_line(
        raised, sku, qty, day, separable_tree=fast.separable(raised.plant, sku)
    )
    plan = outcome if isinstance(outcome, DayPlan) else greedy_plan(raised, sku, qty, day)
    if plan is None:
        return None
    priced = priced_plan(state, plan)
    if priced.cost != bound.cost or priced.overtime_minutes != bound.minutes:
        return None
    return priced


def priced_plan(state: PlanningState, plan: DayPlan) -> ExtraCapacity:
    """A plan made on a what-if state of ``state`` as an option: the overtime it works beyond
    the free minutes per resource and day (on an overbooked day, the hole too), the purchases
    made before their normal lead time (expedited), and what both cost."""
    plant = state.plant
    used: dict[tuple[str, int], int] = {}
    for resource, plan_day, minutes in plan.minutes_used():
        used[resource, plan_day] = used.get((resource, plan_day), 0) + minutes
    extra = []
    per_resource: dict[str, int] = {}
    for (resource, plan_day), minutes in sorted(used.items()):
        if minutes <= state.free[resource][plan_day]:
            continue
        # Beyond the free minutes; on an overbooked day (net < 0) the hole is filled first.
        over = minutes - int(state.net[resource][plan_day])
        extra.append(DayExtraMinutes(resource, plan_day, over))
        per_resource[resource] = per_resource.get(resource, 0) + over
    cost = Fraction(0)
    for resource, minutes in per_resource.items():
        rule = plant.resources[resource].overtime
        if rule is None:
            raise RuntimeError(f"the plan works overtime on {resource}, which allows none")
        cost += minutes * rule.cost_per_minute
    purchases, expedited = _normal_and_expedited(state, plan)
    for purchase in expedited:
        expedite = plant.items[purchase.sku].expedite
        if expedite is None:
            raise RuntimeError(f"the plan expedites {purchase.sku}, which cannot be")
        cost += purchase.qty * expedite.cost_per_unit
    return ExtraCapacity(
        tuple(extra), tuple(expedited), cost, replace(plan, purchases=tuple(purchases))
    )


def _normal_and_expedited(
    state: PlanningState, plan: DayPlan
) -> tuple[list[DayPurchase], list[DayPurchase]]:
    """The plan's purchases, those the normal lead time allows given it; and the expedited."""
    purchases = []
    expedited = []
    for purchase in plan.purchases:
        lead = state.plant.items[purchase.sku].lead_time_days
        if lead is not None and purchase.day >= lead:
            purchases.append(replace(purchase, lead_time_days=lead))
        else:
            purchases.append(purchase)
            expedited.append(purchase)
    return purchases, expedited


# -- the model ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Slot:
    """Overtime bought on one resource and day, and the minutes the line's lots work there."""

    resource: str
    day: int
    overtime: cp_model.IntVar
    cost_per_minute: Fraction
    most: int


@dataclass(slots=True)
class _Expediting:
    use: UseVars
    units: cp_model.IntVar
    cost_per_unit: Fraction
    most: int


def _cheapest_by_cpsat(
    state: PlanningState,
    *,
    widest: PlanningState,
    allowed: Mapping[str, IntArray],
    sku: str,
    qty: int,
    day: int,
    settings: SolverSettings,
) -> ExtraCapacity | None:
    built = build_line_model(widest, sku, qty, day)
    model, line = built.model, built.line
    slots = overtime_covers_work_beyond_free_minutes(model, state, allowed, line.nodes)
    expediting = expedited_units_are_bought_before_the_normal_lead_time(model, state, line.nodes)
    scale = _common_denominator(
        [slot.cost_per_minute for slot in slots] + [e.cost_per_unit for e in expediting]
    )
    weighted = [(int(slot.cost_per_minute * scale), slot.overtime, slot.most) for slot in slots]
    weighted += [(int(e.cost_per_unit * scale), e.units, e.most) for e in expediting]
    cost = sum(weight * var for weight, var, _ in weighted)
    minutes = sum(slot.overtime for slot in slots)
    # Least cost, then fewest minutes: one objective cost * (all minutes + 1) + minutes says
    # both at once, since the minutes can never outweigh one unit of cost; when that could
    # overflow CP-SAT's 64-bit sums, two proven solves say it instead.
    big = sum(slot.most for slot in slots) + 1
    if sum(weight * most for weight, _, most in weighted) * big + big < _SAFE_OBJECTIVE:
        model.minimize(cost * big + minutes)
        solver = _solve(model, settings, sku)
        if solver is None:
            return None
    else:
        model.minimize(cost)
        first = _solve(model, settings, sku)
        if first is None:
            return None
        model.add(cost == sum(weight * first.value(var) for weight, var, _ in weighted))
        for node in line.nodes:
            for op in node.operations:
                for work in op.work.values():
                    model.add_hint(work, first.value(work))
        model.minimize(minutes)  # replaces the cost objective
        solver = _solve(model, settings, sku)
        if solver is None:
            raise RuntimeError("a plan of least cost was found, then none at that cost")
    least = sum(weight * solver.value(var) for weight, var, _ in weighted)
    return _extract(
        state,
        solver,
        line=line,
        slots=slots,
        expediting=expediting,
        cost=Fraction(least, scale),
    )


def overtime_covers_work_beyond_free_minutes(
    model: cp_model.CpModel,
    state: PlanningState,
    allowed: Mapping[str, IntArray],
    nodes: list[NodeVars],
) -> list[_Slot]:
    """Per resource and day, the lots work at most ``net + overtime`` minutes, and nothing when
    that is not positive; overtime is within what the resource allows that day."""
    works: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    for node in nodes:
        for op in node.operations:
            for day, work in op.work.items():
                works.setdefault((op.operation.resource, day), []).append(work)
    slots = []
    for (resource, day), day_works in sorted(works.items()):
        net = int(state.net[resource][day])
        most = int(allowed[resource][day])
        overtime_rule = state.plant.resources[resource].overtime
        if most <= 0 or overtime_rule is None:
            continue  # the minutes are free ones; the model's own rule bounds them
        overtime = model.new_int_var(0, most, f"ot_{resource}_{day}")
        used = sum(day_works)
        if net >= 0:
            model.add(used <= net + overtime)
        else:
            # Overbooked: the first -net minutes of overtime only fill the hole.
            active = model.new_bool_var(f"ot_{resource}_{day}_active")
            model.add(used == 0).only_enforce_if(~active)
            model.add(used <= net + overtime).only_enforce_if(active)
            model.add(overtime == 0).only_enforce_if(~active)
        slots.append(_Slot(resource, day, overtime, overtime_rule.cost_per_minute, most))
    return slots


def expedited_units_are_bought_before_the_normal_lead_time(
    model: cp_model.CpModel, state: PlanningState, nodes: list[NodeVars]
) -> list[_Expediting]:
    """A component bought for a start day before its normal lead time is expedited, all of it
    (the model on the what-if state already lets it be bought from the expedited lead time)."""
    expediting = []
    for node in nodes:
        for use in node.uses:
            item = state.plant.items[use.use.item.sku]
            if item.kind != "purchased" or item.expedite is None:
                continue
            units = model.new_int_var(0, use.use.max_need, f"{use.rest.name}_expedited")
            normal = model.new_bool_var(f"{use.rest.name}_normal")
            if item.lead_time_days is None:
                model.add(normal == 0)
            else:
                # Exactly when the start leaves the normal lead time: a free expedite (cost 0)
                # must not be counted for units bought the normal way.
                model.add(node.start >= item.lead_time_days).only_enforce_if(normal)
                model.add(node.start < item.lead_time_days).only_enforce_if(~normal)
            model.add(units == 0).only_enforce_if(normal)
            model.add(units == use.rest).only_enforce_if(~normal)
            expediting.append(
                _Expediting(use, units, item.expedite.cost_per_unit, use.use.max_need)
            )
    return expediting


def _common_denominator(costs: list[Fraction]) -> int:
    scale = 1
    for cost in costs:
        scale = math.lcm(scale, cost.denominator)
    return scale


def _solve(model: cp_model.CpModel, settings: SolverSettings, sku: str) -> cp_model.CpSolver | None:
    """A proven optimum, None when no plan exists; no proof is a time-out, never a guess."""
    solved = solve(model, settings, from_below=True)
    solver, status = solved.solver, solved.status
    if status == cp_model.OPTIMAL:
        return solver
    if status == cp_model.INFEASIBLE:
        return None
    if status in (cp_model.FEASIBLE, cp_model.UNKNOWN):
        raise SolverTimeout(sku, _WHAT)
    raise RuntimeError(f"invalid CP-SAT model: {model.validate()}")


def _extract(
    state: PlanningState,
    solver: cp_model.CpSolver,
    *,
    line: LineVars,
    slots: list[_Slot],
    expediting: list[_Expediting],
    cost: Fraction,
) -> ExtraCapacity:
    plan = extract_plan(solver, line)
    # Purchases the model made at the expedited lead time that the normal one also allows.
    purchases, expedited = _normal_and_expedited(state, plan)
    extra = tuple(
        DayExtraMinutes(slot.resource, slot.day, minutes)
        for slot in slots
        if (minutes := solver.value(slot.overtime)) > 0
    )
    if sum(solver.value(e.units) for e in expediting) != sum(p.qty for p in expedited):
        raise RuntimeError("the expedited units of the model and of its plan differ")
    return ExtraCapacity(extra, tuple(expedited), cost, replace(plan, purchases=tuple(purchases)))
