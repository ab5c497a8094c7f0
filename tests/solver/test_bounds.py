"""The bounds method (app.solver.bounds and app.solver.greedy): its lower bounds never pass the
truth, its greedy plans are real plans, and the answers it proves, or leaves to CP-SAT, agree
with a brute force written from the SPEC and with CP-SAT on random plants with shared
resources."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.solver import greedy
from app.solver.bounds import relaxation_fits, relaxed_earliest_day, relaxed_most_qty
from app.solver.document import plant_from_document
from app.solver.engine import SolverSettings, decide_line
from app.solver.greedy import greedy_plan
from app.solver.plant import Calendar, Plant
from app.solver.state import PlanningState
from app.solver.validation import plan_violations
from bench.plants import generate_plant
from tests.oracles.brute_force import BruteForce
from tests.solver.factories import MONDAY, every_day, op, plant
from tests.solver.strategies import AS_OF, multi_level_plants, sibling_plants

DETERMINISTIC = SolverSettings(time_limit_seconds=30, workers=1, random_seed=7)
HORIZON = 6


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=st.one_of(multi_level_plants(horizon=HORIZON), sibling_plants(horizon=HORIZON)),
    qty=st.integers(1, 6),
    requested=st.integers(0, HORIZON - 1),
)
def test_bounds_and_greedy_plans_against_the_brute_force(
    plant: Plant, qty: int, requested: int
) -> None:
    state = PlanningState.build(plant, AS_OF, HORIZON)
    oracle = BruteForce(plant, AS_OF, HORIZON)
    earliest = oracle.earliest("TOP", qty)
    most = oracle.most("TOP", qty, requested)

    # The relaxation calls nothing impossible that is possible.
    possible = {day: oracle.feasible("TOP", qty, day) for day in range(HORIZON)}
    assert all(relaxation_fits(state, "TOP", qty, day) for day, ok in possible.items() if ok)
    low = relaxed_earliest_day(state, "TOP", qty)
    assert earliest is None or (low is not None and low <= earliest)
    assert relaxed_most_qty(state, "TOP", qty, requested) >= most

    # Every greedy plan is a real plan: valid, and on a day that is possible.
    planned = {day: greedy_plan(state, "TOP", qty, day) for day in range(HORIZON)}
    found = {day: plan for day, plan in planned.items() if plan is not None}
    assert all(plan_violations(state, "TOP", qty, plan) == [] for plan in found.values())
    assert all(possible[day] for day in found)
    event(
        f"greedy declines a possible day: {any(ok and day not in found for day, ok in possible.items())}"
    )

    decision = decide_line(state, "TOP", qty, requested, DETERMINISTIC)
    event(f"decided by {decision.method}")
    assert decision.earliest_day == earliest
    assert decision.qty_on_requested_day == most
    assert decision.plan is None or plan_violations(state, "TOP", qty, decision.plan) == []

    # Where the greedy finds nothing, CP-SAT decides between the bounds: forced here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(greedy.GreedyProbe, "plan", lambda *_: None)
        declined = decide_line(state, "TOP", qty, requested, DETERMINISTIC)
    assert (declined.earliest_day, declined.qty_on_requested_day) == (earliest, most)
    assert declined.plan is None or plan_violations(state, "TOP", qty, declined.plan) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    pick=st.integers(0, 1_000),
    qty=st.integers(5, 200),
    requested=st.integers(0, 60),
)
def test_bounds_agree_with_cpsat_on_generated_plants(
    seed: int, pick: int, qty: int, requested: int
) -> None:
    """Small generated plants: several levels, shared components and resources, real calendars."""
    doc = generate_plant(16, 3, 3, 80, seed=seed, as_of=AS_OF)
    state = PlanningState.build(plant_from_document(doc), AS_OF, 120)
    made = sorted(sku for sku, item in state.plant.items.items() if item.kind == "manufactured")
    sku = made[pick % len(made)]
    auto = decide_line(state, sku, qty, requested, DETERMINISTIC)
    exact = decide_line(state, sku, qty, requested, DETERMINISTIC, force_cpsat=True)
    event(f"decided by {auto.method}")
    assert exact.method == "cp-sat"
    assert (auto.earliest_day, auto.qty_on_requested_day) == (
        exact.earliest_day,
        exact.qty_on_requested_day,
    )
    assert auto.plan is None or plan_violations(state, sku, qty, auto.plan) == []
    assert (auto.plan is None) == (exact.plan is None)
    assert auto.plan is None or auto.plan.delivery_day == max(requested, auto.earliest_day or 0)


def test_the_greedy_leaves_shared_stock_to_the_need_that_cannot_wait_for_a_purchase() -> None:
    # RAW goes into TOP and into SUB. SUB's resource works on day 0 only, so SUB starts on day 0,
    # before RAW can be bought (lead time 3): SUB needs the one RAW in stock. TOP, due on day 5,
    # is served first (latest deadline) and would take that stock; it can buy RAW instead.
    p = plant(
        made={"TOP": (op(10, "R", 1),), "SUB": (op(10, "S", 1),)},
        bought={"RAW": 3},
        bom={"TOP": [("SUB", 1), ("RAW", 1)], "SUB": [("RAW", 1)]},
        resources={"R": every_day(480), "S": Calendar((480, 0, 0, 0, 0, 0, 0))},
        on_hand={"RAW": 1},
    )
    state = PlanningState.build(p, MONDAY, 14)

    found = greedy_plan(state, "TOP", 1, 5)

    assert found is not None
    assert plan_violations(state, "TOP", 1, found) == []
    assert [(t.sku, t.day, t.qty) for t in found.stock] == [("RAW", 0, 1)]
    assert [(b.sku, b.day, b.qty) for b in found.purchases] == [("RAW", 5, 1)]


def test_the_greedy_moves_a_parent_ahead_when_moving_its_lot_ahead_was_not_enough() -> None:
    # S and SUB1 share Q (one lot a day) and are both due on TOP's start day, S first in the
    # BOM, so SUB1 gets the day before; then SUB2 (due that day) starts before RAW can arrive
    # (lead time 5). SUB2 has no siblings to pass: SUB1 must be packed before S.
    p = plant(
        made={
            "TOP": (op(10, "R", 1),),
            "S": (op(10, "Q", 10),),
            "SUB1": (op(10, "Q", 10),),
            "SUB2": (op(10, "P", 1),),
        },
        bought={"RAW": 5},
        bom={"TOP": [("S", 1), ("SUB1", 1)], "SUB1": [("SUB2", 1)], "SUB2": [("RAW", 1)]},
        resources={"R": every_day(480), "Q": every_day(10), "P": every_day(480)},
    )
    state = PlanningState.build(p, MONDAY, 14)

    found = greedy_plan(state, "TOP", 1, 5)

    assert found is not None
    assert plan_violations(state, "TOP", 1, found) == []
    assert {lot.sku: lot.start_day for lot in found.lots} == {
        "TOP": 5,
        "SUB1": 5,
        "S": 4,
        "SUB2": 5,
    }
