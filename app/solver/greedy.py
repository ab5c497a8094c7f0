"""A greedy backward plan for any tree: a feasible plan when it finds one, an upper bound.

The line takes its stock ATP; every need of the tree (the line's rest, each component need) is
then served in turn, the latest deadline first (backward list scheduling): stock first, then
bought, or made as one lot packed as late as possible (:func:`app.solver.schedule.
schedule_backward`) on the minutes the lots before it left, its components becoming needs due
on its start day. Each take of stock sees the takes before it, so the plan respects shared
resources and shared stock; the engine checks every plan with
:func:`app.solver.validation.plan_violations`.

It is not exact: among lots due on the same day, the first packed gets the latest minutes, and
a sibling that needed them more (it must start after a purchase lead time, or it has little
room) can fail. On a failure the lot that failed, or the lot whose components could not be had
in time, is given the latest minutes first, and the plan is tried again, a few times at most;
a lot that fails again after being moved ahead of its siblings had its parent start too early,
so the parent is moved ahead of its own siblings.
An item used more than once in the tree may have its stock split between its uses as the plan
likes (SPEC section 2 fixes only the joint bound): the latest need takes it first, which can
leave an earlier need, one that cannot wait for a purchase, short. When that is why a try
failed, the next try buys that item for every need that can wait for it, and leaves its stock
to those that cannot.
When it finds no plan nothing is proven; when its day or quantity meets the relaxation of
:mod:`app.solver.bounds`, the answer is (see :mod:`app.solver.engine`).
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

from app.solver.lots import component_need
from app.solver.plan import DayPlan, DayPurchase, DayStockTake
from app.solver.schedule import CapacityShortfall, LotSchedule, schedule_backward
from app.solver.state import PlanningState

# Tries of one plan: the first, then one per lot moved ahead of its siblings.
MAX_TRIES = 6

# A need's place in the tree: the skus from the line down to it.
Path = tuple[str, ...]


@dataclass(order=True)
class _Need:
    # Latest deadline first, then the lots moved ahead, then in the order the needs arose.
    key: tuple[int, int, int]
    path: Path = field(compare=False)
    qty: int = field(compare=False)
    day: int = field(compare=False)


class _Failed(Exception):
    def __init__(self, path: Path, short: str | None = None) -> None:
        self.path = path
        # The bought item that could not be had in time, if that is why.
        self.short = short


class _Planner:
    """One try: the state the needs served so far leave, and what they take."""

    def __init__(
        self, state: PlanningState, ahead: Counter[Path], buy_first: frozenset[str] = frozenset()
    ) -> None:
        self.state = state
        self.ahead = ahead
        self.buy_first = buy_first
        self.stock: list[DayStockTake] = []
        self.purchases: list[DayPurchase] = []
        self.lots: list[LotSchedule] = []
        self.needs: list[_Need] = []
        self.arisen = 0

    def plan(self, sku: str, qty: int, day: int) -> DayPlan:
        self.need((sku,), qty, day)
        while self.needs:
            need = heapq.heappop(self.needs)
            self.supply(need.path, need.qty, need.day)
        return DayPlan(day, tuple(self.stock), tuple(self.purchases), tuple(self.lots))

    def need(self, path: Path, qty: int, day: int) -> None:
        self.arisen += 1
        heapq.heappush(self.needs, _Need((-day, -self.ahead[path], self.arisen), path, qty, day))

    def supply(self, path: Path, qty: int, day: int) -> None:
        """Serve ``qty`` of the need's sku on ``day``: stock first, then buy or make the rest."""
        sku = path[-1]
        item = self.state.plant.items[sku]
        lead = item.lead_time_days
        if sku in self.buy_first and lead is not None and day >= lead:
            self.purchases.append(DayPurchase(sku, qty, day, lead))
            return
        from_stock = min(qty, self.state.stock_atp(sku, day))
        if from_stock:
            self.stock.append(DayStockTake(sku, day, from_stock))
            self.state = self.state.taking_on_days(((sku, day, from_stock),), ())
        rest = qty - from_stock
        if rest == 0:
            return
        if item.kind == "manufactured":
            self.make(path, rest, day)
            return
        if lead is None or day < lead:
            # The lot that needs it started too early: that lot should have had later minutes,
            # or a later need of the same item took the stock it needed.
            raise _Failed(path[:-1] or path, short=sku)
        self.purchases.append(DayPurchase(sku, rest, day, lead))

    def make(self, path: Path, qty: int, deadline: int) -> None:
        plant = self.state.plant
        sku = path[-1]
        lot = schedule_backward(sku, plant.routings[sku], qty, deadline, self.state.free)
        if isinstance(lot, CapacityShortfall):
            raise _Failed(path)
        self.lots.append(lot)
        self.state = self.state.taking_on_days((), DayPlan(deadline, lots=(lot,)).minutes_used())
        for line in plant.bom.get(sku, ()):
            self.need((*path, line.component), component_need(qty, line.qty_per), lot.start_day)


def greedy_plan(state: PlanningState, sku: str, qty: int, day: int) -> DayPlan | None:
    """A plan delivering ``qty`` of ``sku`` on ``day``, or None when the greedy finds none."""
    ahead: Counter[Path] = Counter()
    buy_first: frozenset[str] = frozenset()
    shared = _used_more_than_once(state, sku)
    tries = 0
    while tries < MAX_TRIES:
        try:
            return _Planner(state, ahead, buy_first).plan(sku, qty, day)
        except _Failed as failed:
            if failed.short in shared and failed.short not in buy_first:
                buy_first |= {failed.short}
                continue
            if len(failed.path) == 1:
                return None  # the line's own lot: nothing packs before it
            # Moved ahead of its siblings already and still failing: its parent started too
            # early, so the parent is moved ahead of its own siblings too.
            path = failed.path
            while ahead[path] and len(path) > 2:
                path = path[:-1]
            ahead[path] += 1
            tries += 1
    return None


def _used_more_than_once(state: PlanningState, sku: str) -> frozenset[str]:
    """The items that appear more than once in the tree of ``sku``."""
    uses: Counter[str] = Counter()

    def walk(parent: str) -> None:
        for line in state.plant.bom.get(parent, ()):
            uses[line.component] += 1
            walk(line.component)

    walk(sku)
    return frozenset(item for item, count in uses.items() if count > 1)


class GreedyProbe:
    """The greedy plans of one line's item on one state, each (qty, day) planned once."""

    def __init__(self, state: PlanningState, sku: str) -> None:
        self.state = state
        self.sku = sku
        self._plans: dict[tuple[int, int], DayPlan | None] = {}

    def plan(self, qty: int, day: int) -> DayPlan | None:
        key = (qty, day)
        if key not in self._plans:
            self._plans[key] = greedy_plan(self.state, self.sku, qty, day)
        return self._plans[key]

    def earliest_day(self, qty: int, low: int) -> int | None:
        """A day >= ``low`` with a greedy plan (the first one, were it monotone), or None."""
        last = self.state.horizon_days - 1
        if self.plan(qty, low) is not None:
            return low
        if low >= last or self.plan(qty, last) is None:
            return None
        failed, found = low, last
        while found - failed > 1:
            middle = (failed + found) // 2
            if self.plan(qty, middle) is not None:
                found = middle
            else:
                failed = middle
        return found

    def most_qty(self, day: int, high: int) -> int:
        """A quantity <= ``high`` with a greedy plan on ``day`` (0 at least)."""
        if self.plan(high, day) is not None:
            return high
        found, failed = 0, high
        while failed - found > 1:
            middle = (found + failed) // 2
            if self.plan(middle, day) is not None:
                found = middle
            else:
                failed = middle
        return found
