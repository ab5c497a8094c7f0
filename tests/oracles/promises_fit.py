"""Do the live promises not at risk fit together? Judged from the exported dataset document and
the promises as the API shows them, by SPEC section 2's words alone: it shares no code with the
engine (not even the Plant), so a bug in the service's own bookkeeping cannot hide here.

- free minutes of a resource on a day: its calendar (weekly minutes; a holiday closes the day
  unless an exception names it; an exception replaces the day) minus the load booked that day,
  never below 0; the promises' minutes on that day must not exceed it;
- projected stock of an item on day t: on hand + supply dated <= t - demand dated <= t - what
  the promises take dated <= t; from the first day they take it on, it must never be below 0.
Days run from ``as_of`` for ``horizon_days``; minutes before ``as_of`` are past.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def misfits(
    dataset: dict[str, Any], promises: list[dict[str, Any]], as_of: date, horizon_days: int
) -> list[str]:
    """Sentences on what ``promises`` take beyond what exists; empty when they fit together."""
    days = [as_of + timedelta(days=d) for d in range(horizon_days)]
    stock = [s for p in promises for s in p["reservations"]["stock"]]
    capacity = [c for p in promises for c in p["reservations"]["capacity"]]
    return _minutes_over(dataset, capacity, days) + _stock_short(dataset, stock, days)


def _minutes_over(
    dataset: dict[str, Any], capacity: list[dict[str, Any]], days: list[date]
) -> list[str]:
    holidays = {date.fromisoformat(day) for day in dataset["holidays"]}
    codes = {resource["code"] for resource in dataset["resources"]}
    found = [f"{c['resource']} is not a resource" for c in capacity if c["resource"] not in codes]
    for resource in dataset["resources"]:
        calendar = resource["calendar"]
        exceptions = {date.fromisoformat(e["date"]): e["minutes"] for e in calendar["exceptions"]}
        for day in days:
            if day in exceptions:
                minutes = exceptions[day]
            elif day in holidays:
                minutes = 0
            else:
                minutes = calendar["weekly_minutes"][day.weekday()]
            booked = sum(
                row["minutes"]
                for row in dataset["load"]
                if row["resource"] == resource["code"] and date.fromisoformat(row["date"]) == day
            )
            promised = sum(
                c["minutes"]
                for c in capacity
                if c["resource"] == resource["code"] and date.fromisoformat(c["date"]) == day
            )
            if promised > max(0, minutes - booked):
                found.append(
                    f"{resource['code']} on {day}: {promised} minutes promised, "
                    f"{max(0, minutes - booked)} free"
                )
    return found


def _stock_short(
    dataset: dict[str, Any], stock: list[dict[str, Any]], days: list[date]
) -> list[str]:
    skus = {item["sku"] for item in dataset["items"]}
    found = [f"{s['sku']} is not an item" for s in stock if s["sku"] not in skus]
    on_hand = {row["sku"]: row["on_hand"] for row in dataset["inventory"]}
    for sku in sorted(skus):
        takes = [(date.fromisoformat(s["date"]), s["qty"]) for s in stock if s["sku"] == sku]
        taken_in_horizon = [when for when, qty in takes if qty > 0 and when <= days[-1]]
        if not taken_in_horizon:
            continue
        first = max(min(taken_in_horizon), days[0])
        for day in days:
            if day < first:
                continue
            projected = (
                on_hand.get(sku, 0)
                + sum(r["qty"] for r in dataset["supply"] if r["sku"] == sku and _on(r) <= day)
                - sum(r["qty"] for r in dataset["demand"] if r["sku"] == sku and _on(r) <= day)
                - sum(qty for when, qty in takes if when <= day)
            )
            if projected < 0:
                found.append(f"{sku} is {-projected} short on {day}")
                break
    return found


def _on(row: dict[str, Any]) -> date:
    return date.fromisoformat(row["date"])
