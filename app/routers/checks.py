"""Quote checks: ask, and read stored answers."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.deps import ClockDep, SessionDep, SettingsDep
from app.schemas.check import CheckRequest, CheckResult
from app.schemas.problem import problem_responses
from app.services.checks import read_check, run_check

router = APIRouter(prefix="/v1/checks", tags=["checks"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckResult,
    responses=problem_responses(422, 503),
)
def create_check(
    request: CheckRequest, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> CheckResult:
    """Check a quote against stock, supply, lead times and capacity; reserves nothing."""
    return run_check(session, settings, request, clock())


@router.get("/{check_id}", response_model=CheckResult, responses=problem_responses(404))
def get_check(check_id: str, session: SessionDep) -> CheckResult:
    return read_check(session, check_id)
