"""Shared numbers and the capacity picture, for a CRM dashboard and the operations page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth import CRM, OPS, SALES, require
from app.deps import ClockDep, SessionDep, SettingsDep
from app.schemas.problem import problem_responses
from app.schemas.stats import CapacityView, Stats
from app.schemas.types import IsoDate
from app.services.capacity_view import DEFAULT_DAYS, MAX_DAYS, capacity_view
from app.services.stats import period_stats

# Read-only numbers: the roles that may read checks (SPEC section 3).
router = APIRouter(prefix="/v1", tags=["review"], dependencies=[require(OPS, CRM, SALES)])


@router.get("/stats", response_model=Stats, responses=problem_responses(422))
def get_stats(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    since: Annotated[
        IsoDate | None, Query(description="First day (default: 29 days before until).")
    ] = None,
    until: Annotated[
        IsoDate | None, Query(description="Last day, inclusive (default: today).")
    ] = None,
) -> Stats:
    """Quote lines checked, share feasible on the requested date, days pushed out, what bound
    most often, and the promises made in the period (days in PROMISE_TIMEZONE)."""
    return period_stats(session, settings, clock(), since, until)


@router.get("/capacity", response_model=CapacityView, responses=problem_responses(422))
def get_capacity(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    first: Annotated[IsoDate | None, Query(alias="from", description="Default: today.")] = None,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = DEFAULT_DAYS,
) -> CapacityView:
    """Per resource and day: calendar minutes, firm load, held and confirmed promise minutes,
    free minutes."""
    return capacity_view(session, settings, clock(), first, days)
