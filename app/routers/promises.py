"""Promises: hold a quote's plan, confirm it, release it, read them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from app.auth import CRM, OPS, ScopedIdempotencyKeyDep, require
from app.deps import ClockDep, JsonBodyDep, SessionDep, SettingsDep, reads_first
from app.openapi import raw_json_body
from app.routers.answers import answer_once
from app.schemas.problem import problem_responses
from app.schemas.promise import HoldRequest, PromiseList, PromiseOut
from app.services import promises
from app.services.events import actor
from app.services.keys import Caller

CrmDep = Annotated[Caller, require(CRM)]

router = APIRouter(prefix="/v1/promises", tags=["promises"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PromiseOut,
    responses=problem_responses(409, 422, 503),
    # Read raw: the service validates it whole (every error at once), as for a check.
    openapi_extra=raw_json_body(HoldRequest),
)
# Solved in a reading transaction, then re-validated (or solved again) under the lock.
@reads_first
def hold_promise(
    # The role first: a caller without it gets 403 before the body is read.
    caller: CrmDep,
    body: JsonBodyDep,
    *,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    idempotency_key: ScopedIdempotencyKeyDep = None,
) -> JSONResponse:
    """Check the quote and hold its plan for `hold_minutes`.

    409 (with the check result under `check`) when it cannot be held; nothing is held then.
    """
    context = promises.PromiseContext(
        session, settings, clock, actor(caller), explain_after_reserving=idempotency_key is None
    )
    return answer_once(
        session,
        idempotency_key,
        target="POST /v1/promises",
        body=body,
        now=clock,
        status_code=status.HTTP_201_CREATED,
        work=lambda: promises.hold(context, body),
    )


@router.post(
    "/{promise_id}/confirm",
    response_model=PromiseOut,
    responses=problem_responses(404, 409, 422, 503),
)
def confirm_promise(
    promise_id: str,
    *,
    caller: CrmDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    idempotency_key: ScopedIdempotencyKeyDep = None,
) -> JSONResponse:
    """Make a hold firm. An expired hold is checked again and confirmed only if its dates hold;
    otherwise 409 with the fresh check under `check`."""
    context = promises.PromiseContext(session, settings, clock, actor(caller))
    return answer_once(
        session,
        idempotency_key,
        target=f"POST /v1/promises/{promise_id}/confirm",
        body={},
        now=clock,
        status_code=status.HTTP_200_OK,
        work=lambda: promises.confirm(context, promise_id),
    )


@router.post(
    "/{promise_id}/release",
    response_model=PromiseOut,
    responses=problem_responses(404, 409, 422),
)
def release_promise(
    promise_id: str,
    *,
    caller: CrmDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    idempotency_key: ScopedIdempotencyKeyDep = None,
) -> JSONResponse:
    """Give a hold or promise back (idempotent)."""
    context = promises.PromiseContext(session, settings, clock, actor(caller))
    return answer_once(
        session,
        idempotency_key,
        target=f"POST /v1/promises/{promise_id}/release",
        body={},
        now=clock,
        status_code=status.HTTP_200_OK,
        work=lambda: promises.release(context, promise_id),
    )


@router.post(
    "/{promise_id}/repromise",
    response_model=PromiseOut,
    responses=problem_responses(404, 409, 422, 503),
)
def repromise(
    promise_id: str,
    *,
    caller: CrmDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    idempotency_key: ScopedIdempotencyKeyDep = None,
) -> JSONResponse:
    """A confirmed promise at risk gets the dates a fresh check finds now: the new plan and
    dates replace the old ones and it is no longer at risk (the history records both dates).
    409 with the fresh check under `check` when some line has no date; 409 too when the promise
    is not a confirmed one at risk."""
    context = promises.PromiseContext(session, settings, clock, actor(caller))
    return answer_once(
        session,
        idempotency_key,
        target=f"POST /v1/promises/{promise_id}/repromise",
        body={},
        now=clock,
        status_code=status.HTTP_200_OK,
        work=lambda: promises.repromise(context, promise_id),
    )


@router.get(
    "/{promise_id}",
    dependencies=[require(CRM, OPS)],
    response_model=PromiseOut,
    responses=problem_responses(404),
)
def get_promise(promise_id: str, session: SessionDep, clock: ClockDep) -> PromiseOut:
    return promises.read_promise(session, promise_id, clock())


@router.get(
    "",
    dependencies=[require(CRM, OPS)],
    response_model=PromiseList,
    responses=problem_responses(422),
)
def list_promises(
    session: SessionDep,
    clock: ClockDep,
    *,
    status: Literal["held", "confirmed", "released", "expired", "fulfilled"] | None = None,
    at_risk: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> PromiseList:
    """Promises, newest first; `status=expired` includes holds whose time ran out."""
    return promises.list_promises(
        session, clock(), status=status, at_risk=at_risk, limit=limit, cursor=cursor
    )
