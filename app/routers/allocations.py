"""Allocations: what each row has given and has left (SPEC section 7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth import ADMIN, CRM, OPS, require
from app.deps import ClockDep, SessionDep, SettingsDep
from app.schemas.allocations import AllocationList
from app.schemas.problem import problem_responses
from app.services.allocations import allocation_status

router = APIRouter(prefix="/v1", tags=["review"], dependencies=[require(OPS, CRM, ADMIN)])


@router.get(
    "/allocations",
    response_model=AllocationList,
    responses=problem_responses(422),
    operation_id="list_allocations",
)
def list_allocations(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    group: Annotated[str | None, Query(max_length=64)] = None,
) -> AllocationList:
    """Each allocation row with what held and confirmed promises take of it within its period
    and the allocation left (AL on its first day, or today once it has begun)."""
    return allocation_status(session, settings, clock(), sku=sku, group=group)
