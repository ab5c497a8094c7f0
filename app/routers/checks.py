"""Quote checks: ask, and read stored answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from app.auth import CRM, OPS, SALES, ScopedIdempotencyKeyDep, require
from app.deps import ClockDep, JsonBodyDep, SessionDep, SettingsDep, reads_first
from app.openapi import raw_json_body
from app.routers.answers import answer_once
from app.schemas.check import CheckList, CheckRequest, CheckResult
from app.schemas.problem import problem_responses
from app.schemas.types import IsoDateTime
from app.services.check_listing import Outcome, list_checks
from app.services.checks import check_body, read_check

router = APIRouter(prefix="/v1/checks", tags=["checks"])


@router.post(
    "",
    dependencies=[require(CRM, SALES)],
    status_code=status.HTTP_201_CREATED,
    response_model=CheckResult,
    responses=problem_responses(422, 503),
    # Read raw: the service validates it whole, so that a type error in one field does not
    # hide an unknown sku or a date out of range in another.
    openapi_extra=raw_json_body(CheckRequest),
)
@reads_first
def create_check(
    body: JsonBodyDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    idempotency_key: ScopedIdempotencyKeyDep = None,
) -> JSONResponse:
    """Check a quote against stock, supply, lead times and capacity; reserves nothing."""
    return answer_once(
        session,
        idempotency_key,
        target="POST /v1/checks",
        body=body,
        now=clock,
        status_code=status.HTTP_201_CREATED,
        work=lambda: check_body(session, settings, body, clock),
    )


@router.get(
    "/{check_id}",
    dependencies=[require(OPS, CRM, SALES)],
    response_model=CheckResult,
    responses=problem_responses(404),
)
def get_check(check_id: str, session: SessionDep) -> CheckResult:
    return read_check(session, check_id)


@router.get(
    "",
    operation_id="list_checks",
    dependencies=[require(OPS, CRM, SALES)],
    response_model=CheckList,
    responses=problem_responses(422),
)
def get_checks(
    session: SessionDep,
    settings: SettingsDep,
    *,
    outcome: Annotated[
        Outcome | None,
        Query(
            description="feasible; counter_proposal; rejected: not feasible on the requested "
            "date (counter proposals and infeasible quotes)."
        ),
    ] = None,
    sku: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Checks with a line of it.")
    ] = None,
    customer: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    since: Annotated[
        IsoDateTime | None,
        Query(
            description="Stored at or after (ISO date or date-time; without a zone, "
            "PROMISE_TIMEZONE)."
        ),
    ] = None,
    until: Annotated[
        IsoDateTime | None,
        Query(description="Stored before (exclusive; a date alone is its midnight)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
    ] = None,
) -> CheckList:
    """Stored checks, newest first, in pages that stay stable while new checks arrive."""
    return list_checks(
        session,
        settings,
        outcome=outcome,
        sku=sku,
        customer=customer,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
