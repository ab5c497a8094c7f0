"""What binds when a line is late: sentences a sales rep understands.

The explanations come from the relaxations of :mod:`app.solver.bounds`: a part that cannot be
there even with unlimited capacity is a material (or lead-time, or stock) constraint; a resource
that cannot fit the lot even with every part in stock is a capacity constraint. When neither
relaxation alone fails, capacity binds across the levels of the plan, and the most loaded resource
of the line's tree is named.
"""

from __future__ import annotations

from datetime import date

from app.solver.bounds import blocking_materials, root_capacity_shortfall
from app.solver.lots import component_need, operation_minutes
from app.solver.results import Constraint
from app.solver.state import PlanningState


def binding_constraints(
    state: PlanningState, sku: str, qty: int, requested_day: int, earliest_day: int | None
) -> list[Constraint]:
    plant = state.plant
    item = plant.items[sku]
    requested = state.date_of(requested_day)
    found: list[Constraint] = []
    atp = state.stock_atp(sku, requested_day)
    if item.kind == "purchased":
        lead = item.lead_time_days
        if lead is None:
            found.append(
                Constraint(
                    "stock",
                    f"Only {atp} {_name(state, sku)} can be had by {_fmt(requested)}, "
                    "and it cannot be re-ordered within the planning horizon.",
                    sku=sku,
                    until_date=requested,
                )
            )
        elif requested_day < lead:
            arrival = state.date_of(lead)
            found.append(
                Constraint(
                    "lead_time",
                    f"Only {atp} {_name(state, sku)} are in stock for {_fmt(requested)}; more "
                    f"takes {lead} days to buy, so it can arrive on {_fmt(arrival)} at the earliest.",
                    sku=sku,
                    from_date=state.as_of,
                    until_date=arrival,
                )
            )
    else:
        found.extend(_production_constraints(state, sku, qty, requested_day))
    if earliest_day is None:
        last_day = state.horizon_days - 1
        last = state.date_of(last_day)
        never = [
            f"{_name(state, part)} ({part})"
            for part in blocking_materials(state, sku, qty, last_day)
            if state.plant.items[part].lead_time_days is None
        ]
        why = f": not enough {', '.join(never)} will ever be there" if never else ""
        found.append(
            Constraint(
                "horizon",
                f"{qty} {_name(state, sku)} cannot be delivered by {_fmt(last)}, "
                f"the end of the planning horizon{why}.",
                sku=sku,
                from_date=state.as_of,
                until_date=last,
            )
        )
    return found


def _production_constraints(
    state: PlanningState, sku: str, qty: int, requested_day: int
) -> list[Constraint]:
    requested = state.date_of(requested_day)
    found: list[Constraint] = []
    blocked = [part for part in blocking_materials(state, sku, qty, requested_day) if part != sku]
    for part_sku in blocked:
        part = state.plant.items[part_sku]
        if part.lead_time_days is None:
            why = "there is not enough in stock and it cannot be re-ordered within the horizon"
        else:
            why = f"there is not enough in stock and more takes {part.lead_time_days} days to buy"
        found.append(
            Constraint(
                "material",
                f"{_name(state, part_sku)} ({part_sku}) is not there in time for "
                f"{_fmt(requested)}: {why}.",
                sku=part_sku,
                from_date=state.as_of,
                until_date=requested,
            )
        )
    shortfall = root_capacity_shortfall(state, sku, qty, requested_day)
    resource = shortfall.operation.resource if shortfall else None
    if resource is None and not blocked:
        resource = _most_loaded_resource(state, sku, qty, requested_day)
    if resource is not None:
        name = state.plant.resources[resource].name
        found.append(
            Constraint(
                "capacity",
                f"{name} ({resource}) does not have enough free time from "
                f"{_fmt(state.as_of)} to {_fmt(requested)} to make this quantity.",
                resource=resource,
                from_date=state.as_of,
                until_date=requested,
            )
        )
    return found


def _most_loaded_resource(
    state: PlanningState, sku: str, qty: int, requested_day: int
) -> str | None:
    """The resource whose free minutes up to the day are most used by the line's lots."""
    needed: dict[str, int] = {}

    def visit(item_sku: str, lot: int) -> None:
        if lot <= 0:
            return
        for operation in state.plant.routings[item_sku]:
            needed[operation.resource] = needed.get(operation.resource, 0) + operation_minutes(
                operation, lot
            )
        for line in state.plant.bom.get(item_sku, ()):
            component = state.plant.items[line.component]
            need = component_need(lot, line.qty_per)
            rest = need - min(need, state.stock_atp(component.sku, 0))
            if component.kind == "manufactured":
                visit(component.sku, rest)

    visit(sku, qty - min(qty, state.stock_atp(sku, requested_day)))
    if not needed:
        return None

    def load_ratio(resource: str) -> float:
        free = int(state.free[resource][: requested_day + 1].sum())
        return needed[resource] / free if free else float("inf")

    return max(sorted(needed), key=load_ratio)


def _name(state: PlanningState, sku: str) -> str:
    return state.plant.items[sku].name


def _fmt(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
