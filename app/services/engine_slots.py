"""How many threads of a process compute answers at once (issue 10).

The engine is pure Python and numpy under one GIL: a process never computes faster than one
core, however many of its request threads solve at once. What more threads do is make the
others wait: a thread that returns from a database call waits for the GIL behind every thread
that is computing. That costs most where a thread holds the reservations lock and talks to the
database between short steps: every hold of every process waits for it. So a process lets at
most ``PROMISE_ENGINE_THREADS`` threads compute at once (the others queue in order), except the
one under the reservations lock, which computes at once: it holds up everyone else. A CP-SAT
search runs in C++ without the GIL: a thread gives its turn up while it searches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class EngineSlots:
    def __init__(self, slots: int = 1) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        # The semaphore whose turn this thread holds, if any.
        self._held = threading.local()

    def configure(self, slots: int) -> None:
        """Allow ``slots`` threads from now on (a thread computing keeps the turn it has)."""
        self._slots = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self, *, urgent: bool = False) -> Iterator[None]:
        """A turn to compute: wait until fewer than the allowed threads compute; ``urgent``
        (under the reservations lock), at once."""
        if urgent or getattr(self._held, "slots", None) is not None:
            yield  # under the lock, or inside a turn already
            return
        slots = self._slots
        with slots:
            self._held.slots = slots
            try:
                yield
            finally:
                self._held.slots = None

    @contextmanager
    def released(self) -> Iterator[None]:
        """Inside a turn, give it up while the thread runs without the GIL (a CP-SAT search), so
        that another thread computes meanwhile; take a turn again after."""
        slots = getattr(self._held, "slots", None)
        if slots is None:
            yield
            return
        slots.release()
        try:
            yield
        finally:
            slots.acquire()


engine_slots = EngineSlots()
