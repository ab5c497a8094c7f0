"""Promise requests and answers (SPEC section 3, "Promises")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.schemas.check import CheckRequest, CheckResult
from app.schemas.events import HistoryEntry

PromiseStatus = Literal["held", "confirmed", "released", "expired", "fulfilled"]


class HoldRequest(CheckRequest):
    """A check request plus how long to hold and what to hold."""

    model_config = ConfigDict(extra="forbid")

    hold_minutes: Annotated[int, Strict(), Field(ge=1, le=7 * 24 * 60)] = 30
    mode: Literal["promised", "requested_only"] = Field(
        default="promised",
        description="promised: hold the promised dates; requested_only: hold only if every "
        "line is feasible on its requested date.",
    )


class StockReservationOut(BaseModel):
    line_ref: str
    sku: str
    date: dt.date
    qty: int


class CapacityReservationOut(BaseModel):
    line_ref: str
    resource: str
    date: dt.date
    minutes: int


class ReservationsOut(BaseModel):
    stock: list[StockReservationOut]
    capacity: list[CapacityReservationOut]


class AtRiskOut(BaseModel):
    since: dt.datetime
    reason: str
    earliest_date: dt.date | None


class PromiseOut(BaseModel):
    id: str
    status: PromiseStatus
    mode: Literal["promised", "requested_only"]
    quote_ref: str
    customer: str
    created_at: dt.datetime
    expires_at: dt.datetime
    confirmed_at: dt.datetime | None
    released_at: dt.datetime | None
    check: CheckResult
    reservations: ReservationsOut
    at_risk: AtRiskOut | None
    history: list[HistoryEntry] = Field(
        description="What happened to the promise, oldest first (SPEC section 6)."
    )


class PromiseList(BaseModel):
    items: list[PromiseOut]
    next_cursor: str | None
