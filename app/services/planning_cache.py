"""The engine's input, cached in process memory per database and data version.

Building a Plant and its PlanningState reads and folds all planning data; a check only needs
to read the data version (one cheap query) to know whether the cached state still holds.
Only the newest version per database is kept, with a few states (one per as_of and horizon).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from app.solver.engine import PlanningState
from app.solver.plant import Plant

MAX_STATES_PER_VERSION = 8


@dataclass
class _Entry:
    version: int
    plant: Plant
    states: OrderedDict[tuple[date, int], PlanningState] = field(default_factory=OrderedDict)


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

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


planning_cache = PlanningCache()
