"""Check request and check result (SPEC section 3)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.schemas.examples import EXTRA_CAPACITY_OPTION, SPLIT_OPTION
from app.schemas.types import IsoDate

Text = Annotated[str, Strict(), Field(min_length=1, max_length=200)]


class CheckLineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_ref: Text
    sku: Annotated[str, Strict(), Field(min_length=1, max_length=64)]
    # Strict: 2.5 and "3" are errors, not 2 and 3.
    # A billion units is past any real quote and keeps every quantity a 64-bit integer.
    qty: Annotated[int, Strict(), Field(ge=1, le=1_000_000_000)]
    requested_date: IsoDate


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quote_ref: Text
    customer: Text
    as_of: IsoDate | None = Field(
        default=None, description="Day 0 of the check; default: today in PROMISE_TIMEZONE."
    )
    ship_complete: Annotated[bool, Strict()] = False
    lines: Annotated[list[CheckLineRequest], Field(min_length=1)]
    options: list[Literal["split", "extra_capacity"]] = Field(
        default_factory=list,
        description="What a line that is late should offer (SPEC section 5): `split` (what the "
        "requested date allows now, the rest as early as it can follow) and `extra_capacity` "
        "(the cheapest overtime and expediting that make the requested date). Options change "
        "no answer and reserve nothing.",
    )
    min_split_qty: Annotated[int, Strict(), Field(ge=1, le=1_000_000_000)] = Field(
        default=1, description="A split is offered only when at least this many ship on time."
    )


class StockTakeOut(BaseModel):
    sku: str
    date: dt.date
    qty: int


class PurchaseOut(BaseModel):
    sku: str
    qty: int
    date: dt.date
    order_by: dt.date


class DayLoadOut(BaseModel):
    date: dt.date
    minutes: int


class OperationLoadOut(BaseModel):
    seq: int
    resource: str
    minutes: int
    loads: list[DayLoadOut]


class ProductionLotOut(BaseModel):
    sku: str
    qty: int
    start_date: dt.date
    ready_date: dt.date
    operations: list[OperationLoadOut]


class PlanOut(BaseModel):
    stock: list[StockTakeOut]
    purchases: list[PurchaseOut]
    production: list[ProductionLotOut]


class ConstraintOut(BaseModel):
    """What binds; optional members are null when they do not apply."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    kind: Literal["stock", "lead_time", "capacity", "material", "horizon", "allocation"]
    sku: str | None = None
    resource: str | None = None
    from_date: dt.date | None = Field(default=None, alias="from")
    until_date: dt.date | None = Field(default=None, alias="until")
    detail: str


def _absent(value: object) -> bool:
    """Fields that do not apply are left out of the answer rather than sent as null."""
    return value is None


class DeliveryOut(BaseModel):
    qty: int
    date: dt.date
    plan: PlanOut


class ExtraMinutesOut(BaseModel):
    resource: str
    date: dt.date
    minutes: int = Field(description="Overtime to add on that day.")
    exception_minutes: int = Field(
        description="The calendar exception that adds them: the day's calendar minutes plus "
        "`minutes` (PUT /v1/resources/{code}/exceptions/{date})."
    )


class ExpediteOut(BaseModel):
    sku: str
    qty: int
    order_by: dt.date
    date: dt.date


class OptionLineOut(BaseModel):
    """A request line that realises the option, ready to send in place of the line."""

    line_ref: str
    sku: str
    qty: int
    requested_date: dt.date


class OptionOut(BaseModel):
    """A what-if for a late line (SPEC section 5)."""

    model_config = ConfigDict(json_schema_extra={"examples": [SPLIT_OPTION, EXTRA_CAPACITY_OPTION]})

    kind: Literal["split", "extra_capacity"]
    detail: str
    deliveries: list[DeliveryOut]
    lines: list[OptionLineOut]
    extra: list[ExtraMinutesOut] | None = Field(
        default=None,
        exclude_if=_absent,
        description="extra_capacity: overtime per resource and day.",
    )
    expedite: list[ExpediteOut] | None = Field(
        default=None,
        exclude_if=_absent,
        description="extra_capacity: purchases bought at the expedited lead time.",
    )
    cost: float | None = Field(
        default=None,
        exclude_if=_absent,
        description="extra_capacity: overtime minutes x cost per minute + expedited units x "
        "cost per unit.",
    )
    plan: PlanOut | None = Field(
        default=None, exclude_if=_absent, description="extra_capacity: the plan."
    )


class CheckLineResult(BaseModel):
    line_ref: str
    sku: str
    qty: int
    requested_date: dt.date
    feasible_on_requested_date: bool
    qty_on_requested_date: int
    earliest_date: dt.date | None
    promised_date: dt.date | None
    delivery_date: dt.date | None
    plan: PlanOut
    constraints: list[ConstraintOut]
    method: Literal["stock", "purchase", "fast", "bounds", "cp-sat"]
    options: list[OptionOut] | None = Field(
        default=None,
        exclude_if=_absent,
        description="Only when the request asks for options and the line is late: the options "
        "offered (possibly none).",
    )


class CheckResult(BaseModel):
    id: str
    quote_ref: str
    customer: str
    as_of: dt.date
    status: Literal["feasible", "counter_proposal", "infeasible"]
    promise_date: dt.date | None
    ship_complete: bool
    created_at: dt.datetime
    lines: list[CheckLineResult]


class CheckList(BaseModel):
    """A page of stored checks, newest first."""

    items: list[CheckResult]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
