"""The dataset document (SPEC section 1): one shape for import and export.

Rows are models of their own because the import validates each row separately: a type error in
one row must not hide a duplicate or a broken reference in another (see
app.services.dataset_validation). Decimal fields are Decimal so that 6.5 stays exactly 6.5; the
import parses JSON numbers straight into Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, WithJsonSchema, field_validator

from app.schemas.types import IsoDate

WholeNumber = Annotated[int, Strict()]
# The upper bound is the database's integer column (PostgreSQL INTEGER).
MAX_INT = 2_147_483_647
NonNegative = Annotated[int, Strict(), Field(ge=0, le=MAX_INT)]
DayMinutes = Annotated[int, Strict(), Field(ge=0, le=1440)]
Key = Annotated[str, Strict(), Field(min_length=1, max_length=64)]
Ref = Annotated[str, Strict(), Field(min_length=1, max_length=128)]
Name = Annotated[str, Strict(), Field(max_length=200)]
CustomerName = Annotated[str, Strict(), Field(min_length=1, max_length=200)]
# 15 significant digits: every such decimal survives a JSON client that parses numbers as floats.
# A JSON number both ways (import and export), never a string: the schema says so.
PositiveDecimal = Annotated[
    Decimal,
    Field(gt=0, max_digits=15, allow_inf_nan=False),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
]
# A price: four decimal places at most, so that every cost is a whole number of 1/10000 units
# (the extra-capacity option weighs costs exactly, as integers).
Cost = Annotated[
    Decimal,
    Field(ge=0, le=1_000_000, decimal_places=4, allow_inf_nan=False),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1_000_000}),
]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _number_only(value: Any) -> Any:
    # Decimal would accept "6.5" or true; the document carries numbers.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        msg = "must be a JSON number"
        raise ValueError(msg)
    return value


LeadTime = Annotated[int, Strict(), Field(ge=0, le=3650)]


class ExpediteDoc(Row):
    """A purchased item could be bought faster, for an extra cost per unit (SPEC section 5)."""

    lead_time_days: LeadTime
    cost_per_unit: Cost = Decimal(0)

    _number = field_validator("cost_per_unit", mode="before")(_number_only)


class ItemDoc(Row):
    sku: Key
    name: Name
    kind: Literal["purchased", "manufactured"]
    # The key is required for a purchased item (null: cannot be re-ordered inside the horizon)
    # and absent for a manufactured one; the cross checks enforce that.
    lead_time_days: LeadTime | None = None
    # Purchased items only, with a lead time below lead_time_days (the cross checks say so).
    expedite: ExpediteDoc | None = None


class CalendarExceptionDoc(Row):
    date: IsoDate
    minutes: DayMinutes


class CalendarDoc(Row):
    weekly_minutes: Annotated[list[DayMinutes], Field(min_length=7, max_length=7)]
    exceptions: list[CalendarExceptionDoc] = Field(default_factory=list)


class OvertimeDoc(Row):
    """Minutes that could be worked on top of the calendar on a day (SPEC section 5)."""

    weekly_minutes: Annotated[list[DayMinutes], Field(min_length=7, max_length=7)]
    exceptions: list[CalendarExceptionDoc] = Field(default_factory=list)
    cost_per_minute: Cost = Decimal(1)

    _number = field_validator("cost_per_minute", mode="before")(_number_only)


class ResourceDoc(Row):
    code: Key
    name: Name
    calendar: CalendarDoc
    overtime: OvertimeDoc | None = None


class OperationDoc(Row):
    seq: NonNegative
    resource: Key
    setup_minutes: NonNegative
    run_minutes_per_unit: PositiveDecimal

    _number = field_validator("run_minutes_per_unit", mode="before")(_number_only)


class RoutingDoc(Row):
    sku: Key
    operations: list[OperationDoc]


class BomLineDoc(Row):
    parent: Key
    component: Key
    qty_per: PositiveDecimal

    _number = field_validator("qty_per", mode="before")(_number_only)


class InventoryDoc(Row):
    sku: Key
    on_hand: NonNegative


class SupplyDoc(Row):
    ref: Ref
    sku: Key
    qty: NonNegative
    date: IsoDate


class DemandDoc(Row):
    ref: Ref
    sku: Key
    qty: NonNegative
    date: IsoDate
    # The promise this firm order fulfils: loading the row ends the promise's reservations and
    # marks it fulfilled, so that nothing counts twice.
    promise_id: Annotated[str, Strict(), Field(min_length=1, max_length=36)] | None = None


class LoadDoc(Row):
    ref: Ref
    resource: Key
    date: IsoDate
    minutes: NonNegative


class CustomerDoc(Row):
    """The group a customer (as quotes name it) belongs to, for allocations (SPEC section 7)."""

    customer: CustomerName
    group: Key


class AllocationDoc(Row):
    """Group `group` may receive at most `qty` units of `sku` delivered from `from` to `until`
    (inclusive); periods of one sku and group do not overlap."""

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)

    ref: Ref
    sku: Key
    group: Key
    from_date: IsoDate = Field(alias="from")
    until_date: IsoDate = Field(alias="until")
    qty: NonNegative


class DatasetDocument(Row):
    """All planning data of the site. Lists left out are empty."""

    holidays: list[IsoDate] = Field(default_factory=list)
    items: list[ItemDoc] = Field(default_factory=list)
    resources: list[ResourceDoc] = Field(default_factory=list)
    routings: list[RoutingDoc] = Field(default_factory=list)
    bom: list[BomLineDoc] = Field(default_factory=list)
    inventory: list[InventoryDoc] = Field(default_factory=list)
    supply: list[SupplyDoc] = Field(default_factory=list)
    demand: list[DemandDoc] = Field(default_factory=list)
    load: list[LoadDoc] = Field(default_factory=list)
    customers: list[CustomerDoc] = Field(default_factory=list)
    allocations: list[AllocationDoc] = Field(default_factory=list)


# Row model per list of the document, in the order errors are reported.
ROW_MODELS: dict[str, type[Row]] = {
    "items": ItemDoc,
    "resources": ResourceDoc,
    "routings": RoutingDoc,
    "bom": BomLineDoc,
    "inventory": InventoryDoc,
    "supply": SupplyDoc,
    "demand": DemandDoc,
    "load": LoadDoc,
    "customers": CustomerDoc,
    "allocations": AllocationDoc,
}


class DatasetSummary(BaseModel):
    """Answer to an import: rows per list and the new data version."""

    counts: dict[str, int]
    data_version: int
    promises_at_risk: list[str] = Field(
        default_factory=list,
        description="Confirmed promises whose promised dates can no longer be met on the new "
        "data; those re-planned to keep their dates are not listed.",
    )
