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
from app.solver.plant import Plant, Reservations
from app.solver.results import Constraint, LineRequest, QuoteResult
from tests.oracles import lifting

SETTINGS = SolverSettings(workers=1)
GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "golden" / "bike_plant.json"
DOCUMENT = json.loads(GOLDEN.read_text())


def _as_json(value: object) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _constraint_json(constraint: Constraint) -> dict[str, Any]:
    fields = {
        "kind": constraint.kind,
        "sku": constraint.sku,
        "resource": constraint.resource,
        "from": _as_json(constraint.from_date),
        "until": _as_json(constraint.until_date),
        "detail": constraint.detail,
    }
    return {key: value for key, value in fields.items() if value is not None}


def _matches(result: QuoteResult, expect: dict[str, Any]) -> None:
    assert result.status == expect["status"]
    assert _as_json(result.promise_date) == expect["promise_date"]
    assert len(result.lines) == len(expect["lines"])
    for line, expected in zip(result.lines, expect["lines"], strict=True):
        for key, value in expected.items():
            if key == "constraints":
                # Each expected entry lists the fields it fixes (a golden case may omit detail).
                got = [_constraint_json(c) for c in line.constraints]
                assert len(got) == len(value), key
                for entry, wanted in zip(got, value, strict=True):
                    assert {k: entry.get(k) for k in wanted} == wanted, key
            else:
                assert _as_json(getattr(line, key)) == value, key


def _assert_exactly_what_binds(
    plant: Plant, as_of: date, held: list[Reservations], result: QuoteResult
) -> None:
    """Every late line, re-checked on a copy of the plant lifted as SPEC section 2 says."""
    taken = list(held)
    for line in result.lines:
        if not line.feasible_on_requested_date:
            named = lifting.named(line.constraints)
            assert named, line.line_ref
            for lifts in [named, *([e for e in named if e != one] for one in named)]:
                copy = lifting.lift(plant, lifts, as_of, line.requested_date)
                state = PlanningState.build(
                    lifting.seen(copy, taken), as_of, DOCUMENT["horizon_days"]
                )
                day = state.day_of(line.requested_date)
                decision = engine.decide_line(state, line.sku, line.qty, day, SETTINGS)
                on_time = decision.earliest_day is not None and decision.earliest_day <= day
                assert on_time == (lifts is named), (line.line_ref, lifts)
        taken.append(line.plan.reservations())


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
            state, lines, ship_complete=request["ship_complete"], settings=SETTINGS
        )
        _matches(result, step["expect"])
        _assert_exactly_what_binds(plant, state.as_of, held, result)
        if method == "cp-sat":
            assert all(line.method in {"cp-sat", "stock", "purchase"} for line in result.lines)
        if step["action"] == "hold":
            held.extend(line.plan.reservations() for line in result.lines)


def test_capacity_pushes_the_date_out_names_the_assembly_capacity() -> None:
    """The issue's story: 120 bikes on 10 Dec are late for want of frames, rims and saddles, and
    of welding and assembly time too; naming only the parts would leave the line late."""
    (case,) = [c for c in DOCUMENT["cases"] if c["title"] == "capacity pushes the date out"]
    request = case["steps"][0]["request"]
    state = PlanningState.build(
        plant_from_document(DOCUMENT["dataset"]),
        date.fromisoformat(request["as_of"]),
        DOCUMENT["horizon_days"],
    )
    (line,) = request["lines"]
    result = check_quote(
        state,
        [LineRequest("1", "BIKE", line["qty"], date.fromisoformat(line["requested_date"]))],
        ship_complete=False,
        settings=SETTINGS,
    )
    assert [_constraint_json(c) for c in result.lines[0].constraints] == [
        {
            "kind": "capacity",
            "resource": "WELD",
            "from": "2026-12-09",
            "until": "2026-12-10",
            "detail": "Welding cell (WELD) is full from 9 to 10 Dec 2026: this line needs more "
            "free minutes there.",
        },
        {
            "kind": "capacity",
            "resource": "ASSY",
            "from": "2026-12-09",
            "until": "2026-12-10",
            "detail": "Assembly (ASSY) is full from 9 to 10 Dec 2026: this line needs more free "
            "minutes there.",
        },
        {
            "kind": "material",
            "sku": "FRAME",
            "from": "2026-12-01",
            "until": "2026-12-10",
            "detail": "Only 80 Steel frame (FRAME) can be had by 10 Dec 2026; more takes 15 days "
            "to buy, so it arrives on 16 Dec 2026 at the earliest.",
        },
        {
            "kind": "material",
            "sku": "RIM",
            "from": "2026-12-01",
            "until": "2026-12-10",
            "detail": "Only 100 Rim 28in (RIM) can be had by 10 Dec 2026; more takes 20 days to "
            "buy, so it arrives on 21 Dec 2026 at the earliest.",
        },
        {
            "kind": "material",
            "sku": "SADDLE",
            "from": "2026-12-01",
            "until": "2026-12-10",
            "detail": "Only 60 Saddle (SADDLE) can be had by 10 Dec 2026, and it cannot be "
            "re-ordered within the planning horizon.",
        },
    ]
