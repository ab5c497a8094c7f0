"""What is left of each allocation row (GET /v1/allocations, SPEC section 7)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class AllocationTaken(BaseModel):
    held: int = Field(description="Delivered in the period by live holds.")
    confirmed: int = Field(description="Delivered in the period by confirmed promises.")


class AllocationStatus(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    ref: str
    sku: str
    group: str
    from_date: dt.date = Field(alias="from")
    until_date: dt.date = Field(alias="until")
    qty: int
    taken: AllocationTaken = Field(
        description="What held and confirmed promises of the customers this row limits "
        "deliver within its period."
    )
    left: int = Field(
        description="AL(group, sku, d) on the period's first day d, or today once it has "
        "begun; 0 for a period that is over."
    )


class AllocationList(BaseModel):
    as_of: dt.date = Field(description="Today, day 0 of `left`.")
    items: list[AllocationStatus]
