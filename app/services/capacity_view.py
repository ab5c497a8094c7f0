"""Capacity per resource and day for the coming weeks: what operations has, and who took it.

The same numbers the engine plans with (SPEC section 2, ``free[r][t]``), split by who takes the
minutes: firm production from the ERP, live holds and confirmed promises.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.db.promises import CONFIRMED, HELD, live_capacity_by_status
from app.errors import FieldError, Invalid
from app.schemas.stats import CapacityDay, CapacityView, ResourceCapacity
from app.services.checks import current_plant, today
from app.settings import Settings
from app.solver.state import calendar_minutes

DEFAULT_DAYS = 28
MAX_DAYS = 366


def capacity_view(
    session: Session,
    settings: Settings,
    now: datetime,
    first: date | None = None,
    days: int = DEFAULT_DAYS,
) -> CapacityView:
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(
            "the period is not valid", [FieldError("/query/days", f"must be 1..{MAX_DAYS}")]
        )
    first = first or today(settings, now)
    last = first + timedelta(days=days - 1)
    _version, plant = current_plant(session)

    firm: defaultdict[tuple[str, date], int] = defaultdict(int)
    for use in plant.load:
        if first <= use.date <= last:
            firm[use.resource, use.date] += use.minutes
    reserved: defaultdict[tuple[str, date, str], int] = defaultdict(int)
    for code, day, status, minutes in live_capacity_by_status(session, now, first, last):
        reserved[code, day, status] += minutes

    resources = []
    for code, resource in plant.resources.items():
        calendar = calendar_minutes(plant, code, first, days)
        resource_days = []
        for offset, minutes in enumerate(calendar.tolist()):
            day = first + timedelta(days=offset)
            load = firm[code, day]
            confirmed = reserved[code, day, CONFIRMED]
            held = reserved[code, day, HELD]
            resource_days.append(
                CapacityDay(
                    date=day,
                    calendar=minutes,
                    firm_load=load,
                    held=held,
                    confirmed=confirmed,
                    free=max(0, minutes - load - held - confirmed),
                )
            )
        resources.append(ResourceCapacity(code=code, name=resource.name, days=resource_days))
    return CapacityView(first=first, last=last, resources=resources)
