"""Planning data as plain, immutable Python objects: the solver's input.

The service layer builds a :class:`Plant` from the database (or a dataset document); the solver
never sees SQLAlchemy or pydantic objects. Dates are real dates here; the planning state turns
them into day indexes relative to a check's ``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Literal

from app.solver.allocation import Allocations, Delivery

ItemKind = Literal["purchased", "manufactured"]


@dataclass(frozen=True, slots=True)
class Expedite:
    """A purchased item could be bought for any day >= ``lead_time_days`` at an extra cost."""

    lead_time_days: int
    cost_per_unit: Fraction = Fraction(0)


@dataclass(frozen=True, slots=True)
class Item:
    sku: str
    name: str
    kind: ItemKind
    # None for a purchased item that cannot be re-ordered inside the horizon,
    # and always None for a manufactured item.
    lead_time_days: int | None = None
    expedite: Expedite | None = None


@dataclass(frozen=True, slots=True)
class Calendar:
    weekly_minutes: tuple[int, int, int, int, int, int, int]  # Monday..Sunday
    exceptions: dict[date, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Overtime:
    """Minutes that could be worked on top of the calendar, per weekday or date (SPEC 5)."""

    weekly_minutes: tuple[int, int, int, int, int, int, int]  # Monday..Sunday
    exceptions: dict[date, int] = field(default_factory=dict)
    cost_per_minute: Fraction = Fraction(1)


@dataclass(frozen=True, slots=True)
class Resource:
    code: str
    name: str
    calendar: Calendar
    overtime: Overtime | None = None


@dataclass(frozen=True, slots=True)
class Operation:
    seq: int
    resource: str
    setup_minutes: int
    # Exact decimal as a fraction so that ceil(n * run) is computed without float error.
    run_minutes_per_unit: Fraction


@dataclass(frozen=True, slots=True)
class BomLine:
    component: str
    qty_per: Fraction


@dataclass(frozen=True, slots=True)
class StockMove:
    """A receipt (supply), an issue (demand) or a reservation of stock."""

    sku: str
    qty: int
    date: date


@dataclass(frozen=True, slots=True)
class CapacityUse:
    """Minutes taken on a resource on a day: firm load or a reservation."""

    resource: str
    date: date
    minutes: int


@dataclass(frozen=True, slots=True)
class Plant:
    """All planning data of the site, already validated."""

    items: dict[str, Item]
    resources: dict[str, Resource]
    # Operations sorted by seq.
    routings: dict[str, tuple[Operation, ...]]
    # Components per parent sku, in document order.
    bom: dict[str, tuple[BomLine, ...]]
    on_hand: dict[str, int]
    supply: tuple[StockMove, ...] = ()
    demand: tuple[StockMove, ...] = ()
    load: tuple[CapacityUse, ...] = ()
    holidays: frozenset[date] = frozenset()
    # Who may receive how much of a scarce item (SPEC section 7).
    allocations: Allocations = field(default_factory=Allocations)


@dataclass(frozen=True, slots=True)
class Reservations:
    """What held and confirmed promises take: stock per item and day, minutes per resource and
    day, and what their lines deliver to whom (for the allocations they use up)."""

    stock: tuple[StockMove, ...] = ()
    capacity: tuple[CapacityUse, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
