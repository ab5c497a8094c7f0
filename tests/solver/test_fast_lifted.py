"""The fast method on lifted states: what lifting makes unlimited is competed for by no lot.

A resource lifted on every day up to the delivery has more free minutes each day than the whole
tree could use, and a bought item lifted has more stock from day 0 than it could take, so a tree
that shares only those is separable on the lifted state and the fast method decides it exactly
(``Lifter.separable``, used by "what binds"). Against the brute force
on the plant lifted from the SPEC's words (tests/oracles/lifting.py): on random multi-level plants
on shared resources, with any candidates lifted, every answer the fast method gives (a plan or
"impossible") is the brute force's, its plans are valid, and it declines only where the tree is
not separable even so.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.solver import fast
from app.solver.greedy import greedy_plan
from app.solver.lifting import Candidate, Lifter, candidates, unlimited_for
from app.solver.plan import DayPlan
from app.solver.plant import Plant
from app.solver.state import PlanningState
from app.solver.validation import plan_violations
from tests.oracles import lifting
from tests.oracles.brute_force import BruteForce
from tests.solver.factories import every_day, op, plant
from tests.solver.strategies import AS_OF, multi_level_plants

HORIZON = 6


def _lifted_outcome(
    p: Plant, sku: str, qty: int, day: int, lifts: frozenset[Candidate]
) -> tuple[PlanningState, fast.Outcome, bool]:
    lifter = Lifter(PlanningState.build(p, AS_OF, HORIZON), day, unlimited_for(p, sku, qty))
    lifted_state = lifter.state(lifts)
    separable = lifter.separable(sku, lifts)
    outcome = fast.plan_line(lifted_state, sku, qty, day, separable_tree=separable)
    return lifted_state, outcome, separable


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), p=multi_level_plants(horizon=HORIZON))
def test_the_fast_method_on_a_lifted_state_answers_as_the_brute_force(
    data: st.DataObject, p: Plant
) -> None:
    sku = data.draw(st.sampled_from(["TOP", "SUB"]))
    qty = data.draw(st.integers(1, 4))
    day = data.draw(st.integers(0, HORIZON - 1))
    lifts = data.draw(st.frozensets(st.sampled_from(candidates(p, sku))))
    lifted_state, outcome, separable = _lifted_outcome(p, sku, qty, day, lifts)
    covered = not isinstance(outcome, fast.NotCovered)
    event(f"separable {separable} (on the plant {fast.separable(p, sku)}), covered {covered}")
    assert covered or not separable
    copy = lifting.lift(p, [(c.kind, c.name) for c in lifts], AS_OF, AS_OF + timedelta(day))
    truth = BruteForce(copy, AS_OF, HORIZON).feasible(sku, qty, day)
    assert not covered or isinstance(outcome, DayPlan) == truth
    assert not isinstance(outcome, DayPlan) or not plan_violations(lifted_state, sku, qty, outcome)


def test_two_items_on_one_resource_are_separable_once_it_is_lifted() -> None:
    """TOP and SUB both run on R: not separable on the plant; with R lifted the fast method
    plans both lots (on the same day if it likes), and the plan is valid."""
    p = plant(
        made={"TOP": (op(10, "R", 30),), "SUB": (op(10, "R", 30),)},
        bought={"RAW": 0},
        bom={"TOP": [("SUB", 1)], "SUB": [("RAW", 1)]},
        resources={"R": every_day(60)},
    )
    assert not fast.separable(p, "TOP")
    lifts = frozenset({Candidate("capacity", "R")})
    lifted_state, outcome, separable = _lifted_outcome(p, "TOP", 4, 0, lifts)
    assert separable
    assert isinstance(outcome, DayPlan)
    assert {lot.sku for lot in outcome.lots} == {"TOP", "SUB"}
    assert not plan_violations(lifted_state, "TOP", 4, outcome)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), p=multi_level_plants(horizon=HORIZON))
def test_a_lifter_gives_each_set_the_state_a_fresh_one_gives_whatever_was_asked_before(
    data: st.DataObject, p: Plant
) -> None:
    """Its lifted arrays are made once and shared: planning on one state it gave (the greedy
    takes minutes and stock) changes no state it gives later."""
    sku = data.draw(st.sampled_from(["TOP", "SUB"]))
    qty, day = data.draw(st.integers(1, 4)), data.draw(st.integers(0, HORIZON - 1))
    state = PlanningState.build(p, AS_OF, HORIZON)
    unlimited = unlimited_for(p, sku, qty)
    shared = Lifter(state, day, unlimited)
    for _ in range(data.draw(st.integers(1, 4))):
        lifts = data.draw(st.frozensets(st.sampled_from(candidates(p, sku))))
        got = shared.state(lifts)
        fresh = Lifter(state, day, unlimited).state(lifts)
        for name in p.resources:
            assert (got.free[name] == fresh.free[name]).all()
            assert (got.net[name] == fresh.net[name]).all()
        for item in p.items:
            assert (got.projected[item] == fresh.projected[item]).all()
            assert (got.atp[item] == fresh.atp[item]).all()
        greedy_plan(got, sku, qty, day)  # plans on it, as what binds does
