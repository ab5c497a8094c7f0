"""A brute-force oracle for SPEC section 2 on tiny plants, written without the engine's methods.

It enumerates, for every lot in the line's tree, every start day and every finish day of every
operation, every split of a shared item's stock between its uses, and accepts an assignment when
the stock rule holds and the operations' minutes fit the free minutes. The minutes check is the
exact condition for spreading work over days within windows (Hall's condition on intervals: for
every run of days, the work whose windows lie inside it fits the free minutes of that run).
Exponential: only for horizons of a few days and trees of a few lots.

Free minutes and projected stock come from the plant's raw data (:mod:`tests.oracles.planning_data`),
not from the engine's planning state.

With ``expedite=True`` a purchased item that may be expedited (SPEC section 5) can also be
bought for a day on or after its expedited lead time; the purchases of each plan are listed, so
that ``least_expedite_cost`` can price the plans.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from itertools import combinations_with_replacement

from app.solver.plant import Plant
from tests.oracles.planning_data import PlanningData


@dataclass(frozen=True)
class Work:
    resource: str
    first: int
    last: int
    minutes: int


@dataclass(frozen=True)
class Take:
    sku: str
    day: int
    qty: int


def _minutes(setup: int, run: Fraction, lot: int) -> int:
    return setup + math.ceil(run * lot) if lot > 0 else 0


def _uses(plant: Plant, sku: str) -> Counter[str]:
    counts: Counter[str] = Counter()

    def walk(parent: str) -> None:
        for line in plant.bom.get(parent, ()):
            counts[line.component] += 1
            walk(line.component)

    walk(sku)
    return counts


def _fits(free: dict[str, list[int]], works: list[Work]) -> bool:
    by_resource: dict[str, list[Work]] = {}
    for work in works:
        by_resource.setdefault(work.resource, []).append(work)
    for resource, items in by_resource.items():
        minutes = free[resource]
        lo = min(w.first for w in items)
        hi = max(w.last for w in items)
        for a in range(lo, hi + 1):
            for b in range(a, hi + 1):
                demand = sum(w.minutes for w in items if a <= w.first and w.last <= b)
                if demand > sum(minutes[a : b + 1]):
                    return False
    return True


def _stock_ok(projected: dict[str, list[int]], takes: list[Take]) -> bool:
    """Cumulative takes never exceed max(0, projected stock) on any day."""
    by_sku: dict[str, list[Take]] = {}
    for take in takes:
        if take.qty > 0:
            by_sku.setdefault(take.sku, []).append(take)
    for sku, items in by_sku.items():
        for day, stock in enumerate(projected[sku]):
            taken = sum(t.qty for t in items if t.day <= day)
            if taken > max(0, stock):
                return False
    return True


Plans = Iterator[tuple[list[Work], list[Take], list[Take]]]


class BruteForce:
    def __init__(
        self, plant: Plant, as_of: date, horizon_days: int, *, expedite: bool = False
    ) -> None:
        self.plant = plant
        self.expedite = expedite
        self.horizon_days = horizon_days
        data = PlanningData(plant, as_of, horizon_days)
        days = range(horizon_days)
        self.free = {code: [data.free(code, t) for t in days] for code in plant.resources}
        self.projected = {sku: [data.projected(sku, t) for t in days] for sku in plant.items}
        self.atp = {sku: [data.atp(sku, t) for t in days] for sku in plant.items}

    def _atp(self, sku: str, day: int) -> int:
        return self.atp[sku][day]

    def _lot(self, sku: str, lot: int, deadline: int, shared: Counter[str]) -> Plans:
        """Every way to make ``lot`` of ``sku`` ready by ``deadline``: work, stock, purchases."""
        if lot == 0:
            yield [], [], []
            return
        operations = self.plant.routings[sku]
        k = len(operations)
        # Every start day and finish days in order, up to the deadline.
        for days in combinations_with_replacement(range(deadline + 1), k + 1):
            start, finishes = days[0], days[1:]
            works = []
            lower = start
            for operation, finish in zip(operations, finishes, strict=True):
                minutes = _minutes(operation.setup_minutes, operation.run_minutes_per_unit, lot)
                works.append(Work(operation.resource, lower, finish, minutes))
                lower = finish
            if not _fits(self.free, works):
                continue
            for more_works, takes, buys in self._components(sku, lot, start, shared):
                yield works + more_works, takes, buys

    def _can_buy(self, sku: str, day: int) -> bool:
        item = self.plant.items[sku]
        if item.lead_time_days is not None and day >= item.lead_time_days:
            return True
        return self.expedite and item.expedite is not None and day >= item.expedite.lead_time_days

    def _components(self, sku: str, lot: int, day: int, shared: Counter[str]) -> Plans:
        lines = list(self.plant.bom.get(sku, ()))

        def rec(index: int) -> Plans:
            if index == len(lines):
                yield [], [], []
                return
            line = lines[index]
            item = self.plant.items[line.component]
            need = math.ceil(line.qty_per * lot)
            atp = self._atp(item.sku, day)
            if shared[item.sku] > 1:
                options = range(min(need, atp) + 1)
            else:
                options = range(min(need, atp), min(need, atp) + 1)
            for from_stock in options:
                rest = need - from_stock
                take = [Take(item.sku, day, from_stock)]
                if item.kind == "purchased":
                    if rest > 0 and not self._can_buy(item.sku, day):
                        continue
                    bought = [Take(item.sku, day, rest)] if rest else []
                    choices: Plans = iter([([], [], bought)])
                else:
                    choices = self._lot(item.sku, rest, day, shared)
                for works, takes, buys in choices:
                    for more_works, more_takes, more_buys in rec(index + 1):
                        yield works + more_works, take + takes + more_takes, buys + more_buys

        yield from rec(0)

    def feasible(self, sku: str, qty: int, day: int) -> bool:
        item = self.plant.items[sku]
        from_stock = min(qty, self._atp(sku, day))
        rest = qty - from_stock
        if rest == 0:
            return True
        if item.kind == "purchased":
            return item.lead_time_days is not None and day >= item.lead_time_days
        shared = _uses(self.plant, sku)
        for works, takes, _ in self._lot(sku, rest, day, shared):
            if _fits(self.free, works) and _stock_ok(self.projected, takes):
                return True
        return False

    def least_expedite_cost(self, sku: str, qty: int, day: int) -> Fraction | None:
        """The least cost of the expedited units (bought before the normal lead time allows)
        over every plan delivering ``qty`` on ``day``; None when there is no plan."""
        item = self.plant.items[sku]
        rest = qty - min(qty, self._atp(sku, day))
        if rest == 0:
            return Fraction(0)
        if item.kind == "purchased":
            return self._buys_cost([Take(sku, day, rest)]) if self._can_buy(sku, day) else None
        best: Fraction | None = None
        for works, takes, buys in self._lot(sku, rest, day, _uses(self.plant, sku)):
            if _fits(self.free, works) and _stock_ok(self.projected, takes):
                cost = self._buys_cost(buys)
                best = cost if best is None else min(best, cost)
        return best

    def _buys_cost(self, buys: list[Take]) -> Fraction:
        cost = Fraction(0)
        for buy in buys:
            item = self.plant.items[buy.sku]
            normal = item.lead_time_days is not None and buy.day >= item.lead_time_days
            if not normal and item.expedite is not None:
                cost += buy.qty * item.expedite.cost_per_unit
        return cost

    def earliest(self, sku: str, qty: int) -> int | None:
        for day in range(self.horizon_days):
            if self.feasible(sku, qty, day):
                return day
        return None

    def most(self, sku: str, qty: int, day: int) -> int:
        best = 0
        for candidate in range(qty + 1):
            if self.feasible(sku, candidate, day):
                best = candidate
        return best
