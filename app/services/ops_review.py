"""The operations review: what was rejected or pushed out and why, what sales has committed,
what capacity is left, and the shared numbers of a period, in one read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.promises import PromiseRow, as_utc, effective_status
from app.db.review import count_live_promises, live_promises
from app.errors import FieldError, Invalid
from app.schemas.allocations import AllocationList
from app.schemas.check import CheckList, CheckResult, ExtraMinutesOut
from app.schemas.events import HistoryEntry
from app.schemas.stats import CapacityView, Stats
from app.services.allocations import allocation_status
from app.services.capacity_view import capacity_view
from app.services.check_listing import list_checks
from app.services.events import history
from app.services.stats import period_bounds, period_stats
from app.settings import Settings

PAGE_SIZE = 20
LIVE_PROMISES_SHOWN = 50


@dataclass(frozen=True, slots=True)
class ReviewQuery:
    """The filters of the page; dates are days in the service's zone, inclusive."""

    sku: str | None = None
    customer: str | None = None
    since: date | None = None
    until: date | None = None
    # next_cursor of the previous page of the review list (GET /v1/checks paging).
    cursor: str | None = None
    stats_since: date | None = None
    stats_until: date | None = None
    capacity_days: int = 28


@dataclass(frozen=True, slots=True)
class PromiseSummary:
    id: str
    quote_ref: str
    customer: str
    status: str
    created_at: datetime
    expires_at: datetime
    promise_date: date | None
    check_id: str
    lines: list[dict[str, Any]]
    at_risk_since: datetime | None
    at_risk_reason: str | None
    at_risk_earliest_date: date | None
    history: list[HistoryEntry]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A late line's extra-capacity option (SPEC section 5): the minutes that would make it."""

    check_id: str
    quote_ref: str
    customer: str
    line_ref: str
    sku: str
    qty: int
    requested_date: date
    detail: str
    extra: list[ExtraMinutesOut]

    def exceptions(self) -> list[dict[str, Any]]:
        """The calendar exceptions that add the minutes (PUT /v1/resources/{code}/exceptions/{date})."""
        return [
            {"resource": e.resource, "date": e.date.isoformat(), "minutes": e.exception_minutes}
            for e in self.extra
        ]


@dataclass(frozen=True, slots=True)
class OpsReview:
    checks: list[CheckResult]
    next_cursor: str | None
    promises: list[PromiseSummary]
    live_promises: int
    capacity: CapacityView
    stats: Stats | None
    allocations: AllocationList
    errors: list[FieldError] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)

    def proposed_minutes(self) -> dict[tuple[str, date], int]:
        """The most overtime any proposal asks for, per resource and day (for the capacity
        picture): proposals are alternatives, each on the data its check saw."""
        minutes: dict[tuple[str, date], int] = {}
        for proposal in self.proposals:
            for extra in proposal.extra:
                key = (extra.resource, extra.date)
                minutes[key] = max(minutes.get(key, 0), extra.minutes)
        return minutes


def ops_review(
    session: Session, settings: Settings, now: datetime, query: ReviewQuery
) -> OpsReview:
    errors: list[FieldError] = []
    since, until = query.since, query.until
    if since and until and since > until:
        errors.append(FieldError("/query/since", f"since {since} is after until {until}"))
        since = until = None
    start, end = _open_bounds(settings, since, until)
    # The same listing as GET /v1/checks?outcome=rejected, so both sides see the same rows.
    listing = _rejected_checks(session, settings, query, start, end)
    stats = None
    try:
        stats = period_stats(session, settings, now, query.stats_since, query.stats_until)
    except Invalid as exc:
        errors += [
            FieldError(e.pointer.replace("/query/", "/query/stats_"), e.message) for e in exc.errors
        ]
    shown = live_promises(session, now, LIVE_PROMISES_SHOWN)
    entries = history(session, [row.id for row in shown])
    return OpsReview(
        checks=listing.items,
        next_cursor=listing.next_cursor,
        promises=[_summary(row, now, entries[row.id]) for row in shown],
        live_promises=count_live_promises(session, now),
        capacity=capacity_view(session, settings, now, days=query.capacity_days),
        stats=stats,
        allocations=allocation_status(session, settings, now),
        errors=errors,
        proposals=proposals(listing.items),
    )


def proposals(checks: list[CheckResult]) -> list[Proposal]:
    """The extra-capacity options with overtime among late lines of these checks (newest
    first), one per quote and line: the newest check of a quote says what it needs now."""
    found = []
    seen: set[tuple[str, str, str]] = set()
    for check in checks:
        for line in check.lines:
            key = (check.customer, check.quote_ref, line.line_ref)
            for option in line.options or ():
                if option.kind == "extra_capacity" and option.extra and key not in seen:
                    seen.add(key)
                    found.append(
                        Proposal(
                            check_id=check.id,
                            quote_ref=check.quote_ref,
                            customer=check.customer,
                            line_ref=line.line_ref,
                            sku=line.sku,
                            qty=line.qty,
                            requested_date=line.requested_date,
                            detail=option.detail,
                            extra=option.extra,
                        )
                    )
    return found


def _rejected_checks(
    session: Session,
    settings: Settings,
    query: ReviewQuery,
    start: datetime | None,
    end: datetime | None,
) -> CheckList:
    def page(cursor: str | None) -> CheckList:
        return list_checks(
            session,
            settings,
            outcome="rejected",
            sku=query.sku,
            customer=query.customer,
            since=start,
            until=end,
            limit=PAGE_SIZE,
            cursor=cursor,
        )

    try:
        return page(query.cursor)
    except Invalid:
        # A cursor mangled in the address bar: start again from the newest.
        return page(None)


def _open_bounds(
    settings: Settings, since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    start = period_bounds(settings, since, since)[0] if since else None
    end = period_bounds(settings, until, until)[1] if until else None
    return start, end


def _summary(row: PromiseRow, now: datetime, entries: list[HistoryEntry]) -> PromiseSummary:
    result = row.result
    promise_date = result.get("promise_date")
    return PromiseSummary(
        id=row.id,
        quote_ref=row.quote_ref,
        customer=row.customer,
        status=effective_status(row, now),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        promise_date=date.fromisoformat(promise_date) if promise_date else None,
        check_id=row.check_id,
        lines=list(result.get("lines", [])),
        at_risk_since=as_utc(row.at_risk_since) if row.at_risk_since else None,
        at_risk_reason=row.at_risk_reason,
        at_risk_earliest_date=row.at_risk_earliest_date,
        history=entries,
    )
