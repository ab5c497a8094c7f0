"""One tiny plant per rule of SPEC section 2, decided by every method that applies."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.solver.cpsat.model import earliest_day
from app.solver.engine import LineDecision, SolverSettings, check_quote, decide_line
from app.solver.plant import Calendar, Plant
from app.solver.results import LineRequest, SolverTimeout
from app.solver.state import PlanningState
from app.solver.tree import build_tree
from app.solver.validation import plan_violations
from tests.solver.factories import MONDAY, day, every_day, op, plant

SETTINGS = SolverSettings(time_limit_seconds=20, workers=1, random_seed=1)
BOTH = pytest.mark.parametrize("force_cpsat", [False, True], ids=["auto", "cp-sat"])


def decide(p: Plant, sku: str, qty: int, requested: int, force_cpsat: bool = False) -> LineDecision:
    state = PlanningState.build(p, MONDAY, 20)
    decision = decide_line(state, sku, qty, requested, SETTINGS, force_cpsat=force_cpsat)
    if decision.plan is not None:
        assert plan_violations(state, sku, qty, decision.plan) == []
    return decision


def test_stock_atp_never_makes_a_later_commitment_short() -> None:
    p = plant(bought={"P": None}, on_hand={"P": 10}, demand=[("P", 8, 5)], supply=[("P", 6, 7)])
    state = PlanningState.build(p, MONDAY, 20)
    assert [state.stock_atp("P", d) for d in (0, 5, 6, 7)] == [2, 2, 2, 8]
    decision = decide(p, "P", 5, 0)
    assert decision.earliest_day == 7
    assert decision.qty_on_requested_day == 2


def test_moves_before_as_of_count_on_day_zero_and_past_load_takes_nothing() -> None:
    p = plant(
        bought={"P": 3},
        supply=[("P", 4, -3)],
        demand=[("P", 1, -1), ("P", 2, 40)],  # day 40 is past a 20-day horizon
        load=[("R", 480, -1), ("R", 100, 2)],
    )
    state = PlanningState.build(p, MONDAY, 20)
    assert state.projected["P"][0] == 3
    assert state.projected["P"][-1] == 3
    assert state.free["R"][0] == 480
    assert state.free["R"][2] == 380


def test_holiday_closes_every_resource_unless_it_has_an_exception() -> None:
    working = Calendar((480, 480, 480, 480, 480, 0, 0), {day(3): 120})
    p = plant(resources={"A": working, "B": every_day(480)}, holidays=[2, 3])
    state = PlanningState.build(p, MONDAY, 8)
    assert list(state.free["A"]) == [480, 480, 0, 120, 480, 0, 0, 480]
    assert list(state.free["B"]) == [480, 480, 0, 0, 480, 480, 480, 480]


@BOTH
def test_purchased_item_arrives_after_its_lead_time(force_cpsat: bool) -> None:
    p = plant(bought={"P": 4}, on_hand={"P": 3})
    decision = decide(p, "P", 5, 2, force_cpsat)
    assert decision.earliest_day == 4
    assert decision.qty_on_requested_day == 3


@BOTH
def test_lot_needs_setup_plus_rounded_up_run_minutes(force_cpsat: bool) -> None:
    # 10 + ceil(3 * 2.5) = 18 minutes, with 17 free a day: needs two days.
    p = plant(made={"T": (op(10, "R", "2.5", setup=10),)}, resources={"R": every_day(17)})
    decision = decide(p, "T", 3, 0, force_cpsat)
    assert decision.earliest_day == 1
    assert decision.plan is not None
    assert sum(m for _, m in decision.plan.lots[0].operations[0].loads) == 18
    assert decision.qty_on_requested_day == 2  # 10 + ceil(2 * 2.5) = 15 fits on day 0


@BOTH
def test_next_operation_may_work_the_day_the_previous_one_finishes(force_cpsat: bool) -> None:
    p = plant(
        made={"T": (op(10, "A", 100), op(20, "B", 100))},
        resources={"A": every_day(480), "B": every_day(480)},
    )
    assert decide(p, "T", 4, 0, force_cpsat).earliest_day == 0


@BOTH
def test_operation_cannot_work_before_the_previous_one_finishes(force_cpsat: bool) -> None:
    closed_day_1 = Calendar((480, 0, 480, 480, 480, 480, 480))
    p = plant(
        made={"T": (op(10, "A", 120), op(20, "B", 10))},
        resources={"A": every_day(480), "B": closed_day_1},
    )
    # 600 minutes on A end on day 1; B is closed that day, so B works on day 2.
    assert decide(p, "T", 5, 0, force_cpsat).earliest_day == 2


@BOTH
def test_components_are_taken_on_the_start_day(force_cpsat: bool) -> None:
    p = plant(made={"T": (op(10, "R", 10),)}, bought={"P": 3}, bom={"T": [("P", 2)]})
    decision = decide(p, "T", 4, 0, force_cpsat)
    assert decision.earliest_day == 3
    assert decision.plan is not None
    assert decision.plan.purchases[0].qty == 8
    assert decision.plan.purchases[0].day == 3


@BOTH
def test_made_component_is_handed_off_the_day_it_is_ready(force_cpsat: bool) -> None:
    p = plant(
        made={"T": (op(10, "A", 10),), "S": (op(10, "B", 10),)},
        bought={"P": 0},
        bom={"T": [("S", 1)], "S": [("P", 1)]},
        resources={"A": every_day(480), "B": every_day(480)},
    )
    decision = decide(p, "T", 5, 0, force_cpsat)
    # Separable (each item on its own resource): the fast method plans both levels.
    assert decision.method == ("cp-sat" if force_cpsat else "fast")
    assert decision.earliest_day == 0
    assert decision.plan is not None
    assert len(decision.plan.lots) == 2


def test_uses_of_one_item_share_its_stock() -> None:
    # RAW is taken by T directly and by S's lot; two units serve one T, not two.
    p = plant(
        made={"T": (op(10, "R", 1),), "S": (op(10, "R", 1),)},
        bought={"RAW": None},
        bom={"T": [("S", 1), ("RAW", 1)], "S": [("RAW", 1)]},
        on_hand={"RAW": 2},
    )
    assert decide(p, "T", 1, 0).earliest_day == 0
    assert decide(p, "T", 2, 0).earliest_day is None


@BOTH
def test_plan_is_as_late_as_possible(force_cpsat: bool) -> None:
    p = plant(made={"T": (op(10, "R", 60),)})
    decision = decide(p, "T", 4, 5, force_cpsat)
    assert decision.earliest_day == 0
    assert decision.plan is not None
    assert decision.plan.lots[0].operations[0].loads == ((5, 240),)


def test_later_lines_see_what_earlier_lines_take() -> None:
    p = plant(made={"T": (op(10, "R", 60),)}, on_hand={"T": 2})
    state = PlanningState.build(p, MONDAY, 20)
    request = LineRequest("1", "T", 10, day(1))
    result = check_quote(
        state, [request, LineRequest("2", "T", 10, day(1))], ship_complete=True, settings=SETTINGS
    )
    first, second = result.lines
    assert first.feasible_on_requested_date
    assert first.earliest_date == day(0)
    # Line 1 takes the 2 in stock and makes 8 with all of day 1 (as late as possible); line 2
    # has day 0 (480 min: 8 units) and needs 120 more minutes on day 2.
    assert second.earliest_date == day(2)
    assert second.qty_on_requested_date == 8
    assert result.status == "counter_proposal"
    assert result.promise_date == day(2)
    assert first.promised_date == day(1)
    assert first.delivery_date == day(2)
    assert second.delivery_date == day(2)


def test_solver_without_proof_is_reported_not_guessed() -> None:
    rng = np.random.default_rng(3)
    p = plant(
        made={f"M{i}": (op(10, "A", 7), op(20, "B", 3)) for i in range(6)},
        bom={f"M{i}": [(f"M{i + 1}", 2)] for i in range(5)},
        resources={"A": every_day(int(rng.integers(60, 120))), "B": every_day(90)},
    )
    state = PlanningState.build(p, MONDAY, 200)
    with pytest.raises(SolverTimeout):
        earliest_day(state, "M0", 30, (0, 199), SolverSettings(time_limit_seconds=0.001))


def test_every_missing_part_is_named_and_the_horizon_says_why() -> None:
    p = plant(
        made={"T": (op(10, "R", 1),)},
        bought={"GONE": None, "SLOW": 5},
        bom={"T": [("SLOW", 1), ("GONE", 1)]},
        on_hand={"GONE": 1},
    )
    state = PlanningState.build(p, MONDAY, 20)
    result = check_quote(
        state, [LineRequest("1", "T", 2, day(2))], ship_complete=False, settings=SETTINGS
    )
    constraints = result.lines[0].constraints
    assert [(c.kind, c.sku) for c in constraints] == [
        ("material", "SLOW"),
        ("material", "GONE"),
        ("horizon", "T"),
    ]
    assert "not enough Gone (GONE) will ever be there" in constraints[-1].detail


def test_no_lot_is_modelled_before_its_parts_can_be_there() -> None:
    """A lot takes its parts on its start day: with none in stock, not before a bought part's
    lead time, a stock arrival of at least one lot's need, or its made part's own earliest start."""
    p = plant(
        made={"TOP": (op(10, "R", 1),), "SUB": (op(10, "R", 1),), "KIT": (op(10, "R", 1),)},
        bought={"LATE": 6, "SOON": 2, "NEVER": None},
        bom={
            "TOP": [("SUB", 1), ("SOON", 1)],  # SUB can start no earlier than day 6
            "SUB": [("LATE", 1), ("NEVER", 2)],  # NEVER: 2 per unit arrive on day 4
            "KIT": [("NEVER", "0.5")],  # one unit of KIT needs 1: on hand
        },
        on_hand={"NEVER": 1},
        supply=[("NEVER", 1, 4)],
    )
    state = PlanningState.build(p, MONDAY, 20)
    top = build_tree(state, "TOP", 5).root
    (sub,) = [use.child for use in top.components if use.child is not None]
    assert sub.earliest_start == 6  # LATE's lead time; NEVER has 2 from day 4 on
    assert top.earliest_start == 6  # SOON from day 2, SUB from day 6
    assert build_tree(state, "KIT", 3).root.earliest_start == 0
    short = PlanningState.build(replace(p, supply=()), MONDAY, 20)
    # NEVER can never cover a lot's need of 2: SUB cannot start in the horizon.
    assert build_tree(short, "SUB", 5).root.earliest_start == 20
