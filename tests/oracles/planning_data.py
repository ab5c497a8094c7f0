"""Free minutes and projected stock straight from a plant's raw data, as SPEC sections 1 and 2 word
them, for the oracles. Deliberately naive (a loop per day, dates compared as dates) and sharing
nothing with ``PlanningState.build``, so that a bug in calendars, holidays, exceptions or dates
before ``as_of`` is not shared by the engine and the oracles that judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.solver.plant import Plant


def calendar_minutes(plant: Plant, code: str, when: date) -> int:
    """An exception replaces the day's weekly minutes; a holiday closes the day unless the
    resource has an exception for it."""
    calendar = plant.resources[code].calendar
    if when in calendar.exceptions:
        return calendar.exceptions[when]
    if when in plant.holidays:
        return 0
    return calendar.weekly_minutes[when.weekday()]


@dataclass(frozen=True)
class PlanningData:
    """``free[r][t]`` and ``P[s][t]`` for days 0..H-1 of one ``as_of``."""

    plant: Plant
    as_of: date
    horizon_days: int

    def when(self, day: int) -> date:
        return self.as_of + timedelta(days=day)

    def free(self, code: str, day: int) -> int:
        """Calendar minutes minus the load booked that very day, never below 0 (so load dated
        before as_of, on no day of the horizon, takes nothing)."""
        when = self.when(day)
        booked = sum(u.minutes for u in self.plant.load if u.resource == code and u.date == when)
        return max(0, calendar_minutes(self.plant, code, when) - booked)

    def projected(self, sku: str, day: int) -> int:
        """On hand + supply dated <= t - demand dated <= t (so moves before as_of count on day 0)."""
        when = self.when(day)
        supplied = sum(m.qty for m in self.plant.supply if m.sku == sku and m.date <= when)
        demanded = sum(m.qty for m in self.plant.demand if m.sku == sku and m.date <= when)
        return self.plant.on_hand.get(sku, 0) + supplied - demanded

    def atp(self, sku: str, day: int) -> int:
        """max(0, min over t in [d, H) of P[t])."""
        return max(0, min(self.projected(sku, t) for t in range(day, self.horizon_days)))
