"""A plant where only a known number of holds can fit: one stock-limited item that can never be
re-ordered, and one capacity-limited item made on a resource with few minutes in the horizon."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

AS_OF = date(2027, 1, 4)  # a Monday
HORIZON_DAYS = 10
STOCK_UNITS = 25  # STOCKED: 25 units, never re-ordered
MINUTES_PER_DAY = 60  # MADE: one 60-minute unit a day on CELL, every day
CAPACITY_UNITS = HORIZON_DAYS


def servers_as_of() -> date:
    """For real server processes (real clock): AS_OF, or tomorrow once AS_OF has passed."""
    return max(AS_OF, datetime.now(UTC).date() + timedelta(days=1))


def scarce_dataset() -> dict[str, Any]:
    return {
        "holidays": [],
        "items": [
            {"sku": "STOCKED", "name": "Stocked part", "kind": "purchased", "lead_time_days": None},
            {"sku": "MADE", "name": "Made to order", "kind": "manufactured"},
        ],
        "resources": [
            {
                "code": "CELL",
                "name": "Work cell",
                "calendar": {"weekly_minutes": [MINUTES_PER_DAY] * 7, "exceptions": []},
            }
        ],
        "routings": [
            {
                "sku": "MADE",
                "operations": [
                    {"seq": 10, "resource": "CELL", "setup_minutes": 0, "run_minutes_per_unit": 60}
                ],
            }
        ],
        "bom": [],
        "inventory": [{"sku": "STOCKED", "on_hand": STOCK_UNITS}],
        "supply": [],
        "demand": [],
        "load": [],
    }


def one_unit(
    sku: str, quote_ref: str, *, day: int = HORIZON_DAYS - 1, as_of: date = AS_OF
) -> dict[str, Any]:
    """A quote for one unit, requested on the last day of the horizon (any earlier date will do)."""
    return {
        "quote_ref": quote_ref,
        "customer": "ACME",
        "as_of": as_of.isoformat(),
        "ship_complete": False,
        "lines": [
            {
                "line_ref": "1",
                "sku": sku,
                "qty": 1,
                "requested_date": (as_of + timedelta(days=day)).isoformat(),
            }
        ],
    }
