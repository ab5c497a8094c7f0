"""The planning state: the plant turned into day-indexed arrays for one ``as_of`` and horizon.

Built once per data version and ``as_of`` (the service caches it); reservations and the lines
already planned in a quote are applied as cheap copy-on-write deltas, so a check never rebuilds
the whole state.

Day 0 is ``as_of``; days run 0..H-1 (SPEC section 1).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from app.solver.allocation import AllocationLimit, Delivery, allocation_limit
from app.solver.plant import CapacityUse, Plant, Reservations, StockMove

IntArray = npt.NDArray[np.int64]


def calendar_minutes(plant: Plant, code: str, as_of: date, horizon_days: int) -> IntArray:
    """Calendar minutes of a resource per day: weekly pattern, holidays, then exceptions."""
    calendar = plant.resources[code].calendar
    # An exception beats a holiday: the resource works that day as the exception says.
    return _days_of(
        calendar.weekly_minutes, plant.holidays, calendar.exceptions, as_of, horizon_days
    )


def _days_of(
    weekly_minutes: Sequence[int],
    holidays: Iterable[date],
    exceptions: Mapping[date, int],
    as_of: date,
    horizon_days: int,
) -> IntArray:
    """Minutes per day of the horizon: the weekly pattern, none on a holiday, an exception
    replacing its day's minutes (holiday or not)."""
    weekly = np.array(weekly_minutes, dtype=np.int64)
    minutes = weekly[(np.arange(horizon_days) + as_of.weekday()) % 7]
    for holiday in holidays:
        day = (holiday - as_of).days
        if 0 <= day < horizon_days:
            minutes[day] = 0
    for when, value in exceptions.items():
        day = (when - as_of).days
        if 0 <= day < horizon_days:
            minutes[day] = value
    return minutes


DAY_MINUTES = 1440


def overtime_minutes(plant: Plant, code: str, as_of: date, calendar: IntArray) -> IntArray:
    """Overtime a resource allows per day (SPEC section 5): its weekly overtime, none on a
    holiday unless an overtime exception names the day, an exception replacing the day's
    minutes; at most what keeps the day's ``calendar`` plus overtime within 1440 minutes (so
    that a calendar exception can always add it)."""
    horizon_days = len(calendar)
    overtime = plant.resources[code].overtime
    if overtime is None:
        return np.zeros(horizon_days, dtype=np.int64)
    minutes = _days_of(
        overtime.weekly_minutes, plant.holidays, overtime.exceptions, as_of, horizon_days
    )
    return np.minimum(minutes, np.maximum(DAY_MINUTES - calendar, 0))


def _suffix_min_atp(projected: IntArray) -> IntArray:
    """ATP(d) = max(0, min over t in [d, H) of P[t])."""
    suffix_min = np.minimum.accumulate(projected[::-1])[::-1]
    return np.maximum(suffix_min, 0)


@dataclass(frozen=True, slots=True)
class PlanningState:
    plant: Plant
    as_of: date
    horizon_days: int
    # Free minutes per resource and day (never below 0).
    free: dict[str, IntArray]
    # Projected stock P[s][t] per item and day, and its stock ATP.
    projected: dict[str, IntArray]
    atp: dict[str, IntArray]
    # Calendar minus load and reservations, below 0 on an overbooked day: what overtime adds to
    # (SPEC section 5). ``free`` is this, never below 0.
    net: dict[str, IntArray]
    # Calendar minutes per resource and day (the weekly pattern, holidays and exceptions), and
    # the overtime each allows on top (SPEC section 5).
    calendar: dict[str, IntArray]
    overtime: dict[str, IntArray]
    # What held and confirmed promises deliver, for the allocations (SPEC section 7).
    deliveries: tuple[Delivery, ...] = ()

    @classmethod
    def build(cls, plant: Plant, as_of: date, horizon_days: int) -> PlanningState:
        h = horizon_days
        free: dict[str, IntArray] = {}
        booked: dict[str, IntArray] = {
            code: np.zeros(h, dtype=np.int64) for code in plant.resources
        }
        for use in plant.load:
            day = (use.date - as_of).days
            # Load on days before as_of is past and takes nothing.
            if 0 <= day < h:
                booked[use.resource][day] += use.minutes
        net: dict[str, IntArray] = {}
        calendar: dict[str, IntArray] = {}
        overtime: dict[str, IntArray] = {}
        for code in plant.resources:
            calendar[code] = calendar_minutes(plant, code, as_of, h)
            overtime[code] = overtime_minutes(plant, code, as_of, calendar[code])
            net[code] = calendar[code] - booked[code]
            free[code] = np.maximum(net[code], 0)

        deltas: dict[str, IntArray] = {sku: np.zeros(h, dtype=np.int64) for sku in plant.items}
        for sku, qty in plant.on_hand.items():
            deltas[sku][0] += qty
        for move in plant.supply:
            if (arrives := _clamped_day(move.date, as_of, h)) is not None:
                deltas[move.sku][arrives] += move.qty
        for move in plant.demand:
            if (leaves := _clamped_day(move.date, as_of, h)) is not None:
                deltas[move.sku][leaves] -= move.qty
        projected = {sku: np.cumsum(d) for sku, d in deltas.items()}
        atp = {sku: _suffix_min_atp(p) for sku, p in projected.items()}
        return cls(plant, as_of, h, free, projected, atp, net, calendar, overtime)

    # -- deltas -----------------------------------------------------------------------------

    def with_reservations(self, reservations: Reservations) -> PlanningState:
        """The state seen by a check: held and confirmed promises take their stock and minutes,
        and their deliveries use up allocations."""
        taken = self.taking(reservations.stock, reservations.capacity)
        return replace(taken, deliveries=self.deliveries + reservations.deliveries)

    def taking(self, stock: Iterable[StockMove], capacity: Iterable[CapacityUse]) -> PlanningState:
        """A new state with stock taken and minutes used (moves and uses outside the horizon
        as :meth:`stock_day` and :meth:`capacity_day` say).

        Made for many moves at once (all the live reservations): each item's and resource's
        takes are summed into one array and subtracted once, where :meth:`taking_on_days`
        (a plan's few takes) subtracts them one by one.
        """
        takes: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for move in stock:
            day = self.stock_day(move.date)
            if day is not None and move.sku in self.projected:
                takes[move.sku].append((day, move.qty))
        uses: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for use in capacity:
            day = self.capacity_day(use.date)
            if day is not None and use.resource in self.free:
                uses[use.resource].append((day, use.minutes))
        projected, atp = self.projected, self.atp
        if takes:
            projected, atp = dict(projected), dict(atp)
        for sku, on_days in takes.items():
            projected[sku] = self.projected[sku] - np.cumsum(self._per_day(on_days))
            atp[sku] = _suffix_min_atp(projected[sku])
        free, net = self.free, self.net
        if uses:
            free, net = dict(free), dict(net)
        for resource, on_days in uses.items():
            net[resource] = self.net[resource] - self._per_day(on_days)
            free[resource] = np.maximum(net[resource], 0)
        return replace(self, free=free, net=net, projected=projected, atp=atp)

    def _per_day(self, amounts: list[tuple[int, int]]) -> IntArray:
        """(day, amount) pairs summed into one array over the horizon."""
        days, values = zip(*amounts, strict=True)
        per_day = np.zeros(self.horizon_days, dtype=np.int64)
        np.add.at(per_day, np.array(days, dtype=np.int64), np.array(values, dtype=np.int64))
        return per_day

    def taking_on_days(
        self, stock: Iterable[tuple[str, int, int]], minutes: Iterable[tuple[str, int, int]]
    ) -> PlanningState:
        """:meth:`taking` in day indexes: (sku, day, qty) taken, (resource, day, minutes) used,
        every day inside the horizon. Only touched arrays are copied, and the maps of arrays
        only when something in them changes (states never change in place, so an untouched map
        is shared)."""
        free, net = self.free, self.net
        copied_resources: set[str] = set()
        for resource, day, used in minutes:
            if resource not in free:
                continue
            if not copied_resources:
                free, net = dict(free), dict(net)
            if resource not in copied_resources:
                free[resource] = free[resource].copy()
                net[resource] = net[resource].copy()
                copied_resources.add(resource)
            net[resource][day] -= used
            free[resource][day] = max(0, int(net[resource][day]))
        projected, atp = self.projected, self.atp
        touched: set[str] = set()
        for sku, day, qty in stock:
            if sku not in projected:
                continue
            if not touched:
                projected, atp = dict(projected), dict(atp)
            if sku not in touched:
                projected[sku] = projected[sku].copy()
                touched.add(sku)
            projected[sku][day:] -= qty
        for sku in touched:
            atp[sku] = _suffix_min_atp(projected[sku])
        return PlanningState(
            self.plant,
            self.as_of,
            self.horizon_days,
            free,
            projected,
            atp,
            net,
            self.calendar,
            self.overtime,
            self.deliveries,
        )

    def allocation_of(
        self,
        customer: str | None,
        sku: str,
        *,
        earlier: Iterable[tuple[int, int]] = (),
        deliveries: Iterable[Delivery] | None = None,
    ) -> AllocationLimit | None:
        """What the allocations leave ``customer`` of ``sku`` (SPEC section 7) after the
        deliveries of live promises (this state's, unless given) and ``earlier`` (day, qty) of
        the same quote; None when nothing limits the line."""
        if customer is None or sku not in self.plant.allocations.by_sku:
            return None
        return allocation_limit(
            self.plant.allocations,
            customer,
            sku,
            as_of=self.as_of,
            horizon_days=self.horizon_days,
            deliveries=self.deliveries if deliveries is None else deliveries,
            earlier=tuple(earlier),
        )

    def with_extra_minutes(self, extra: Mapping[str, IntArray]) -> PlanningState:
        """A new state with ``extra`` minutes per day on top of the calendar of each resource
        named, as a calendar exception of calendar + extra would give (SPEC section 5)."""
        free = dict(self.free)
        net = dict(self.net)
        for code, minutes in extra.items():
            net[code] = self.net[code] + minutes
            free[code] = np.maximum(net[code], 0)
        return replace(self, free=free, net=net)

    # -- lookups ----------------------------------------------------------------------------

    def day_of(self, when: date) -> int:
        return (when - self.as_of).days

    def date_of(self, day: int) -> date:
        return self.as_of + timedelta(days=day)

    def stock_atp(self, sku: str, day: int) -> int:
        return int(self.atp[sku][day])

    def stock_day(self, when: date) -> int | None:
        """The day a stock move counts on: before as_of on day 0, past the horizon never."""
        return _clamped_day(when, self.as_of, self.horizon_days)

    def capacity_day(self, when: date) -> int | None:
        """The day minutes are used on: minutes before as_of are past and take nothing."""
        day = self.day_of(when)
        return day if 0 <= day < self.horizon_days else None


def _clamped_day(when: date, as_of: date, horizon_days: int) -> int | None:
    """Stock moves before as_of count on day 0; those past the horizon never arrive in it."""
    day = (when - as_of).days
    if day >= horizon_days:
        return None
    return max(day, 0)
