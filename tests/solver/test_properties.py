"""Whole random plants: the methods agree with each other and with a brute force, and every plan
they return passes the independent validator."""

from __future__ import annotations

from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.solver.cpsat.solve import PRESOLVED_ATTEMPT_WORK
from app.solver.engine import SolverSettings, decide_line
from app.solver.plan import DayPlan
from app.solver.plant import Plant
from app.solver.state import PlanningState
from app.solver.validation import plan_violations
from tests.oracles.backward import LatestPlan, latest_plan
from tests.oracles.brute_force import BruteForce
from tests.oracles.planning_data import PlanningData
from tests.solver.strategies import AS_OF, chain_plants, multi_level_plants

DETERMINISTIC = SolverSettings(time_limit_seconds=30, workers=1, random_seed=7)


def _assert_valid(state: PlanningState, sku: str, qty: int, decision_plan: object) -> None:
    if decision_plan is not None:
        assert plan_violations(state, sku, qty, decision_plan) == []  # type: ignore[arg-type]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plant=chain_plants(horizon=30), qty=st.integers(1, 40), requested=st.integers(0, 29))
def test_fast_method_and_cpsat_agree_on_chains(plant: Plant, qty: int, requested: int) -> None:
    state = PlanningState.build(plant, AS_OF, 30)
    fast = decide_line(state, "TOP", qty, requested, DETERMINISTIC)
    exact = decide_line(state, "TOP", qty, requested, DETERMINISTIC, force_cpsat=True)
    # A chain with bought or stocked parts is always the fast method's to decide.
    assert fast.method == "fast"
    assert exact.method == "cp-sat"
    event(f"{'no date' if fast.earliest_day is None else 'dated'}")
    event(f"late: {fast.earliest_day is None or fast.earliest_day > requested}")
    assert fast.earliest_day == exact.earliest_day
    assert fast.qty_on_requested_day == exact.qty_on_requested_day
    _assert_valid(state, "TOP", qty, fast.plan)
    _assert_valid(state, "TOP", qty, exact.plan)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=multi_level_plants(horizon=6),
    qty=st.integers(1, 6),
    requested=st.integers(0, 5),
    without_presolve=st.booleans(),
)
def test_cpsat_matches_brute_force_on_multi_level_plants(
    plant: Plant, qty: int, requested: int, without_presolve: bool
) -> None:
    state = PlanningState.build(plant, AS_OF, 6)
    oracle = BruteForce(plant, AS_OF, 6)
    # No work for the presolved attempt: every model is solved by the one without presolve.
    work = 0.0 if without_presolve else PRESOLVED_ATTEMPT_WORK
    with mock.patch("app.solver.cpsat.solve.PRESOLVED_ATTEMPT_WORK", work):
        decision = decide_line(state, "TOP", qty, requested, DETERMINISTIC, force_cpsat=True)
    event(f"lots made: {'none' if decision.plan is None else len(decision.plan.lots)}")
    event(f"late: {decision.earliest_day is None or decision.earliest_day > requested}")
    assert decision.earliest_day == oracle.earliest("TOP", qty)
    assert decision.qty_on_requested_day == oracle.most("TOP", qty, requested)
    _assert_valid(state, "TOP", qty, decision.plan)
    auto = decide_line(state, "TOP", qty, requested, DETERMINISTIC)
    event(f"auto method: {auto.method}")
    assert auto.earliest_day == decision.earliest_day
    assert auto.qty_on_requested_day == decision.qty_on_requested_day
    _assert_valid(state, "TOP", qty, auto.plan)


@settings(max_examples=60, deadline=None)
@given(plant=multi_level_plants(horizon=8))
def test_free_minutes_and_projected_stock_follow_the_raw_data(plant: Plant) -> None:
    """Calendars, holidays, exceptions, load, supply and demand, also dated before as_of."""
    state = PlanningState.build(plant, AS_OF, 8)
    data = PlanningData(plant, AS_OF, 8)
    days = range(8)
    for code in plant.resources:
        assert list(state.free[code]) == [data.free(code, t) for t in days], code
    for sku in plant.items:
        assert list(state.projected[sku]) == [data.projected(sku, t) for t in days], sku
        assert [state.stock_atp(sku, t) for t in days] == [data.atp(sku, t) for t in days], sku


def _shape(plan: DayPlan | None) -> LatestPlan | None:
    """A plan as minutes per resource and day, stock taken and bought per item and day."""
    if plan is None:
        return None
    shape = LatestPlan()
    for lot in plan.lots:
        for op in lot.operations:
            for day, minutes in op.loads:
                key = (op.operation.resource, day)
                shape.minutes[key] = shape.minutes.get(key, 0) + minutes
    for take in plan.stock:
        shape.stock[take.sku, take.day] = shape.stock.get((take.sku, take.day), 0) + take.qty
    for buy in plan.purchases:
        shape.purchases[buy.sku, buy.day] = shape.purchases.get((buy.sku, buy.day), 0) + buy.qty
    return shape


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plant=chain_plants(horizon=30), qty=st.integers(1, 40), requested=st.integers(0, 29))
def test_chain_plans_are_the_backward_packing(plant: Plant, qty: int, requested: int) -> None:
    """SPEC section 2: the as-late-as-possible plan of a chain is unique; both methods give it."""
    state = PlanningState.build(plant, AS_OF, 30)
    for force_cpsat in (False, True):
        decision = decide_line(state, "TOP", qty, requested, DETERMINISTIC, force_cpsat=force_cpsat)
        # With no date in the horizon, not even the last day has a backward plan.
        day = 29 if decision.earliest_day is None else max(requested, decision.earliest_day)
        event(f"{'no date' if decision.earliest_day is None else 'dated'}")
        assert _shape(decision.plan) == latest_plan(plant, AS_OF, 30, "TOP", qty, day)
