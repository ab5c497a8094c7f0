"""The ERP feed: one planning row at a time (SPEC section 3), validated like the dataset.

The key (ref or sku) is the path's; a body may repeat it, and must then agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.schemas.dataset import CustomerName, DayMinutes, Key, NonNegative, Ref
from app.schemas.types import IsoDate

PromiseId = Annotated[str, Strict(), Field(min_length=1, max_length=36)]


class FeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SupplyIn(FeedIn):
    """A scheduled receipt (open purchase or work order) arriving on `date`."""

    ref: Ref | None = None
    sku: Key
    qty: NonNegative
    date: IsoDate


class DemandIn(FeedIn):
    """A firm commitment consuming stock on `date`; `promise_id` names the promise it fulfils."""

    ref: Ref | None = None
    sku: Key
    qty: NonNegative
    date: IsoDate
    promise_id: PromiseId | None = Field(
        default=None,
        description="The promise this firm order fulfils: it is marked fulfilled and its "
        "reservations end, so that nothing counts twice.",
    )


class LoadIn(FeedIn):
    """Minutes already booked on a resource on `date` (firm production)."""

    ref: Ref | None = None
    resource: Key
    date: IsoDate
    minutes: NonNegative


class InventoryIn(FeedIn):
    sku: Key | None = None
    on_hand: NonNegative


class AllocationIn(FeedIn):
    """Group `group` may receive at most `qty` of `sku` delivered from `from` to `until`."""

    model_config = ConfigDict(extra="forbid")

    ref: Ref | None = None
    sku: Key
    group: Key
    from_date: IsoDate = Field(alias="from")
    until_date: IsoDate = Field(alias="until")
    qty: NonNegative


class CustomerIn(FeedIn):
    """The group a customer belongs to (a customer not listed is in `*`)."""

    customer: CustomerName | None = None
    group: Key


class CalendarExceptionIn(FeedIn):
    """The minutes a resource works on one date, replacing its weekly minutes (and a holiday)."""

    minutes: DayMinutes


class FeedChange(BaseModel):
    """What every feed change answers besides its row."""

    data_version: int = Field(description="The planning data version after the change.")
    promises_at_risk: list[str] = Field(
        description="Confirmed promises the change touched whose promised dates can no longer "
        "be met (see GET /v1/promises?at_risk=true); those re-planned to keep their dates are "
        "not listed."
    )


class SupplyOut(FeedChange):
    ref: str
    sku: str
    qty: int
    date: dt.date


class DemandOut(FeedChange):
    ref: str
    sku: str
    qty: int
    date: dt.date
    promise_id: str | None


class LoadOut(FeedChange):
    ref: str
    resource: str
    date: dt.date
    minutes: int


class InventoryOut(FeedChange):
    sku: str
    on_hand: int


class AllocationOut(FeedChange):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    ref: str
    sku: str
    group: str
    from_date: dt.date = Field(alias="from")
    until_date: dt.date = Field(alias="until")
    qty: int


class CustomerOut(FeedChange):
    customer: str
    group: str


class Deleted(FeedChange):
    ref: str


class CustomerDeleted(FeedChange):
    customer: str


class CalendarExceptionOut(FeedChange):
    resource: str
    date: dt.date
    minutes: int


class CalendarExceptionDeleted(FeedChange):
    resource: str
    date: dt.date


# Bodies the feed routes read raw (the service validates them): app.openapi documents them.
FEED_BODIES: tuple[type[FeedIn], ...] = (
    SupplyIn,
    DemandIn,
    LoadIn,
    InventoryIn,
    AllocationIn,
    CustomerIn,
    CalendarExceptionIn,
)
