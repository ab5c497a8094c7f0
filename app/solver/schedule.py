"""Backward, as-late-as-possible scheduling of one lot's routing on free capacity.

Why it is exact for a single lot: operations run in ``seq`` order and operation j may work on a
day only when operation j-1 has finished on that day or earlier. Packing the last operation as
late as possible (its minutes on the latest days first) maximises the first day it works, which
is the latest day the previous operation may finish on; on that shared boundary day it also
leaves the previous operation the most minutes, since any other packing uses at least as many
minutes there. By induction the greedy packing maximises the lot's start day, and a lot fits by a
deadline if and only if this packing fits inside the horizon. So "does a lot of n fit by day d"
and "what is its latest start" are answered exactly by one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.solver.lots import operation_minutes
from app.solver.plant import Operation
from app.solver.state import IntArray


@dataclass(frozen=True, slots=True)
class OperationSchedule:
    operation: Operation
    minutes: int
    # (day, minutes) in ascending day order.
    loads: tuple[tuple[int, int], ...]

    @property
    def first_day(self) -> int:
        return self.loads[0][0]

    @property
    def last_day(self) -> int:
        return self.loads[-1][0]


@dataclass(frozen=True, slots=True)
class LotSchedule:
    sku: str
    qty: int
    operations: tuple[OperationSchedule, ...]

    @property
    def start_day(self) -> int:
        return self.operations[0].first_day

    @property
    def ready_day(self) -> int:
        return self.operations[-1].last_day


@dataclass(frozen=True, slots=True)
class CapacityShortfall:
    """The operation that could not be packed before day 0: its resource binds."""

    operation: Operation
    missing_minutes: int


def schedule_backward(
    sku: str,
    operations: Sequence[Operation],
    qty: int,
    deadline: int,
    free: Mapping[str, IntArray],
) -> LotSchedule | CapacityShortfall:
    """Pack a lot of ``qty`` as late as possible so that it is ready at the end of ``deadline``."""
    used_on_boundary: dict[str, int] = {}
    cursor = deadline
    scheduled: list[OperationSchedule] = []
    for operation in reversed(operations):
        need = operation_minutes(operation, qty)
        free_minutes = free[operation.resource]
        used = used_on_boundary.get(operation.resource, 0)
        # Minutes collected counting back from the cursor (its own day less what the next
        # operation of this lot already took there); no copy of the day range is made.
        backwards = free_minutes[cursor::-1].cumsum()
        if used:
            backwards -= used
        # Number of days (counted back from the cursor) needed to collect `need` minutes.
        reach = int(backwards.searchsorted(need))
        if reach >= len(backwards):
            return CapacityShortfall(operation, need - int(backwards[-1]))
        first_day = cursor - reach
        taken_before = int(backwards[reach - 1]) if reach > 0 else 0
        later = free_minutes[first_day + 1 : cursor + 1].tolist()
        if later:
            later[-1] -= used
        loads = [(first_day, need - taken_before)]
        loads.extend(zip(range(first_day + 1, cursor + 1), later, strict=True))
        loads = [(day, minutes) for day, minutes in loads if minutes > 0]
        scheduled.append(OperationSchedule(operation, need, tuple(loads)))
        # The previous operation may still use what is left on this operation's first day.
        if first_day != cursor:
            used_on_boundary = {}
        used_on_boundary[operation.resource] = (
            used_on_boundary.get(operation.resource, 0) + loads[0][1]
        )
        cursor = first_day
    return LotSchedule(sku, qty, tuple(reversed(scheduled)))
