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

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from app.solver.plant import Reservations
from app.solver.state import PlanningState

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
    takes: dict[str, np.ndarray] = {}
    for move in reservations.stock:
        if move.sku not in state.projected:
            found.append(Misfit("unknown_item", move.sku))
            continue
        day = state.stock_day(move.date)
        if day is None or move.qty <= 0:
            continue
        takes.setdefault(move.sku, np.zeros(state.horizon_days, dtype=np.int64))[day] += move.qty
    for sku, taken in sorted(takes.items()):
        first = int(np.flatnonzero(taken)[0])
        after = (state.projected[sku] - np.cumsum(taken))[first:]
        short = np.flatnonzero(after < 0)
        if short.size:
            found.append(
                Misfit(
                    "stock",
                    sku,
                    date=state.date_of(first + int(short[0])),
                    short=-int(after[short[0]]),
                )
            )
    return list(dict.fromkeys(found))


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
