"""The check use case: validate, ask the engine, store the answer (SPEC sections 2 and 3).

The body arrives as parsed JSON and is validated whole (``parse_request``): a type or range
error in one field does not hide an unknown sku, a date out of range or a duplicate line_ref
in another. Those plan-dependent rules run on every field that is itself well-formed; a field
with a type error has that error only.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Container, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from app.clock import Clock
from app.db.checks import PENDING, add_check, answer_check, get_check
from app.db.engine import begin_writing, database_key
from app.db.queries import get_data_version, load_plant
from app.errors import FieldError, Invalid, NotFound, from_pydantic, pointer
from app.metrics import CHECKS, SOLVER_SECONDS
from app.schemas.check import CheckRequest, CheckResult
from app.schemas.types import IsoDate
from app.services.answer_cache import answer_cache
from app.services.check_results import to_check_result
from app.services.dataset_validation import ParsedRow
from app.services.engine_slots import engine_slots
from app.services.outcomes import StoredCheck
from app.services.planning_cache import planning_cache
from app.services.reservations_cache import reservations_cache
from app.settings import Settings
from app.solver.engine import (
    OptionsAsked,
    PlannedQuote,
    PlanningState,
    SolverSettings,
    check_quote,
    explain_quote,
    plan_quote,
)
from app.solver.plant import Plant, Reservations
from app.solver.results import LineRequest, QuoteResult

RequestT = TypeVar("RequestT", bound=CheckRequest)
_DATE = TypeAdapter[Any](IsoDate)


class LineFields(NamedTuple):
    """A line's fields the plan rules read; None where the field is missing or malformed."""

    at: int  # its index in lines
    line_ref: str | None
    sku: str | None
    requested_date: date | None


def run_check(
    session: Session, settings: Settings, request: CheckRequest, now: datetime
) -> CheckResult:
    """A check: every held and confirmed promise counts; nothing is reserved.

    Read and solved in a reading transaction; only storing the answer writes (``begin_writing``),
    so checks never wait for each other's solves.
    """
    return _run_check(session, settings, request, now).result


def check_body(session: Session, settings: Settings, raw: Any, clock: Clock) -> StoredCheck:
    """``run_check`` of the JSON body ``raw``, validated whole (every error at once); with the
    JSON it was stored as, which is the answer."""
    request = parse_request(session, settings, CheckRequest, raw, now=clock())
    return _run_check(session, settings, request, clock())


def _run_check(
    session: Session, settings: Settings, request: CheckRequest, now: datetime
) -> StoredCheck:
    dated, quote = evaluate_quote(session, settings, request, reserved_now(session, now), now=now)
    begin_writing(session)
    return store_check_json(session, dated, quote, now)


def reserved_now(session: Session, now: datetime) -> Reservations:
    """What live promises take at ``now`` (cached per reservations version)."""
    return reservations_cache.live(session, database_key(session), now)


def parse_request(
    session: Session,
    settings: Settings,
    model: type[RequestT],
    raw: Any,
    *,
    now: datetime,
    more_errors: Callable[[date | None], list[FieldError]] | None = None,
) -> RequestT:
    """The JSON body ``raw`` as ``model``, or Invalid listing every error at once.

    When the body is well-typed it is returned as is: the plan-dependent rules run later, in
    ``evaluate_quote``, as they always have. Otherwise the errors are pydantic's (pointers into
    the body) plus the plan-dependent ones of every field that is itself well-formed, checked
    against the body's ``as_of`` if it parses, else today; ``more_errors`` (given that
    ``as_of``, None when absent or malformed) adds a caller's own rules.
    """
    # Validated as FastAPI validates a body, so that the errors read as they always have: the
    # numbers as floats (no field takes one, so only the messages depend on it), and
    # from_attributes for "a valid dictionary or object" on a body or line that is not one.
    body = _floats(raw)
    try:
        return model.model_validate(body, from_attributes=True)
    except ValidationError as exc:
        details = exc.errors()
    parsed: ParsedRow[RequestT] = ParsedRow(
        body, None, from_pydantic(details), frozenset(tuple(error["loc"]) for error in details)
    )
    as_of = _well_formed_date(parsed, "as_of")
    errors = list(parsed.errors)
    if more_errors is not None:
        errors += more_errors(as_of)
    lines = body.get("lines") if isinstance(body, dict) else None
    fields = [
        LineFields(
            i,
            parsed.text("lines", i, "line_ref"),
            parsed.text("lines", i, "sku"),
            _well_formed_date(parsed, "lines", i, "requested_date"),
        )
        for i in range(len(lines) if isinstance(lines, list) else 0)
    ]
    items = current_plant(session)[1].items if any(f.sku is not None for f in fields) else set()
    errors += line_errors(fields, items, as_of or today(settings, now), settings.horizon_days)
    raise Invalid("the request is not valid", errors)


def evaluate_quote(
    session: Session,
    settings: Settings,
    request: CheckRequest,
    reservations: Reservations,
    *,
    now: datetime,
    urgent: bool = False,
) -> tuple[CheckRequest, QuoteResult]:
    """The engine's answer on the current planning data with ``reservations`` taken.

    ``as_of`` defaults to the day of ``now`` (the service clock) in PROMISE_TIMEZONE. Returns
    the request with its ``as_of`` filled in, so that it can be replayed later. ``urgent``:
    under the reservations lock (``app.services.engine_slots``).
    """
    as_of = request.as_of or today(settings, now)
    version, plant = current_plant(session)
    _check_business_rules(request, plant, as_of, settings.horizon_days)
    database = database_key(session)

    def solve() -> QuoteResult:
        state = planning_cache.reserved_state(
            database,
            version,
            plant,
            as_of,
            settings.horizon_days,
            reservations=reservations,
            lineage=reservations_cache.lineage(database, reservations),
        )
        return solve_quote(state, request, settings, urgent=urgent)

    if not planning_cache.holds(database, version, plant):
        # A plant read while the data changed (see current_plant): answered, never kept.
        return request.model_copy(update={"as_of": as_of}), solve()
    key = _answer_key(
        database, version, as_of, settings, reservations=reservations, request=request
    )
    quote = answer_cache.answer(key, solve)
    return request.model_copy(update={"as_of": as_of}), quote


def answer_kept(
    session: Session,
    settings: Settings,
    request: CheckRequest,
    reservations: Reservations,
    *,
    now: datetime,
) -> QuoteResult | None:
    """The answer ``evaluate_quote`` kept for the same quote on the same state, if any (a CRM
    holds the quote it has just checked); nothing is solved."""
    as_of = request.as_of or today(settings, now)
    version, plant = current_plant(session)
    database = database_key(session)
    if not planning_cache.holds(database, version, plant):
        return None
    return answer_cache.peek(
        _answer_key(database, version, as_of, settings, reservations=reservations, request=request)
    )


def _answer_key(
    database: str,
    version: int,
    as_of: date,
    settings: Settings,
    *,
    reservations: Reservations,
    request: CheckRequest,
) -> tuple[object, ...]:
    """All an answer depends on (app.services.answer_cache)."""
    return (
        database,
        version,
        as_of,
        settings.horizon_days,
        solver_settings(settings),
        reservations,
        request.model_dump_json(exclude={"quote_ref", "as_of"}),
    )


def reserved_state(
    session: Session, settings: Settings, as_of: date, reservations: Reservations
) -> PlanningState:
    """``planning_state`` with ``reservations`` taken (the last one kept, see planning_cache)."""
    version, plant = current_plant(session)
    database = database_key(session)
    return planning_cache.reserved_state(
        database,
        version,
        plant,
        as_of,
        settings.horizon_days,
        reservations=reservations,
        lineage=reservations_cache.lineage(database, reservations),
    )


def planning_state(session: Session, settings: Settings, as_of: date) -> PlanningState:
    """The committed planning data's state for ``as_of``, nothing reserved (cached per version)."""
    version, plant = current_plant(session)
    return planning_cache.state(database_key(session), version, plant, as_of, settings.horizon_days)


def solve_quote(
    state: PlanningState,
    request: CheckRequest,
    settings: Settings,
    *,
    allocations: bool = True,
    with_options: bool = True,
    urgent: bool = False,
) -> QuoteResult:
    """The engine's answer to ``request`` on ``state`` (timed for /metrics).

    The customer's allocations limit the lines (SPEC section 7) unless ``allocations`` is
    False: a confirmed promise checked again after a data change keeps what it was given.
    The options the request asks for are computed unless ``with_options`` is False (they
    change no answer, only add what-ifs). ``urgent``: under the reservations lock, computed
    without waiting for a turn (``app.services.engine_slots``).
    """
    with engine_slots.slot(urgent=urgent), SOLVER_SECONDS.time():
        return check_quote(
            state,
            _line_requests(request),
            request.ship_complete,
            solver_settings(settings),
            customer=request.customer if allocations else None,
            options=_options_asked(request) if with_options else OptionsAsked(),
        )


def plan_on(
    session: Session,
    settings: Settings,
    request: CheckRequest,
    reservations: Reservations,
    *,
    now: datetime,
    urgent: bool = False,
) -> tuple[CheckRequest, PlannedQuote]:
    """What the quote reserves (its lines' earliest days and plans, ``plan_quote``) on the
    current planning data with ``reservations`` taken; the request with its ``as_of`` filled
    in, as ``evaluate_quote``. A hold reserves these, then explains them (``explain``).
    ``urgent``: under the reservations lock, computed without waiting for a turn
    (``app.services.engine_slots``)."""
    as_of = request.as_of or today(settings, now)
    _, plant = current_plant(session)
    _check_business_rules(request, plant, as_of, settings.horizon_days)
    state = reserved_state(session, settings, as_of, reservations)
    with engine_slots.slot(urgent=urgent):
        planned = plan_quote(
            state,
            _line_requests(request),
            request.ship_complete,
            solver_settings(settings),
            request.customer,
            options=_options_asked(request),
        )
    return request.model_copy(update={"as_of": as_of}), planned


def explain(planned: PlannedQuote, settings: Settings, *, urgent: bool = False) -> QuoteResult:
    """The whole answer of a planned quote (``explain_quote``): pure computation, no reading.
    The engine's time on the quote, its planning with it, is observed once, here. ``urgent``
    as for ``plan_on``."""
    started = time.perf_counter()
    with engine_slots.slot(urgent=urgent):
        quote = explain_quote(planned, solver_settings(settings))
    SOLVER_SECONDS.observe(planned.seconds + time.perf_counter() - started)
    return quote


def _line_requests(request: CheckRequest) -> list[LineRequest]:
    return [
        LineRequest(
            line_ref=line.line_ref,
            sku=line.sku,
            qty=line.qty,
            requested_date=line.requested_date,
        )
        for line in request.lines
    ]


def _options_asked(request: CheckRequest) -> OptionsAsked:
    return OptionsAsked(
        split="split" in request.options,
        extra_capacity="extra_capacity" in request.options,
        min_split_qty=request.min_split_qty,
    )


def store_check(
    session: Session, request: CheckRequest, quote: QuoteResult, created_at: datetime
) -> CheckResult:
    return store_check_json(session, request, quote, created_at).result


def store_check_json(
    session: Session,
    request: CheckRequest,
    quote: QuoteResult,
    created_at: datetime,
    *,
    pending: bool = False,
) -> StoredCheck:
    """Store the check; the result with the JSON it was stored as. A ``pending`` one (a
    hold's, stored with its plans before they are explained) is seen by no reader until
    ``answer_pending_check`` gives it its answer."""
    check_id = str(uuid.uuid4())
    result = to_check_result(check_id, request, quote, created_at)
    if not pending:
        CHECKS.labels(result.status).inc()
    body = result.model_dump(mode="json")
    add_check(
        session,
        check_id=check_id,
        quote_ref=request.quote_ref,
        customer=request.customer,
        as_of=quote.as_of,
        status=PENDING if pending else result.status,
        created_at=created_at,
        request=request.model_dump(mode="json"),
        result=body,
    )
    return StoredCheck(result, body)


def answer_pending_check(
    session: Session, pending: CheckResult, request: CheckRequest, quote: QuoteResult
) -> StoredCheck:
    """The answer ``quote`` of the check stored ``pending``, under its id and time."""
    result = to_check_result(pending.id, request, quote, pending.created_at)
    CHECKS.labels(result.status).inc()
    body = result.model_dump(mode="json")
    answer_check(session, pending.id, status=result.status, result=body)
    return StoredCheck(result, body)


def read_check(session: Session, check_id: str) -> CheckResult:
    row = get_check(session, check_id)
    if row is None:
        raise NotFound(f"no check with id {check_id}")
    return CheckResult.model_validate(row.result)


def today(settings: Settings, now: datetime) -> date:
    """Today in PROMISE_TIMEZONE by the service clock (never the wall clock: tests move it)."""
    return now.astimezone(settings.zone).date()


def solver_settings(settings: Settings) -> SolverSettings:
    return SolverSettings(
        time_limit_seconds=settings.solver_time_limit_seconds,
        workers=settings.solver_workers,
        while_searching=engine_slots.released,
    )


def current_plant(session: Session) -> tuple[int, Plant]:
    """The data version and its plant, from the cache unless the version changed."""
    database = database_key(session)
    version = get_data_version(session)

    def load() -> Plant | None:
        plant = load_plant(session)
        # A change committed while loading (possible under READ COMMITTED) would be cached
        # under the wrong version: then use the plant once, but do not cache it.
        return plant if get_data_version(session) == version else None

    cached = planning_cache.plant(database, version, load)
    return version, cached if cached is not None else load_plant(session)


def request_line_errors(
    session: Session, request: CheckRequest, as_of: date, horizon_days: int
) -> list[FieldError]:
    """The plan-dependent errors of a well-typed request's lines."""
    return line_errors(_line_fields(request), current_plant(session)[1].items, as_of, horizon_days)


def line_errors(
    lines: Sequence[LineFields], items: Container[str], as_of: date, horizon_days: int
) -> list[FieldError]:
    """Duplicate line_refs, unknown skus, requested dates before ``as_of`` or past the horizon;
    a field that is None (missing or malformed: it has its own error) is not checked."""
    last_day = as_of + timedelta(days=horizon_days - 1)
    errors: list[FieldError] = []
    first_line_of: dict[str, int] = {}
    for i, line_ref, sku, requested_date in lines:
        if line_ref is not None:
            first = first_line_of.setdefault(line_ref, i)
            if first != i:
                errors.append(
                    FieldError(
                        pointer("lines", i, "line_ref"),
                        f"line_ref {line_ref!r} is already used by /lines/{first}",
                    )
                )
        if sku is not None and sku not in items:
            errors.append(FieldError(pointer("lines", i, "sku"), f"unknown sku {sku}"))
        if requested_date is None:
            continue
        if requested_date < as_of:
            errors.append(
                FieldError(
                    pointer("lines", i, "requested_date"),
                    f"requested date {requested_date} is before as_of {as_of}",
                )
            )
        elif requested_date > last_day:
            errors.append(
                FieldError(
                    pointer("lines", i, "requested_date"),
                    f"requested date {requested_date} is beyond the horizon (last day {last_day})",
                )
            )
    return errors


def _check_business_rules(
    request: CheckRequest, plant: Plant, as_of: date, horizon_days: int
) -> None:
    errors = line_errors(_line_fields(request), plant.items, as_of, horizon_days)
    if errors:
        raise Invalid("the check request is not valid for this plant", errors)


def _line_fields(request: CheckRequest) -> list[LineFields]:
    return [
        LineFields(i, line.line_ref, line.sku, line.requested_date)
        for i, line in enumerate(request.lines)
    ]


def _floats(raw: Any) -> Any:
    """A copy of the JSON value with its Decimal numbers as floats, as FastAPI would have parsed
    them; without recursion, for a body may nest as deep as the JSON parser allows."""
    root = _copied(raw)
    stack = [root] if isinstance(root, dict | list) else []
    while stack:
        node = stack.pop()
        for key, value in list(node.items() if isinstance(node, dict) else enumerate(node)):
            node[key] = _copied(value)
            if isinstance(node[key], dict | list):
                stack.append(node[key])
    return root


def _copied(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _well_formed_date(parsed: ParsedRow[Any], *path: str | int) -> date | None:
    """The ISO date at ``path`` in the body as sent, if validation found no fault there."""
    text = parsed.text(*path)
    if text is None:
        return None
    try:
        value: date = _DATE.validate_python(text)
    except ValidationError:
        return None
    return value
