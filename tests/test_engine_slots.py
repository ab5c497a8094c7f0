"""A process lets as many threads compute as it allows (PROMISE_ENGINE_THREADS), the others
wait their turn; the one under the reservations lock (``urgent``) never waits."""

from __future__ import annotations

import threading

from app.services.engine_slots import EngineSlots

# Only a safety net against a hang: no result depends on it.
STUCK_SECONDS = 60


def test_a_thread_waits_for_a_turn_while_the_allowed_ones_compute() -> None:
    slots = EngineSlots(1)
    computing, done = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with slots.slot():
            order.append("first in")
            computing.set()
            assert done.wait(STUCK_SECONDS)
            order.append("first out")

    def second() -> None:
        with slots.slot():
            order.append("second in")

    one = threading.Thread(target=first)
    one.start()
    assert computing.wait(STUCK_SECONDS)
    two = threading.Thread(target=second)
    two.start()
    # No turn is free while the first computes (asked without waiting).
    assert not slots._slots.acquire(blocking=False)
    # The urgent one computes at once, beside the first.
    with slots.slot(urgent=True):
        order.append("urgent in")
    done.set()
    one.join(STUCK_SECONDS)
    two.join(STUCK_SECONDS)
    assert order.index("urgent in") < order.index("first out")
    assert order.index("first out") < order.index("second in")


def test_two_allowed_compute_together() -> None:
    slots = EngineSlots(1)
    slots.configure(2)
    inside = threading.Barrier(2, timeout=STUCK_SECONDS)

    def compute() -> None:
        with slots.slot():
            inside.wait()  # both inside at once, or this breaks

    threads = [threading.Thread(target=compute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(STUCK_SECONDS)
    assert not inside.broken


def test_a_thread_gives_its_turn_up_while_it_searches_without_the_gil() -> None:
    slots = EngineSlots(1)
    searching, other_done = threading.Event(), threading.Event()
    order: list[str] = []

    def other() -> None:
        assert searching.wait(STUCK_SECONDS)
        with slots.slot():
            order.append("other computes")
        other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with slots.slot():
        with slots.released():
            searching.set()
            assert other_done.wait(STUCK_SECONDS)  # it had the turn meanwhile
            order.append("search done")
        # The turn is ours again: nobody else gets it now.
        assert not slots._slots.acquire(blocking=False)
    thread.join(STUCK_SECONDS)
    assert order == ["other computes", "search done"]
    # Outside a turn (under the lock), giving it up changes nothing.
    with slots.released():
        assert slots._slots.acquire(blocking=False)
    slots._slots.release()
