"""What binds when a line is late: the entries of SPEC section 2, in sentences a sales rep
understands.

The entries are exactly what binds on the requested date (:mod:`app.solver.binding`): lifting
them all makes the line feasible that day, lifting all but any one does not. Each sentence says
what would have to change.
"""

from __future__ import annotations

from datetime import date

from app.solver.binding import Binding, what_binds
from app.solver.bounds import blocking_materials
from app.solver.cpsat.solve import SolverSettings
from app.solver.results import Constraint
from app.solver.state import PlanningState


def binding_constraints(
    state: PlanningState,
    sku: str,
    qty: int,
    requested_day: int,
    earliest_day: int | None,
    *,
    settings: SolverSettings,
) -> list[Constraint]:
    found = [
        _constraint(state, entry, requested_day)
        for entry in what_binds(state, sku, qty, requested_day, settings)
    ]
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


def _constraint(state: PlanningState, entry: Binding, requested_day: int) -> Constraint:
    kind, name = entry.candidate.kind, entry.candidate.name
    requested = state.date_of(requested_day)
    if kind == "capacity":
        first, last = (state.date_of(day) for day in entry.days or (0, requested_day))
        return Constraint(
            kind,
            f"{state.plant.resources[name].name} ({name}) is full {_days(first, last)}: this line "
            "needs more free minutes there.",
            resource=name,
            from_date=first,
            until_date=last,
        )
    item = state.plant.items[name]
    had = f"Only {state.stock_atp(name, requested_day)} {item.name} ({name}) can be had by"
    had = f"{had} {_fmt(requested)}"
    until = requested
    if item.kind == "manufactured":
        detail = f"{had}, and the rest cannot be made in time."
    elif item.lead_time_days is None:
        detail = f"{had}, and it cannot be re-ordered within the planning horizon."
    else:
        arrival = state.date_of(item.lead_time_days)
        detail = (
            f"{had}; more takes {item.lead_time_days} days to buy, so it arrives on "
            f"{_fmt(arrival)} at the earliest."
        )
        if kind == "lead_time":
            until = arrival
    return Constraint(kind, detail, sku=name, from_date=state.as_of, until_date=until)


def _days(first: date, last: date) -> str:
    if first == last:
        return f"on {_fmt(first)}"
    if (first.year, first.month) == (last.year, last.month):
        return f"from {first.day} to {_fmt(last)}"
    return f"from {_fmt(first)} to {_fmt(last)}"


def _name(state: PlanningState, sku: str) -> str:
    return state.plant.items[sku].name


def _fmt(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
