"""Small keyword-default builders of test data, and the golden file."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GOLDEN_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "golden" / "bike_plant.json"
# Nine in the morning of the golden plant's day 0 (``check_request``'s as_of): a service clock
# for tests that hold, since a hold cannot start in the past whatever the date is.
GOLDEN_MORNING = datetime(2026, 12, 1, 9, tzinfo=UTC)


def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN_PATH.read_text(encoding="utf-8"))
    return data


def golden_dataset() -> dict[str, Any]:
    return copy.deepcopy(golden()["dataset"])


def check_request(**overrides: Any) -> dict[str, Any]:
    line = {"line_ref": "1", "sku": "BIKE", "qty": 10, "requested_date": "2026-12-08"}
    line |= overrides.pop("line", {})
    body: dict[str, Any] = {
        "quote_ref": "Q-1",
        "customer": "ACME",
        "as_of": "2026-12-01",
        "ship_complete": False,
        "lines": [line],
    }
    return body | overrides


def sorted_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A dataset document in a canonical order, to compare documents up to order."""

    def key(row: Any) -> str:
        return json.dumps(row, sort_keys=True)

    result: dict[str, Any] = {}
    for name, rows in doc.items():
        rows_copy = copy.deepcopy(rows)
        for row in rows_copy:
            if isinstance(row, dict) and "calendar" in row:
                row["calendar"]["exceptions"].sort(key=key)
            if isinstance(row, dict) and "operations" in row:
                row["operations"].sort(key=key)
        result[name] = sorted(rows_copy, key=key)
    return result
