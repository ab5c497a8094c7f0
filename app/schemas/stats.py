"""Shared numbers of a period (GET /v1/stats) and the capacity picture (GET /v1/capacity)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class ResourceCount(BaseModel):
    resource: str
    lines: int = Field(description="Quote lines on which this resource bound.")


class ItemCount(BaseModel):
    sku: str
    lines: int = Field(description="Quote lines on which this item (or component) bound.")


class GroupCount(BaseModel):
    group: str
    lines: int = Field(
        description="Quote lines on which this customer group's allocation bound (the group "
        "of the check's customer as it is now)."
    )


class KindCount(BaseModel):
    kind: str
    lines: int


class PromiseCounts(BaseModel):
    """Promises made in the period, by their status now."""

    held: int = 0
    confirmed: int = 0
    released: int = 0
    expired: int = 0
    fulfilled: int = 0
    at_risk: int = Field(
        0, description="Live promises (held or confirmed) at risk after a data change."
    )


class Stats(BaseModel):
    since: dt.date
    until: dt.date
    checks: int = Field(description="Stored checks made in the period (holds included).")
    quote_lines: int
    lines_feasible_on_requested_date: int
    share_feasible_on_requested_date: float | None = Field(
        description="Lines feasible on their requested date / lines; null without lines."
    )
    lines_pushed_out: int = Field(description="Lines with a date later than requested.")
    lines_without_date: int = Field(description="Lines with no date within the horizon.")
    mean_days_pushed_out: float | None = Field(
        description="Mean of (promised - requested) days over the pushed-out lines."
    )
    worst_days_pushed_out: int | None
    binding_kinds: list[KindCount]
    binding_resources: list[ResourceCount]
    binding_items: list[ItemCount]
    binding_allocations: list[GroupCount] = Field(
        default_factory=list, description="Lines bound by allocation, per customer group."
    )
    promises: PromiseCounts


class CapacityDay(BaseModel):
    date: dt.date
    calendar: int = Field(description="Calendar minutes (weekly pattern, holidays, exceptions).")
    firm_load: int = Field(description="Minutes booked by firm production (ERP load).")
    held: int = Field(description="Minutes reserved by live holds.")
    confirmed: int = Field(description="Minutes reserved by confirmed promises.")
    free: int = Field(description="calendar - firm_load - held - confirmed, never below 0.")


class ResourceCapacity(BaseModel):
    code: str
    name: str
    days: list[CapacityDay]


class CapacityView(BaseModel):
    first: dt.date
    last: dt.date
    resources: list[ResourceCapacity]
