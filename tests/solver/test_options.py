"""Options for a late line (SPEC section 5), against independent computations: a split is the two
consecutive lines of the SPEC evaluated by the ordinary engine; extra capacity is the least cost
a brute force finds; every plan passes the validator."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from fractions import Fraction
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from app.solver import extra_capacity
from app.solver.cpsat.solve import PRESOLVED_ATTEMPT_WORK
from app.solver.document import plant_from_document
from app.solver.engine import (
    OptionsAsked,
    SolverSettings,
    check_quote,
    decide_line,
    on_time_plan,
)
from app.solver.extra_capacity import cheapest_extra_capacity, what_if
from app.solver.plant import Calendar, Expedite, Overtime, Plant, Resource
from app.solver.results import LineRequest, LineResult
from app.solver.state import PlanningState
from app.solver.validation import plan_violations
from tests.oracles.extra_capacity import cheapest, overtime_allowed_on
from tests.solver.factories import day, every_day, expeditable_raw, op, plant
from tests.solver.strategies import (
    AS_OF,
    chain_plants,
    multi_level_plants,
    overtime_plants,
    sibling_plants,
)

DETERMINISTIC = SolverSettings(time_limit_seconds=30, workers=1, random_seed=7)
SPLIT = OptionsAsked(split=True)
BOTH = OptionsAsked(split=True, extra_capacity=True)


# Chains, multi-level trees and siblings on shared resources: every way a line is decided.
_ANY_TREE = st.one_of(
    chain_plants(horizon=12), multi_level_plants(horizon=12), sibling_plants(horizon=12)
)


def _line(state: PlanningState, qty: int, requested: int) -> LineRequest:
    return LineRequest("7", "TOP", qty, state.date_of(requested))


def _check_split(state: PlanningState, qty: int, requested: int) -> None:
    line = _line(state, qty, requested)
    (answered,) = check_quote(
        state, [line], ship_complete=False, settings=DETERMINISTIC, options=SPLIT
    ).lines
    assume(not answered.feasible_on_requested_date)
    q0 = answered.qty_on_requested_date
    rest = qty - q0
    # The SPEC's two consecutive lines, by the ordinary engine, without options.
    first, second = check_quote(
        state,
        [replace(line, line_ref="7.1", qty=q0), replace(line, line_ref="7.2", qty=rest)],
        ship_complete=False,
        settings=DETERMINISTIC,
    ).lines
    splits = [o for o in answered.options or () if o.kind == "split"]
    event(f"q0 {'0' if q0 == 0 else 'some'}, rest {'dated' if second.promised_date else 'never'}")
    if q0 > 0 and second.promised_date is not None:
        (split,) = splits
        assert [(d.qty, d.date) for d in split.deliveries] == [
            (q0, first.promised_date),
            (rest, second.promised_date),
        ]
        assert first.promised_date == line.requested_date
        assert [d.plan for d in split.deliveries] == [first.plan, second.plan]
        assert [(x.line_ref, x.qty, x.requested_date) for x in split.lines] == [
            ("7.1", q0, line.requested_date),
            ("7.2", rest, second.promised_date),
        ]
        # The validator on both plans, each on the state its line sees.
        one = decide_line(state, "TOP", q0, requested, DETERMINISTIC)
        assert one.plan is not None
        assert plan_violations(state, "TOP", q0, one.plan) == []
        after = one.plan.apply_to(state)
        two = decide_line(after, "TOP", rest, requested, DETERMINISTIC)
        assert two.plan is not None
        assert plan_violations(after, "TOP", rest, two.plan) == []
        assert (one.plan.dated(state), two.plan.dated(after)) == (first.plan, second.plan)
    else:
        assert splits == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plant=chain_plants(horizon=30), qty=st.integers(2, 40), requested=st.integers(0, 29))
def test_a_split_is_two_consecutive_lines_on_chains(plant: Plant, qty: int, requested: int) -> None:
    _check_split(PlanningState.build(plant, AS_OF, 30), qty, requested)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plant=multi_level_plants(horizon=6), qty=st.integers(2, 6), requested=st.integers(0, 5))
def test_a_split_is_two_consecutive_lines_on_multi_level_plants(
    plant: Plant, qty: int, requested: int
) -> None:
    _check_split(PlanningState.build(plant, AS_OF, 6), qty, requested)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=_ANY_TREE,
    qty=st.integers(1, 8),
    requested=st.integers(0, 11),
)
def test_the_plan_of_a_line_known_on_time_is_the_line_decisions(
    plant: Plant, qty: int, requested: int
) -> None:
    """A split's first line gets its plan without its earliest day being sought: the same plan
    the line decision gives (the second line's date depends on it)."""
    state = PlanningState.build(plant, AS_OF, 12)
    decided = decide_line(state, "TOP", qty, requested, DETERMINISTIC)
    assume(decided.earliest_day is not None and decided.earliest_day <= requested)
    event(decided.method)
    assert on_time_plan(state, "TOP", qty, requested, DETERMINISTIC) == decided.plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=_ANY_TREE,
    qty=st.integers(1, 8),
    requested=st.integers(0, 11),
    guess=st.one_of(st.none(), st.integers(0, 11)),
)
def test_a_split_line_gets_the_line_decisions_day_and_plan(
    plant: Plant, qty: int, requested: int, guess: int | None
) -> None:
    """A split's second line is decided without the quantity on the requested day and with a
    guess of its day: the same earliest day and plan as the line decision, whatever the guess."""
    state = PlanningState.build(plant, AS_OF, 12)
    decided = decide_line(state, "TOP", qty, requested, DETERMINISTIC)
    event("late" if decided.earliest_day is None or decided.earliest_day > requested else "on time")
    lean = decide_line(
        state, "TOP", qty, requested, DETERMINISTIC, most_wanted=False, earliest_guess=guess
    )
    assert (lean.earliest_day, lean.plan) == (decided.earliest_day, decided.plan)


def test_a_split_needs_min_split_qty_on_time() -> None:
    small = plant(made={"TOP": (op(10, "R", 60),)}, resources={"R": every_day(120)})
    state = PlanningState.build(small, AS_OF, 30)
    line = LineRequest("1", "TOP", 5, day(0))
    (offered,) = check_quote(
        state, [line], ship_complete=False, settings=DETERMINISTIC, options=SPLIT
    ).lines
    (refused,) = check_quote(
        state,
        [line],
        ship_complete=False,
        settings=DETERMINISTIC,
        options=OptionsAsked(split=True, min_split_qty=3),
    ).lines
    assert offered.qty_on_requested_date == 2
    assert [o.detail for o in offered.options or ()] == ["Ship 2 on 30 Nov and 3 on 2 Dec."]
    assert refused.options == ()


def _comparable(line: LineResult) -> LineResult:
    """A line without its options, and its constraints by kind and subject only."""
    return replace(
        line,
        options=None,
        constraints=tuple(replace(c, detail="") for c in line.constraints),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=overtime_plants(horizon=6),
    qtys=st.lists(st.integers(1, 4), min_size=2, max_size=3),
    requested=st.integers(0, 3),
)
def test_options_change_no_answer_and_reserve_nothing(
    plant: Plant, qtys: list[int], requested: int
) -> None:
    state = PlanningState.build(plant, AS_OF, 6)
    lines = [LineRequest(str(i), "TOP", q, state.date_of(requested)) for i, q in enumerate(qtys)]
    plain = check_quote(state, lines, ship_complete=False, settings=DETERMINISTIC)
    asked = check_quote(state, lines, ship_complete=False, settings=DETERMINISTIC, options=BOTH)
    event(f"options offered: {sum(len(line.options or ()) for line in asked.lines)}")
    assert [_comparable(line) for line in asked.lines] == [_comparable(x) for x in plain.lines]
    for with_options, without in zip(asked.lines, plain.lines, strict=True):
        for said, plain_said in zip(with_options.constraints, without.constraints, strict=True):
            # Only a sentence is added, when no extra capacity can make the date.
            assert said.detail.startswith(plain_said.detail)
    assert (asked.status, asked.promise_date) == (plain.status, plain.promise_date)
    for line in asked.lines:
        assert (line.options is None) == line.feasible_on_requested_date


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=overtime_plants(horizon=6),
    qty=st.integers(1, 3),
    requested=st.integers(1, 3),
    two_solves=st.booleans(),
    without_presolve=st.booleans(),
    bounds_first=st.booleans(),
)
def test_extra_capacity_is_the_least_cost_a_brute_force_finds(
    plant: Plant,
    qty: int,
    requested: int,
    two_solves: bool,
    without_presolve: bool,
    bounds_first: bool,
) -> None:
    state = PlanningState.build(plant, AS_OF, 6)
    decision = decide_line(state, "TOP", qty, requested, DETERMINISTIC)
    assume(decision.earliest_day is None or decision.earliest_day > requested)
    # One weighted objective, or (as when the weights could overflow) two solves.
    # No work for the presolved attempt: the models are solved by the one without presolve.
    work = 0.0 if without_presolve else PRESOLVED_ATTEMPT_WORK
    # Without the bounds of app.solver.extra_bounds, CP-SAT decides every line.
    by_bounds = extra_capacity._cheapest_by_bounds if bounds_first else lambda *_, **__: None
    with (
        mock.patch("app.solver.extra_capacity._SAFE_OBJECTIVE", 0 if two_solves else 2**53),
        mock.patch("app.solver.cpsat.solve.PRESOLVED_ATTEMPT_WORK", work),
        mock.patch.object(extra_capacity, "_cheapest_by_bounds", by_bounds),
    ):
        found = cheapest_extra_capacity(state, "TOP", qty, requested, DETERMINISTIC)
    oracle = cheapest(plant, AS_OF, 6, "TOP", qty, requested, unit=30)
    event("no option" if oracle is None else f"option, {'some' if oracle.cost else 'no'} cost")
    if found is not None:
        event(f"overtime: {bool(found.extra)}, expedited: {bool(found.expedited)}")
    if oracle is None:
        assert found is None
        return
    assert found is not None
    assert (found.cost, found.overtime_minutes) == (oracle.cost, oracle.overtime_minutes)
    used = {code: np.zeros(6, dtype=np.int64) for code in plant.resources}
    for extra in found.extra:
        assert 0 < extra.minutes <= overtime_allowed_on(plant, extra.resource, day_of(extra.day))
        used[extra.resource][extra.day] += extra.minutes
    assert plan_violations(what_if(state, used), "TOP", qty, found.plan) == []
    expedited_cost = sum(
        (p.qty * _expedite(plant, p.sku).cost_per_unit for p in found.expedited), Fraction(0)
    )
    overtime_cost = sum(
        (e.minutes * _overtime(plant, e.resource).cost_per_minute for e in found.extra),
        Fraction(0),
    )
    assert found.cost == expedited_cost + overtime_cost


def day_of(n: int) -> object:
    return AS_OF + timedelta(days=n)


def _expedite(plant: Plant, sku: str) -> Expedite:
    expedite = plant.items[sku].expedite
    assert expedite is not None
    return expedite


def _overtime(plant: Plant, code: str) -> Overtime:
    overtime = plant.resources[code].overtime
    assert overtime is not None
    return overtime


def _cargo_plant(overtime: Overtime | None) -> Plant:
    """Bikes of 12 minutes each on CARGO (480 minutes on weekdays), Monday and Tuesday mostly
    booked: 120 minutes free by Tuesday, so 10 of 40 can be made by then."""
    base = plant(
        made={"BIKE": (op(10, "CARGO", 12),)},
        load=[("CARGO", 360, 0), ("CARGO", 480, 1)],
    )
    cargo = Resource("CARGO", "Cargo-bike bay", Calendar((480,) * 5 + (0, 0)), overtime)  # type: ignore[arg-type]
    return replace(base, resources={"CARGO": cargo})


def test_a_late_line_gets_both_options_in_words() -> None:
    overtime = Overtime((120, 240, 240, 240, 240, 0, 0), {}, Fraction(1))  # type: ignore[arg-type]
    state = PlanningState.build(_cargo_plant(overtime), AS_OF, 30)
    line = LineRequest("1", "BIKE", 40, day(1))
    (answered,) = check_quote(
        state, [line], ship_complete=False, settings=DETERMINISTIC, options=BOTH
    ).lines
    (plain,) = check_quote(state, [line], ship_complete=False, settings=DETERMINISTIC).lines
    assert answered.constraints == plain.constraints
    assert _comparable(answered) == _comparable(plain)
    split, extra = answered.options or ()
    assert split.detail == "Ship 10 on 1 Dec and 30 on 2 Dec."
    assert [(x.line_ref, x.qty, x.requested_date) for x in split.lines] == [
        ("1.1", 10, day(1)),
        ("1.2", 30, day(2)),
    ]
    # 360 minutes are missing; Monday allows 120 more, Tuesday 240.
    assert extra.detail == (
        "With 120 more minutes on CARGO on 30 Nov and 240 on 1 Dec, all 40 can ship on 1 Dec "
        "(extra cost 360)."
    )
    assert [(e.resource, e.date, e.minutes, e.exception_minutes) for e in extra.extra] == [
        ("CARGO", day(0), 120, 600),
        ("CARGO", day(1), 240, 720),
    ]
    assert extra.cost == 360
    assert extra.lines == (line,)
    assert [(d.qty, d.date) for d in extra.deliveries] == [(40, day(1))]


def test_no_option_when_no_overtime_can_make_the_date_and_the_constraints_say_so() -> None:
    state = PlanningState.build(_cargo_plant(None), AS_OF, 30)
    line = LineRequest("1", "BIKE", 40, day(1))
    (answered,) = check_quote(
        state,
        [line],
        ship_complete=False,
        settings=DETERMINISTIC,
        options=OptionsAsked(extra_capacity=True),
    ).lines
    assert answered.options == ()
    (capacity,) = answered.constraints
    assert capacity.kind == "capacity"
    assert capacity.detail.endswith(
        "No allowed overtime or expediting makes 1 Dec: CARGO allows no overtime."
    )


def test_expediting_a_part_is_priced_per_unit() -> None:
    state = PlanningState.build(expeditable_raw(), AS_OF, 30)
    line = LineRequest("1", "TOP", 5, day(3))
    (answered,) = check_quote(
        state, [line], ship_complete=False, settings=DETERMINISTIC, options=BOTH
    ).lines
    (extra,) = [o for o in answered.options or () if o.kind == "extra_capacity"]
    # 10 RAW needed, 4 in stock: 6 expedited at 2.5.
    assert [(p.sku, p.qty) for p in extra.expedite] == [("RAW", 6)]
    assert extra.cost == 15
    assert extra.extra == ()


@pytest.mark.parametrize(
    ("cost_per_minute", "cost_per_unit", "expected"),
    [
        (Fraction(1), Fraction(100), ((("R", 3, 60),), (), Fraction(60))),
        (Fraction(10), Fraction(1), ((), (("RAW", 2),), Fraction(2))),
    ],
)
@pytest.mark.parametrize("safe_objective", [0, 2**53], ids=["two solves", "one objective"])
def test_the_cheaper_of_overtime_and_expediting_wins(
    monkeypatch: pytest.MonkeyPatch,
    safe_objective: int,
    cost_per_minute: Fraction,
    cost_per_unit: Fraction,
    expected: tuple[object, ...],
) -> None:
    """2 units of 30 minutes on R (60 free a day, day 3 booked), needing 2 RAW bought in 3 days:
    either bought normally and made on day 3 with 60 minutes of overtime, or expedited and made
    on any earlier day without overtime."""
    base = plant(
        made={"TOP": (op(10, "R", 30),)},
        bought={"RAW": 3},
        bom={"TOP": [("RAW", 1)]},
        resources={"R": every_day(60)},
        load=[("R", 60, 3)],
    )
    overtime = Overtime((0, 0, 0, 60, 0, 0, 0), {}, cost_per_minute)  # type: ignore[arg-type]
    resource = replace(base.resources["R"], overtime=overtime)
    raw = replace(base.items["RAW"], expedite=Expedite(0, cost_per_unit))
    monkeypatch.setattr("app.solver.extra_capacity._SAFE_OBJECTIVE", safe_objective)
    state = PlanningState.build(
        replace(base, resources={"R": resource}, items=base.items | {"RAW": raw}), AS_OF, 30
    )
    found = cheapest_extra_capacity(state, "TOP", 2, 3, DETERMINISTIC)
    assert found is not None
    got = (
        tuple((e.resource, e.day, e.minutes) for e in found.extra),
        tuple((p.sku, p.qty) for p in found.expedited),
        found.cost,
    )
    assert got == expected


@pytest.mark.parametrize("status", ["FEASIBLE", "UNKNOWN"])
def test_an_unproven_extra_capacity_is_a_timeout_never_a_guess(
    monkeypatch: pytest.MonkeyPatch, status: str
) -> None:
    """CP-SAT stopped without proving the least cost: SolverTimeout (503), not an option."""
    from ortools.sat.python import cp_model  # noqa: PLC0415

    from app.solver.results import SolverTimeout  # noqa: PLC0415

    overtime = Overtime((120, 240, 240, 240, 240, 0, 0), {}, Fraction(1))  # type: ignore[arg-type]
    state = PlanningState.build(_cargo_plant(overtime), AS_OF, 30)
    # The bound of app.solver.extra_bounds proves this line without CP-SAT: here CP-SAT decides.
    monkeypatch.setattr(extra_capacity, "_cheapest_by_bounds", lambda *_, **__: None)
    monkeypatch.setattr(cp_model.CpSolver, "solve", lambda *_: getattr(cp_model, status))
    with pytest.raises(SolverTimeout, match="cheapest extra capacity"):
        cheapest_extra_capacity(state, "BIKE", 40, 1, DETERMINISTIC)


def test_an_infeasible_model_is_no_option() -> None:
    """The fast method cannot rule it out (a shared resource), CP-SAT proves it impossible."""
    made = plant(
        made={"TOP": (op(10, "R", 30),), "SUB": (op(10, "R", 30),)},
        bom={"TOP": [("SUB", 1)]},
        resources={"R": every_day(60)},
    )
    overtime = Overtime((30,) * 7, {}, Fraction(1))  # type: ignore[arg-type]
    state = PlanningState.build(
        replace(made, resources={"R": replace(made.resources["R"], overtime=overtime)}), AS_OF, 30
    )
    # 4 TOP need 4 SUB: 120 + 120 minutes on R by day 1, at most 2 * 90 = 180 with overtime.
    assert cheapest_extra_capacity(state, "TOP", 4, 1, DETERMINISTIC) is None
    # 3 need 180: exactly all of it.
    found = cheapest_extra_capacity(state, "TOP", 3, 1, DETERMINISTIC)
    assert found is not None
    assert found.overtime_minutes == 60


def test_a_split_within_an_allocation_is_two_consecutive_lines_of_the_customer() -> None:
    """The allocation (SPEC section 7) holds back 5 of 15: the rest comes with the next period,
    exactly as a second line of the same quote would."""
    doc = {
        "items": [{"sku": "A", "name": "Part", "kind": "purchased", "lead_time_days": None}],
        "inventory": [{"sku": "A", "on_hand": 30}],
        "customers": [{"customer": "ACME", "group": "G"}],
        "allocations": [
            {"ref": "AL-1", "sku": "A", "group": "G", "from": iso(0), "until": iso(4), "qty": 10},
            {"ref": "AL-2", "sku": "A", "group": "G", "from": iso(5), "until": iso(9), "qty": 10},
        ],
    }
    state = PlanningState.build(plant_from_document(doc), AS_OF, 30)
    line = LineRequest("1", "A", 15, day(2))
    (answered,) = check_quote(
        state, [line], ship_complete=False, settings=DETERMINISTIC, customer="ACME", options=BOTH
    ).lines
    first, second = check_quote(
        state,
        [replace(line, line_ref="1.1", qty=10), replace(line, line_ref="1.2", qty=5)],
        ship_complete=False,
        settings=DETERMINISTIC,
        customer="ACME",
    ).lines
    (split,) = answered.options or ()  # no overtime makes up for an allocation
    assert [(d.qty, d.date) for d in split.deliveries] == [
        (10, first.promised_date),
        (5, second.promised_date),
    ]
    assert second.promised_date == day(5)


def iso(n: int) -> str:
    return day(n).isoformat()
