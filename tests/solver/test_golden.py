"""Every golden case of the bike plant, straight through the engine (no server)."""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from app.solver import engine
from app.solver.document import plant_from_document
from app.solver.engine import PlanningState, SolverSettings, check_quote
from app.solver.plant import Reservations
from app.solver.results import LineRequest, QuoteResult

GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "golden" / "bike_plant.json"
DOCUMENT = json.loads(GOLDEN.read_text())


def _as_json(value: object) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _matches(result: QuoteResult, expect: dict[str, Any]) -> None:
    assert result.status == expect["status"]
    assert _as_json(result.promise_date) == expect["promise_date"]
    assert len(result.lines) == len(expect["lines"])
    for line, expected in zip(result.lines, expect["lines"], strict=True):
        for key, value in expected.items():
            assert _as_json(getattr(line, key)) == value, key


@pytest.mark.parametrize("method", ["auto", "cp-sat"])
@pytest.mark.parametrize("case", DOCUMENT["cases"], ids=[c["title"] for c in DOCUMENT["cases"]])
def test_golden_case(case: dict[str, Any], method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case, decided the usual way and with CP-SAT deciding every production line."""
    if method == "cp-sat":
        monkeypatch.setattr(engine, "decide_line", partial(engine.decide_line, force_cpsat=True))
    plant = plant_from_document(DOCUMENT["dataset"])
    held: list[Reservations] = []
    for step in case["steps"]:
        request = step["request"]
        state = PlanningState.build(
            plant, date.fromisoformat(request["as_of"]), DOCUMENT["horizon_days"]
        )
        state = state.with_reservations(
            Reservations(sum((r.stock for r in held), ()), sum((r.capacity for r in held), ()))
        )
        lines = [
            LineRequest(
                line["line_ref"],
                line["sku"],
                line["qty"],
                date.fromisoformat(line["requested_date"]),
            )
            for line in request["lines"]
        ]
        result = check_quote(
            state, lines, ship_complete=request["ship_complete"], settings=SolverSettings(workers=1)
        )
        _matches(result, step["expect"])
        if method == "cp-sat":
            assert all(line.method in {"cp-sat", "stock", "purchase"} for line in result.lines)
        if step["action"] == "hold":
            held.extend(line.plan.reservations() for line in result.lines)
