"""Do these reservations still fit? One answer for the engine's guard, the re-evaluation of
promises after a planning-data change, and holds.

Reservations fit on a planning state (which already carries whatever else is taken) when
(SPEC section 2):
- their minutes on each resource and day are at most that day's free minutes, and
- the stock they take never leaves a day short: for each item, projected stock after their
  takes is never below zero from their first take on (stock ATP: taking on day ``d`` must not
  make a commitment on a later day short; days before the first take are not theirs to judge).

Stock taken before ``as_of`` counts on day 0 and minutes before it are past; anything after the
horizon takes nothing inside it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from app.solver.plant import Reservations
from app.solver.state import IntArray, PlanningState

MisfitKind = Literal["stock", "capacity", "unknown_item", "unknown_resource"]


@dataclass(frozen=True, slots=True)
class Misfit:
    """One thing the reservations cannot have."""

    kind: MisfitKind
    name: str  # the sku or the resource code
    date: date | None = None  # the first day short, or the day over its minutes
    short: int = 0  # units short (stock) or minutes too many (capacity)
    free: int = 0  # the free minutes of that day (capacity)
    reserved: int = 0  # the minutes the reservations want that day (capacity)

    def __str__(self) -> str:
        if self.kind == "unknown_item":
            return f"item {self.name} is no longer in the planning data"
        if self.kind == "unknown_resource":
            return f"resource {self.name} is no longer in the planning data"
        if self.kind == "stock":
            return f"{self.name} is {self.short} short on {self.date} with the stock it takes"
        return f"{self.name} has {self.free} free minutes on {self.date}, {self.reserved} reserved"


def misfits(state: PlanningState, reservations: Reservations) -> list[Misfit]:
    """What of ``reservations`` does not fit on ``state``; empty when they all fit."""
    return [*_stock_misfits(state, reservations), *_capacity_misfits(state, reservations)]


def _stock_misfits(state: PlanningState, reservations: Reservations) -> list[Misfit]:
    found: list[Misfit] = []
    takes: dict[str, Counter[int]] = defaultdict(Counter)
    for move in reservations.stock:
        if move.sku not in state.projected:
            found.append(Misfit("unknown_item", move.sku))
            continue
        day = state.stock_day(move.date)
        if day is None or move.qty <= 0:
            continue
        takes[move.sku][day] += move.qty
    for sku, taken_on in sorted(takes.items()):
        if not _leaves_a_day_short(state.atp[sku], taken_on):
            continue
        taken = np.zeros(state.horizon_days, dtype=np.int64)
        for day, qty in taken_on.items():
            taken[day] += qty
        first = min(taken_on)
        after = (state.projected[sku] - np.cumsum(taken))[first:]
        short = int(np.flatnonzero(after < 0)[0])
        found.append(
            Misfit("stock", sku, date=state.date_of(first + short), short=-int(after[short]))
        )
    return list(dict.fromkeys(found))


def _leaves_a_day_short(atp: IntArray, taken_on: Counter[int]) -> bool:
    """Whether the takes leave some day with less projected stock than taken up to it.

    With the takes sorted by day (d_k, cumulative c_k), no day is short exactly when
    ATP(d_k) >= c_k for every k: ATP(d_k) is the least projected stock from d_k on, and the
    days from d_k to the next take need c_k, the later ones more (and their own check).
    """
    cumulative = 0
    for day in sorted(taken_on):
        cumulative += taken_on[day]
        if int(atp[day]) < cumulative:
            return True
    return False


def _capacity_misfits(state: PlanningState, reservations: Reservations) -> list[Misfit]:
    found: list[Misfit] = []
    minutes: dict[tuple[str, int], int] = defaultdict(int)
    for use in reservations.capacity:
        if use.resource not in state.free:
            found.append(Misfit("unknown_resource", use.resource))
            continue
        day = state.capacity_day(use.date)
        if day is not None:
            minutes[use.resource, day] += use.minutes
    for (resource, day), wanted in sorted(minutes.items()):
        free = int(state.free[resource][day])
        if wanted > free:
            found.append(
                Misfit(
                    "capacity",
                    resource,
                    date=state.date_of(day),
                    short=wanted - free,
                    free=free,
                    reserved=wanted,
                )
            )
    return list(dict.fromkeys(found))
