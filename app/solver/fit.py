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
from collections.abc import Iterable
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
    unknown: list[Misfit] = []
    takes: list[tuple[str, int, int]] = []
    for move in reservations.stock:
        if move.sku not in state.projected:
            unknown.append(Misfit("unknown_item", move.sku))
        else:
            takes.append((move.sku, state.day_of(move.date), move.qty))
    unknown_resources: list[Misfit] = []
    uses: list[tuple[str, int, int]] = []
    for use in reservations.capacity:
        if use.resource not in state.free:
            unknown_resources.append(Misfit("unknown_resource", use.resource))
        else:
            uses.append((use.resource, state.day_of(use.date), use.minutes))
    return [
        *dict.fromkeys(unknown),
        *_stock_misfits(state, takes),
        *dict.fromkeys(unknown_resources),
        *_capacity_misfits(state, uses),
    ]


def misfits_on_days(
    state: PlanningState,
    takes: Iterable[tuple[str, int, int]],
    uses: Iterable[tuple[str, int, int]],
) -> list[Misfit]:
    """:func:`misfits` of stock takes (sku, day, qty) and minutes (resource, day, minutes) in
    day indexes of ``state``, of items and resources it knows (a plan made on it)."""
    return [*_stock_misfits(state, takes), *_capacity_misfits(state, uses)]


def _stock_misfits(state: PlanningState, takes: Iterable[tuple[str, int, int]]) -> list[Misfit]:
    found: list[Misfit] = []
    taken_by: dict[str, Counter[int]] = defaultdict(Counter)
    for sku, day, qty in takes:
        # A take before as_of counts on day 0; one past the horizon takes nothing inside it.
        if day >= state.horizon_days or qty <= 0:
            continue
        taken_by[sku][max(day, 0)] += qty
    for sku, taken_on in sorted(taken_by.items()):
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
    return found


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


def _capacity_misfits(state: PlanningState, uses: Iterable[tuple[str, int, int]]) -> list[Misfit]:
    found: list[Misfit] = []
    minutes: dict[tuple[str, int], int] = defaultdict(int)
    for resource, day, used in uses:
        # Minutes before as_of are past; those past the horizon take nothing inside it.
        if 0 <= day < state.horizon_days:
            minutes[resource, day] += used
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
    return found
