"""The engine's input, cached in process memory per database and data version.

Building a Plant and its PlanningState reads and folds all planning data; a check only needs
to read the data version (one cheap query) to know whether the cached state still holds.
Only the newest version per database is kept, with a few states (one per as_of and horizon),
and with each the last state with reservations taken: the reservations cache hands out the same
Reservations object while nothing reserved changes, so it is found by identity (immutable, so
the same object is the same content), and a check does not take a book of live promises' sums
again (3 ms for 2,000 rows) when the previous check took the same ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from app.solver.engine import PlanningState
from app.solver.plant import Plant, Reservations

MAX_STATES_PER_VERSION = 8


@dataclass
class _Entry:
    version: int
    plant: Plant
    states: OrderedDict[tuple[date, int], PlanningState] = field(default_factory=OrderedDict)
    # Per (as_of, horizon): the last reservations taken on that state, and the result.
    reserved: dict[tuple[date, int], tuple[Reservations, PlanningState]] = field(
        default_factory=dict
    )


class PlanningCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def plant(self, database: str, version: int, load: Callable[[], Plant | None]) -> Plant | None:
        """The cached plant of `version`, else `load()` (None when it raced a data change)."""
        with self._lock:
            entry = self._entries.get(database)
            if entry is not None and entry.version == version:
                return entry.plant
        plant = load()
        if plant is None:
            return None
        with self._lock:
            entry = self._entries.get(database)
            if entry is None or entry.version < version:
                self._entries[database] = _Entry(version=version, plant=plant)
        return plant

    def holds(self, database: str, version: int, plant: Plant) -> bool:
        """Whether ``plant`` is the one cached for ``version`` (not one read during a change)."""
        with self._lock:
            entry = self._entries.get(database)
            return entry is not None and entry.version == version and entry.plant is plant

    def state(
        self, database: str, version: int, plant: Plant, as_of: date, horizon_days: int
    ) -> PlanningState:
        key = (as_of, horizon_days)
        with self._lock:
            entry = self._entries.get(database)
            if entry is not None and entry.version == version and key in entry.states:
                entry.states.move_to_end(key)
                return entry.states[key]
        # Built outside the lock: a slow build must not stall checks on other versions.
        state = PlanningState.build(plant, as_of, horizon_days)
        with self._lock:
            entry = self._entries.get(database)
            if entry is not None and entry.version == version and entry.plant is plant:
                entry.states[key] = state
                while len(entry.states) > MAX_STATES_PER_VERSION:
                    entry.states.popitem(last=False)
        return state

    def reserved_state(
        self,
        database: str,
        version: int,
        plant: Plant,
        as_of: date,
        horizon_days: int,
        *,
        reservations: Reservations,
        lineage: tuple[Reservations, Reservations] | None = None,
    ) -> PlanningState:
        """:meth:`state` with ``reservations`` taken (the last such state kept per day 0).

        With ``lineage`` (the sums ``reservations`` were made from, and what was added to
        them: app.services.reservations_cache), the state kept for those sums takes what was
        added, if it is the one kept."""
        key = (as_of, horizon_days)
        base = None
        with self._lock:
            entry = self._entries.get(database)
            if entry is not None and entry.version == version and entry.plant is plant:
                last = entry.reserved.get(key)
                if last is not None and last[0] is reservations:
                    return last[1]
                if last is not None and lineage is not None and last[0] is lineage[0]:
                    base = last[1]
        if base is not None and lineage is not None:
            reserved = base.with_reservations(lineage[1])
        else:
            state = self.state(database, version, plant, as_of, horizon_days)
            reserved = state.with_reservations(reservations)
        with self._lock:
            entry = self._entries.get(database)
            if entry is not None and entry.version == version and entry.plant is plant:
                entry.reserved[key] = (reservations, reserved)
        return reserved

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


planning_cache = PlanningCache()
