"""What an allocation says when it binds (SPEC section 7): sentences a sales rep understands.

Kept apart from :mod:`app.solver.explain` (section 2's constraints): the allocation entry is
computed alongside them, from the allocation left on the requested day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from app.solver.allocation import EVERYONE_ELSE, Allocation, AllocationLimit
from app.solver.results import Constraint
from app.solver.state import PlanningState


def allocation_constraints(
    state: PlanningState,
    limit: AllocationLimit,
    qty: int,
    requested_day: int,
    earliest_day: int | None,
    *,
    horizon_already: bool,
) -> list[Constraint]:
    """The ``allocation`` entry of a line whose allocation left on the requested day is below
    ``qty``, and a ``horizon`` entry when the allocation alone leaves it without a date."""
    requested = state.date_of(requested_day)
    left = limit.on(requested_day)
    started = [row for row in limit.rows if row.from_date <= requested]
    later = [row for row in limit.rows if row.from_date > requested]
    more = f"; {later[0].qty} more from {_fmt(later[0].from_date)}" if later else ""
    if not started:
        first = limit.rows[0].from_date
        found = [
            Constraint(
                "allocation",
                f"{_whose(limit.group).capitalize()} allocation of {limit.sku} starts on "
                f"{_fmt(first)}: none of it can be delivered before then{more}.",
                sku=limit.sku,
                from_date=state.as_of,
                until_date=first - timedelta(days=1),
            )
        ]
    else:
        period = started[-1]
        state_of = "is used up" if left == 0 else f"has only {left} left for {_fmt(requested)}"
        if not later:
            more = "; no more is allocated after it"
        found = [
            Constraint(
                "allocation",
                f"{_whose(limit.group).capitalize()} {_label(period, state.as_of)} allocation of "
                f"{limit.sku}, {period.qty}, {state_of}{more}.",
                sku=limit.sku,
                from_date=max(period.from_date, state.as_of),
                until_date=period.until_date,
            )
        ]
    if earliest_day is None and not horizon_already:
        last = state.date_of(state.horizon_days - 1)
        found.append(
            Constraint(
                "horizon",
                f"{qty} {state.plant.items[limit.sku].name} cannot be delivered by {_fmt(last)}, "
                f"the end of the planning horizon: {_whose(limit.group)} allocation of "
                f"{limit.sku} does not reach {qty}.",
                sku=limit.sku,
                from_date=state.as_of,
                until_date=last,
            )
        )
    return found


def _whose(group: str) -> str:
    if group == EVERYONE_ELSE:
        return "the shared"
    return f"{group}'" if group.endswith("s") else f"{group}'s"


def _label(row: Allocation, as_of: date) -> str:
    """A calendar month by its name ("December"), any other period by its days."""
    start, end = row.from_date, row.until_date
    last_of_month = calendar.monthrange(start.year, start.month)[1]
    if start.day == 1 and end == start.replace(day=last_of_month):
        return f"{start:%B}" if start.year == as_of.year else f"{start:%B %Y}"
    return f"{_fmt(start)} to {_fmt(end)}"


def _fmt(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
