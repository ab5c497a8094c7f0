"""What the engine answers: plain dataclasses, dated, ready to be shaped into JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from app.solver.plant import CapacityUse, Reservations, StockMove

QuoteStatus = Literal["feasible", "counter_proposal", "infeasible"]
ConstraintKind = Literal["stock", "lead_time", "capacity", "material", "horizon", "allocation"]
Method = Literal["stock", "purchase", "fast", "bounds", "cp-sat"]
OptionKind = Literal["split", "extra_capacity"]


@dataclass(frozen=True, slots=True)
class LineRequest:
    line_ref: str
    sku: str
    qty: int
    requested_date: dt.date


@dataclass(frozen=True, slots=True)
class StockTake:
    sku: str
    date: dt.date
    qty: int


@dataclass(frozen=True, slots=True)
class Purchase:
    sku: str
    qty: int
    # The day the bought units must be there (the day they are used or delivered).
    date: dt.date
    # The latest day the order can be placed so that it arrives in time (date - lead time).
    order_by: dt.date


@dataclass(frozen=True, slots=True)
class DayLoad:
    date: dt.date
    minutes: int


@dataclass(frozen=True, slots=True)
class OperationLoad:
    seq: int
    resource: str
    minutes: int
    loads: tuple[DayLoad, ...]


@dataclass(frozen=True, slots=True)
class ProductionLot:
    sku: str
    qty: int
    start_date: dt.date
    ready_date: dt.date
    operations: tuple[OperationLoad, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    stock: tuple[StockTake, ...] = ()
    purchases: tuple[Purchase, ...] = ()
    production: tuple[ProductionLot, ...] = ()

    def reservations(self) -> Reservations:
        """What holding this plan takes: its stock per item and day, its minutes per resource and day."""
        return Reservations(
            stock=tuple(StockMove(take.sku, take.qty, take.date) for take in self.stock),
            capacity=tuple(
                CapacityUse(op.resource, load.date, load.minutes)
                for lot in self.production
                for op in lot.operations
                for load in op.loads
            ),
        )


@dataclass(frozen=True, slots=True)
class Constraint:
    kind: ConstraintKind
    detail: str
    sku: str | None = None
    resource: str | None = None
    from_date: dt.date | None = None
    until_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    qty: int
    date: dt.date
    plan: Plan


@dataclass(frozen=True, slots=True)
class ExtraMinutes:
    resource: str
    date: dt.date
    minutes: int
    # The calendar exception that adds them: the day's calendar minutes plus these.
    exception_minutes: int


@dataclass(frozen=True, slots=True)
class LineOption:
    """A what-if for a late line (SPEC section 5): how it could be met, and the request lines
    that realise it, ready to send in place of the line."""

    kind: OptionKind
    detail: str
    deliveries: tuple[Delivery, ...]
    lines: tuple[LineRequest, ...]
    # extra_capacity only:
    extra: tuple[ExtraMinutes, ...] = ()
    expedite: tuple[Purchase, ...] = ()
    cost: Fraction | None = None
    plan: Plan | None = None


@dataclass(frozen=True, slots=True)
class LineResult:
    line_ref: str
    sku: str
    qty: int
    requested_date: dt.date
    feasible_on_requested_date: bool
    qty_on_requested_date: int
    earliest_date: dt.date | None
    promised_date: dt.date | None
    delivery_date: dt.date | None
    plan: Plan
    constraints: tuple[Constraint, ...]
    # How the answer was decided: "stock", "purchase", "fast" (exact chain method) or "cp-sat".
    method: Method
    # None unless options were asked for and the line is late; then a list, possibly empty.
    options: tuple[LineOption, ...] | None = None


@dataclass(frozen=True, slots=True)
class QuoteResult:
    as_of: dt.date
    status: QuoteStatus
    promise_date: dt.date | None
    ship_complete: bool
    lines: tuple[LineResult, ...] = field(default_factory=tuple)


class SolverTimeout(Exception):
    """CP-SAT stopped at its time limit without proving an answer: never passed off as a date."""

    def __init__(self, sku: str, what: str) -> None:
        super().__init__(f"the solver could not prove {what} for {sku} within its time limit")
        self.sku = sku
        self.what = what
