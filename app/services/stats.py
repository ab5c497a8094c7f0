"""Shared numbers of a period: what sales asked for and what operations could promise.

Both the operations page and GET /v1/stats call :func:`period_stats`, so a CRM dashboard and the
page always show the same figures.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.db.review import check_results_between, promise_statuses_between
from app.errors import FieldError, Invalid
from app.schemas.stats import GroupCount, ItemCount, KindCount, PromiseCounts, ResourceCount, Stats
from app.services.checks import current_plant, today
from app.settings import Settings

DEFAULT_PERIOD_DAYS = 30
TOP_N = 5
# Constraint kinds that name an item (the line's own or a component) rather than a resource.
ITEM_KINDS = frozenset({"stock", "lead_time", "material"})


def period_bounds(settings: Settings, since: date, until: date) -> tuple[datetime, datetime]:
    """[since 00:00, the day after until 00:00) in the service's zone, as UTC instants.

    UTC because SQLite compares stored timestamps as text in the zone they were written in (UTC).
    """
    zone = settings.zone
    start = datetime.combine(since, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def period_stats(
    session: Session,
    settings: Settings,
    now: datetime,
    since: date | None = None,
    until: date | None = None,
) -> Stats:
    until = until or today(settings, now)
    since = since or until - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if since > until:
        raise Invalid(
            "the period is empty",
            [FieldError("/query/since", f"since {since} is after until {until}")],
        )
    start, end = period_bounds(settings, since, until)
    tally = _LineTally()
    checks = 0
    allocations = current_plant(session)[1].allocations
    for result in check_results_between(session, start, end):
        checks += 1
        as_of = date.fromisoformat(result["as_of"])
        for line in result["lines"]:
            tally.add(line)
            if any(c["kind"] == "allocation" for c in line["constraints"]):
                # The group whose allocation bound, as the customer is grouped now.
                group = allocations.limiting_group(result["customer"], line["sku"], as_of)
                tally.groups[group or allocations.group_of(result["customer"])] += 1
    statuses: Counter[str] = Counter()
    for row in promise_statuses_between(session, start, end, now):
        statuses[row.status] += 1
        statuses["at_risk"] += row.at_risk and row.status in ("held", "confirmed")
    promises = PromiseCounts.model_validate(
        {name: statuses[name] for name in PromiseCounts.model_fields}
    )
    return tally.stats(since, until, checks, promises)


class _LineTally:
    """Counts over check result lines (SPEC section 3 line answers)."""

    def __init__(self) -> None:
        self.lines = 0
        self.feasible = 0
        self.without_date = 0
        self.days_late: list[int] = []
        self.kinds: Counter[str] = Counter()
        self.resources: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.groups: Counter[str] = Counter()

    def add(self, line: dict[str, Any]) -> None:
        self.lines += 1
        if line["feasible_on_requested_date"]:
            self.feasible += 1
            return
        if line["promised_date"] is None:
            self.without_date += 1
        else:
            late = date.fromisoformat(line["promised_date"]) - date.fromisoformat(
                line["requested_date"]
            )
            self.days_late.append(late.days)
        # A line counts once per resource or item that bound it, however many windows it lists.
        constraints = line["constraints"]
        self.kinds.update({c["kind"] for c in constraints})
        self.resources.update({c["resource"] for c in constraints if c.get("resource")})
        self.items.update(
            {c["sku"] for c in constraints if c.get("sku") and c["kind"] in ITEM_KINDS}
        )

    def stats(self, since: date, until: date, checks: int, promises: PromiseCounts) -> Stats:
        late = self.days_late
        return Stats(
            since=since,
            until=until,
            checks=checks,
            quote_lines=self.lines,
            lines_feasible_on_requested_date=self.feasible,
            share_feasible_on_requested_date=self.feasible / self.lines if self.lines else None,
            lines_pushed_out=len(late),
            lines_without_date=self.without_date,
            mean_days_pushed_out=round(sum(late) / len(late), 1) if late else None,
            worst_days_pushed_out=max(late) if late else None,
            binding_kinds=[KindCount(kind=k, lines=n) for k, n in _top(self.kinds)],
            binding_resources=[ResourceCount(resource=r, lines=n) for r, n in _top(self.resources)],
            binding_items=[ItemCount(sku=s, lines=n) for s, n in _top(self.items)],
            binding_allocations=[
                GroupCount(group=g, lines=n) for g, n in sorted(self.groups.items())
            ],
            promises=promises,
        )


def _top(counter: Counter[str]) -> list[tuple[str, int]]:
    # Ties by name, so the order is stable between calls.
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
