"""The check use case: validate, ask the engine, store the answer (SPEC sections 2 and 3)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from app.clock import Clock
from app.db.checks import add_check, get_check
from app.db.promises import live_reservations
from app.db.queries import get_data_version, load_plant
from app.errors import FieldError, Invalid, NotFound, pointer
from app.metrics import CHECKS, SOLVER_SECONDS
from app.schemas.check import CheckRequest, CheckResult
from app.services.check_results import to_check_result
from app.services.idempotency import Answer, answer_once
from app.services.planning_cache import planning_cache
from app.settings import Settings
from app.solver.engine import SolverSettings, check_quote
from app.solver.plant import Plant, Reservations
from app.solver.results import LineRequest, QuoteResult


def run_check(
    session: Session, settings: Settings, request: CheckRequest, now: datetime
) -> CheckResult:
    """A check: every held and confirmed promise counts; nothing is reserved."""
    dated, quote = evaluate_quote(
        session, settings, request, live_reservations(session, now), now=now
    )
    return store_check(session, dated, quote, now)


def run_check_once(
    session: Session,
    settings: Settings,
    request: CheckRequest,
    clock: Clock,
    idempotency_key: str | None,
) -> Answer:
    """``run_check`` with Idempotency-Key replay."""

    def work() -> Answer:
        result = run_check(session, settings, request, clock())
        return Answer(201, result.model_dump(mode="json"))

    return answer_once(
        session,
        idempotency_key,
        target="POST /v1/checks",
        body=request.model_dump(mode="json"),
        now=clock(),
        work=work,
    )


def evaluate_quote(
    session: Session,
    settings: Settings,
    request: CheckRequest,
    reservations: Reservations,
    *,
    now: datetime | None = None,
) -> tuple[CheckRequest, QuoteResult]:
    """The engine's answer on the current planning data with ``reservations`` taken.

    ``as_of`` defaults to the day of ``now`` (the service clock) in PROMISE_TIMEZONE. Returns
    the request with its ``as_of`` filled in, so that it can be replayed later.
    """
    as_of = request.as_of or today(settings, now)
    version, plant = current_plant(session)
    _check_business_rules(request, plant, as_of, settings.horizon_days)
    state = planning_cache.state(
        _database_key(session), version, plant, as_of, settings.horizon_days
    )
    with SOLVER_SECONDS.time():
        quote = check_quote(
            state.with_reservations(reservations),
            [
                LineRequest(
                    line_ref=line.line_ref,
                    sku=line.sku,
                    qty=line.qty,
                    requested_date=line.requested_date,
                )
                for line in request.lines
            ],
            request.ship_complete,
            solver_settings(settings),
        )
    return request.model_copy(update={"as_of": as_of}), quote


def store_check(
    session: Session, request: CheckRequest, quote: QuoteResult, created_at: datetime
) -> CheckResult:
    check_id = str(uuid.uuid4())
    result = to_check_result(check_id, request, quote, created_at)
    CHECKS.labels(result.status).inc()
    add_check(
        session,
        check_id=check_id,
        quote_ref=request.quote_ref,
        customer=request.customer,
        as_of=quote.as_of,
        status=result.status,
        created_at=created_at,
        request=request.model_dump(mode="json"),
        result=result.model_dump(mode="json"),
    )
    return result


def read_check(session: Session, check_id: str) -> CheckResult:
    row = get_check(session, check_id)
    if row is None:
        raise NotFound(f"no check with id {check_id}")
    return CheckResult.model_validate(row.result)


def today(settings: Settings, now: datetime | None = None) -> date:
    """Today in PROMISE_TIMEZONE, by the service clock when one is given."""
    return (now or datetime.now(UTC)).astimezone(settings.zone).date()


def solver_settings(settings: Settings) -> SolverSettings:
    return SolverSettings(
        time_limit_seconds=settings.solver_time_limit_seconds, workers=settings.solver_workers
    )


def current_plant(session: Session) -> tuple[int, Plant]:
    """The data version and its plant, from the cache unless the version changed."""
    database = _database_key(session)
    version = get_data_version(session)

    def load() -> Plant | None:
        plant = load_plant(session)
        # A change committed while loading (possible under READ COMMITTED) would be cached
        # under the wrong version: then use the plant once, but do not cache it.
        return plant if get_data_version(session) == version else None

    cached = planning_cache.plant(database, version, load)
    return version, cached if cached is not None else load_plant(session)


def _check_business_rules(
    request: CheckRequest, plant: Plant, as_of: date, horizon_days: int
) -> None:
    last_day = as_of + timedelta(days=horizon_days - 1)
    errors: list[FieldError] = []
    first_line_of: dict[str, int] = {}
    for i, line in enumerate(request.lines):
        first = first_line_of.setdefault(line.line_ref, i)
        if first != i:
            errors.append(
                FieldError(
                    pointer("lines", i, "line_ref"),
                    f"line_ref {line.line_ref!r} is already used by /lines/{first}",
                )
            )
        if line.sku not in plant.items:
            errors.append(FieldError(pointer("lines", i, "sku"), f"unknown sku {line.sku}"))
        if line.requested_date < as_of:
            errors.append(
                FieldError(
                    pointer("lines", i, "requested_date"),
                    f"requested date {line.requested_date} is before as_of {as_of}",
                )
            )
        elif line.requested_date > last_day:
            errors.append(
                FieldError(
                    pointer("lines", i, "requested_date"),
                    f"requested date {line.requested_date} is beyond the horizon "
                    f"(last day {last_day})",
                )
            )
    if errors:
        raise Invalid("the check request is not valid for this plant", errors)


def _database_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)
