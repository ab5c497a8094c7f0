"""Jinja2 templates (autoescaped) and the words the pages use for the engine's answers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from app.pages.allocation_chart import group_label
from app.pages.svg import short_date
from app.schemas.check import CheckLineResult, CheckResult
from app.schemas.stats import CapacityView

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)

KIND_WORDS = {
    "stock": "not enough stock",
    "lead_time": "purchase lead time",
    "capacity": "capacity",
    "material": "material",
    "horizon": "planning horizon",
    "allocation": "customer allocation",
}


def day(value: date | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return short_date(value)


def long_day(value: date | None) -> str:
    return "-" if value is None else f"{value:%a} {short_date(value)} {value.year}"


def moment(value: datetime | None) -> str:
    return "-" if value is None else f"{short_date(value.date())} {value:%H:%M} UTC"


def days_late(line: CheckLineResult | dict[str, Any]) -> int:
    data = line if isinstance(line, dict) else line.model_dump(mode="json", by_alias=True)
    if not data["promised_date"]:
        return 0
    promised = date.fromisoformat(str(data["promised_date"]))
    return max(0, (promised - date.fromisoformat(str(data["requested_date"]))).days)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def status_words(result: CheckResult) -> str:
    """The quote's answer in words a sales rep reads in five seconds."""
    if result.status == "feasible":
        return "Can deliver as requested"
    if result.status == "infeasible" or result.promise_date is None:
        return "Cannot deliver within the horizon"
    lateness = [days_late(line) for line in result.lines]
    worst = max(lateness)
    if len(lateness) == 1:
        return f"Can deliver on {short_date(result.promise_date)}, {plural(worst, 'day')} late"
    # Several lines: the quote's date is the last line's, and lateness belongs to single lines.
    late_lines = sum(1 for days in lateness if days)
    by = f"by {plural(worst, 'day')}" if late_lines == 1 else f"by up to {plural(worst, 'day')}"
    return (
        f"Can deliver all by {short_date(result.promise_date)}; "
        f"{late_lines} of {len(lateness)} lines late {by}"
    )


def status_class(status: str) -> str:
    return {"feasible": "ok", "counter_proposal": "late"}.get(status, "no")


templates.env.filters.update(day=day, long_day=long_day, moment=moment)
templates.env.globals.update(
    status_words=status_words,
    status_class=status_class,
    days_late=days_late,
    plural=plural,
    kind_words=KIND_WORDS,
    group_label=group_label,
)


def weekly_totals(view: CapacityView) -> list[dict[str, Any]]:
    """The heat map's numbers summed per resource and 7-day block, for the table beside it."""
    rows = []
    for resource in view.resources:
        for start in range(0, len(resource.days), 7):
            week = resource.days[start : start + 7]
            rows.append(
                {
                    "code": resource.code,
                    "first": week[0].date,
                    "calendar": sum(d.calendar for d in week),
                    "firm_load": sum(d.firm_load for d in week),
                    "held": sum(d.held for d in week),
                    "confirmed": sum(d.confirmed for d in week),
                    "free": sum(d.free for d in week),
                }
            )
    return rows
