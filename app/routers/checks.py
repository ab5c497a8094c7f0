"""Quote checks: ask, and read stored answers."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from app.auth import CRM, OPS, SALES, require
from app.deps import ClockDep, IdempotencyKeyDep, SessionDep, SettingsDep
from app.routers.answers import respond
from app.schemas.check import CheckRequest, CheckResult
from app.schemas.problem import problem_responses
from app.services.checks import read_check, run_check_once

router = APIRouter(prefix="/v1/checks", tags=["checks"])


@router.post(
    "",
    dependencies=[require(CRM, SALES)],
    status_code=status.HTTP_201_CREATED,
    response_model=CheckResult,
    responses=problem_responses(422, 503),
)
def create_check(
    request: CheckRequest,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    """Check a quote against stock, supply, lead times and capacity; reserves nothing."""
    return respond(run_check_once(session, settings, request, clock, idempotency_key))


@router.get(
    "/{check_id}",
    dependencies=[require(OPS, CRM, SALES)],
    response_model=CheckResult,
    responses=problem_responses(404),
)
def get_check(check_id: str, session: SessionDep) -> CheckResult:
    return read_check(session, check_id)
