"""Allocations (SPEC section 7): how much of a scarce item each customer group may still receive.

For group ``g`` and item ``s``, with day 0 the check's ``as_of``:

- ``C(t)``: the allocation of every period of ``(g, s)`` that has started by day ``t`` (unused
  allocation carries over; a later period's never comes early; after the last period C stays
  at the total);
- ``D(t)``: what the held and confirmed promises of the customers that ``(g, s)`` limits
  deliver of ``s`` from the first period's start ``F`` to day ``t`` (a delivery before as_of
  but not before F counts on day 0), plus what the earlier lines of the quote deliver;
- ``AL(d) = max(0, min over t in [d, H) of C(t) - D(t))``, the allocation left on day d.

A line of ``qty`` may be delivered on day d only if ``qty <= AL(d)``. AL never falls as d grows,
so the first such day is found by a search over a sorted array.

Rows that end before as_of do not count anywhere. A customer not listed is in group ``*``; the
``*`` rows limit everyone whose own group has no rows for the item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

EVERYONE_ELSE = "*"


@dataclass(frozen=True, slots=True)
class Allocation:
    """Group ``group`` may receive at most ``qty`` of ``sku`` delivered from ``from_date`` to
    ``until_date`` (inclusive)."""

    ref: str
    sku: str
    group: str
    from_date: date
    until_date: date
    qty: int


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a held or confirmed promise line delivers to a customer: ``qty`` of ``sku`` on its
    promised date."""

    customer: str
    sku: str
    qty: int
    date: date


@dataclass(frozen=True, slots=True)
class Allocations:
    """The allocation rows and who belongs to which group, as the plant holds them."""

    rows: tuple[Allocation, ...] = ()
    groups: Mapping[str, str] | None = None  # customer -> group
    # The rows per sku, by period: a line looks up its own item's rows only.
    by_sku: Mapping[str, tuple[Allocation, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_sku: dict[str, list[Allocation]] = {}
        for row in sorted(self.rows, key=lambda row: row.from_date):
            by_sku.setdefault(row.sku, []).append(row)
        object.__setattr__(self, "by_sku", {sku: tuple(rows) for sku, rows in by_sku.items()})

    def group_of(self, customer: str) -> str:
        return (self.groups or {}).get(customer, EVERYONE_ELSE)

    def skus(self) -> frozenset[str]:
        return frozenset(self.by_sku)

    def limiting_group(self, customer: str, sku: str, as_of: date) -> str | None:
        """The group whose rows for ``sku`` limit ``customer``; None when nothing limits it."""
        return _limiting(self.group_of(customer), self.groups_with_rows(sku, as_of))

    def groups_with_rows(self, sku: str, as_of: date) -> frozenset[str]:
        """The groups with rows for ``sku`` that count on ``as_of``."""
        return frozenset(row.group for row in self.by_sku.get(sku, ()) if row.until_date >= as_of)

    def rows_of(self, group: str, sku: str, as_of: date) -> list[Allocation]:
        """The rows of ``(group, sku)`` that count on ``as_of``, by period."""
        return [
            row
            for row in self.by_sku.get(sku, ())
            if row.group == group and row.until_date >= as_of
        ]


@dataclass(frozen=True, slots=True)
class AllocationLimit:
    """The allocation of one group and item as a line of a check sees it."""

    group: str
    sku: str
    rows: tuple[Allocation, ...]
    # AL(d) for every day of the horizon.
    left: IntArray

    def first_day(self, qty: int) -> int:
        """The first day on which ``qty`` fits (AL never falls); the horizon's length if none."""
        return int(np.searchsorted(self.left, qty, side="left"))

    def on(self, day: int) -> int:
        return int(self.left[day])


def allocation_limit(
    allocations: Allocations,
    customer: str,
    sku: str,
    *,
    as_of: date,
    horizon_days: int,
    deliveries: Iterable[Delivery],
    earlier: Sequence[tuple[int, int]] = (),
) -> AllocationLimit | None:
    """The limit on ``customer``'s lines of ``sku``; None when allocations do not limit them.

    ``deliveries`` are those of every held and confirmed promise; ``earlier`` the (day, qty)
    the quote's earlier lines of ``sku`` deliver.
    """
    group = allocations.limiting_group(customer, sku, as_of)
    if group is None:
        return None
    return group_limit(
        allocations,
        group,
        sku,
        as_of=as_of,
        horizon_days=horizon_days,
        deliveries=deliveries,
        earlier=earlier,
    )


def group_limit(
    allocations: Allocations,
    group: str,
    sku: str,
    *,
    as_of: date,
    horizon_days: int,
    deliveries: Iterable[Delivery],
    earlier: Sequence[tuple[int, int]] = (),
) -> AllocationLimit | None:
    """AL(group, sku, d) for every day; None when the group has no rows for ``sku`` that count."""
    rows = allocations.rows_of(group, sku, as_of)
    if not rows:
        return None
    with_rows = allocations.groups_with_rows(sku, as_of)
    h = horizon_days
    allotted = np.zeros(h, dtype=np.int64)
    for row in rows:
        starts = max((row.from_date - as_of).days, 0)
        if starts < h:
            allotted[starts] += row.qty
    first = rows[0].from_date
    delivered = np.zeros(h, dtype=np.int64)
    for delivery in deliveries:
        if delivery.sku != sku or delivery.date < first:
            continue  # another item, or a period that is over
        day = max((delivery.date - as_of).days, 0)
        if day < h and _limiting(allocations.group_of(delivery.customer), with_rows) == group:
            delivered[day] += delivery.qty
    for day, qty in earlier:
        if 0 <= day < h:
            delivered[day] += qty
    headroom = np.cumsum(allotted) - np.cumsum(delivered)
    left = np.maximum(np.minimum.accumulate(headroom[::-1])[::-1], 0)
    return AllocationLimit(group, sku, tuple(rows), left)


def _limiting(own_group: str, groups_with_rows: frozenset[str]) -> str | None:
    if own_group in groups_with_rows:
        return own_group
    return EVERYONE_ELSE if EVERYONE_ELSE in groups_with_rows else None
