"""The extra_capacity option proven by bounds (app/solver/extra_bounds.py): its lower bound never
exceeds the least cost and minutes the brute force finds; where the method answers, its answer
is the brute force's and CP-SAT's, and its plan passes the validator; where it declines, CP-SAT
decides (the cases are counted, so that both kinds are seen)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from app.solver import extra_capacity
from app.solver.bounds import relaxed_needs
from app.solver.engine import SolverSettings, decide_line
from app.solver.extra_bounds import _chain_bound, least_extra
from app.solver.extra_capacity import (
    ExtraCapacity,
    cheapest_extra_capacity,
    what_if,
)
from app.solver.plant import Calendar, Expedite, Overtime, Plant, Resource
from app.solver.state import PlanningState
from app.solver.tree import items_and_resources
from app.solver.validation import plan_violations
from tests.oracles.extra_capacity import cheapest
from tests.solver.factories import every_day, expeditable_raw, op, plant
from tests.solver.strategies import AS_OF, overtime_plants

DETERMINISTIC = SolverSettings(time_limit_seconds=30, workers=1, random_seed=7)
HORIZON = 6


def _late(plant: Plant, qty: int, requested: int) -> PlanningState:
    """The plant's state, for a line of TOP late on its requested day (else the example is
    not one for options)."""
    state = PlanningState.build(plant, AS_OF, HORIZON)
    decision = decide_line(state, "TOP", qty, requested, DETERMINISTIC)
    assume(decision.earliest_day is None or decision.earliest_day > requested)
    return state


def _widest(state: PlanningState, sku: str) -> PlanningState:
    skus, resources = items_and_resources(state.plant, sku)
    allowed = {code: state.overtime[code] for code in sorted(resources)}
    return what_if(state, allowed, skus)


def _by_each_method(
    state: PlanningState, qty: int, requested: int
) -> tuple[ExtraCapacity | None, ExtraCapacity | None, bool]:
    """The option found with the bounds tried first, without them (CP-SAT), and whether the
    bounds answered the first."""
    answered: list[ExtraCapacity | None] = []
    real = extra_capacity._cheapest_by_bounds

    def spy(*args: object, **kwargs: object) -> ExtraCapacity | None:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        answered.append(found)
        return found

    with mock.patch.object(extra_capacity, "_cheapest_by_bounds", spy):
        first = cheapest_extra_capacity(state, "TOP", qty, requested, DETERMINISTIC)
    with mock.patch.object(extra_capacity, "_cheapest_by_bounds", return_value=None):
        by_cpsat = cheapest_extra_capacity(state, "TOP", qty, requested, DETERMINISTIC)
    return first, by_cpsat, any(found is not None for found in answered)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plant=overtime_plants(horizon=HORIZON), qty=st.integers(1, 3), requested=st.integers(1, 3))
def test_the_bound_never_exceeds_the_least_cost_and_minutes(
    plant: Plant, qty: int, requested: int
) -> None:
    state = _late(plant, qty, requested)
    oracle = cheapest(plant, AS_OF, HORIZON, "TOP", qty, requested, unit=30)
    bound = least_extra(state, _widest(state, "TOP"), "TOP", qty, requested)
    if oracle is None:
        event("no option")
        return  # nothing to be below; the method then finds no plan to meet it
    assert bound is not None  # a plan exists on the widest state, so the relaxation has one
    assert bound.cost <= oracle.cost
    assert bound.minutes <= oracle.overtime_minutes
    met = (bound.cost, bound.minutes) == (oracle.cost, oracle.overtime_minutes)
    event(f"option, {bound.by} bound {'met' if met else 'below'}")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=st.one_of(overtime_plants(horizon=HORIZON), overtime_plants(HORIZON, chained=True)),
    qty=st.integers(1, 3),
    requested=st.integers(1, 3),
)
def test_where_the_bounds_answer_they_agree_with_cpsat_and_the_brute_force(
    plant: Plant, qty: int, requested: int
) -> None:
    state = _late(plant, qty, requested)
    found, by_cpsat, by_bounds = _by_each_method(state, qty, requested)
    oracle = cheapest(plant, AS_OF, HORIZON, "TOP", qty, requested, unit=30)
    bound = least_extra(state, _widest(state, "TOP"), "TOP", qty, requested)
    event(
        f"bounds answered ({bound.by if bound else '?'})"
        if by_bounds
        else "bounds declined: CP-SAT decided"
    )
    if oracle is None:
        assert found is None
        assert by_cpsat is None
        return
    assert found is not None
    assert by_cpsat is not None
    expected = (oracle.cost, oracle.overtime_minutes)
    assert (found.cost, found.overtime_minutes) == expected
    assert (by_cpsat.cost, by_cpsat.overtime_minutes) == expected
    used = {code: np.zeros(HORIZON, dtype=np.int64) for code in plant.resources}
    for extra in found.extra:
        used[extra.resource][extra.day] += extra.minutes
    assert plan_violations(what_if(state, used), "TOP", qty, found.plan) == []


def _short_press(overtime: Overtime, load: list[tuple[str, int, int]]) -> PlanningState:
    """Lots of 30 minutes a unit on PRESS (120 minutes a day), some days booked."""
    base = plant(made={"TOP": (op(10, "PRESS", 30),)}, load=load)
    press = Resource("PRESS", "Press", Calendar((120,) * 7), overtime)  # type: ignore[arg-type]
    return PlanningState.build(replace(base, resources={"PRESS": press}), AS_OF, 10)


def test_one_resource_short_is_proven_by_the_bound_on_its_latest_days() -> None:
    # 10 units by day 2: 300 minutes, 360 on the calendar less 120 booked on day 1: 60 short.
    state = _short_press(Overtime((60,) * 7, {}, Fraction(2)), [("PRESS", 120, 1)])  # type: ignore[arg-type]
    bound = least_extra(state, _widest(state, "TOP"), "TOP", 10, 2)
    assert bound is not None
    assert (bound.minutes, bound.cost, bound.expedited) == (60, Fraction(120), {})
    found, by_cpsat, by_bounds = _by_each_method(state, 10, 2)
    assert by_bounds
    assert found is not None
    assert by_cpsat is not None
    assert [(e.resource, e.day, e.minutes) for e in found.extra] == [("PRESS", 2, 60)]
    assert (found.cost, found.overtime_minutes) == (by_cpsat.cost, by_cpsat.overtime_minutes)


def test_a_part_only_expediting_can_bring_is_bounded_by_its_units() -> None:
    state = PlanningState.build(expeditable_raw(), AS_OF, 30)
    bound = least_extra(state, _widest(state, "TOP"), "TOP", 5, 3)
    assert bound is not None
    # 10 RAW for the lot, 4 in stock: 6 expedited at 2.5, and no overtime.
    assert (bound.overtime, bound.expedited, bound.cost) == ({}, {"RAW": 6}, Fraction(15))
    found, _, by_bounds = _by_each_method(state, 5, 3)
    assert by_bounds
    assert found is not None
    assert [(p.sku, p.qty) for p in found.expedited] == [("RAW", 6)]


def test_a_plan_above_the_bound_is_not_taken_as_proven() -> None:
    """SUB takes 2 RAW a unit; 1 RAW arrives on day 3, the normal lead time is 10 days. Alone
    (the bound), SUB could start on day 3 and expedite 1; but TOP needs all of day 3 on R, so
    SUB starts on day 2, before RAW arrives, and both RAW are expedited."""
    base = plant(
        made={"TOP": (op(10, "R", 60),), "SUB": (op(10, "R", 60),)},
        bought={"RAW": 10},
        bom={"TOP": [("SUB", 1)], "SUB": [("RAW", 2)]},
        resources={"R": every_day(60)},
        supply=[("RAW", 1, 3)],
    )
    raw = replace(base.items["RAW"], expedite=Expedite(0, Fraction(1)))
    state = PlanningState.build(replace(base, items=base.items | {"RAW": raw}), AS_OF, 10)
    bound = least_extra(state, _widest(state, "TOP"), "TOP", 1, 3)
    assert bound is not None
    assert (bound.expedited, bound.cost) == ({"RAW": 1}, Fraction(1))
    found, by_cpsat, by_bounds = _by_each_method(state, 1, 3)
    assert not by_bounds
    assert found is not None
    assert by_cpsat == found
    assert [(p.sku, p.qty) for p in found.expedited] == [("RAW", 2)]
    assert found.cost == 2


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plant=overtime_plants(horizon=HORIZON, chained=True),
    qty=st.integers(1, 3),
    requested=st.integers(1, 3),
)
def test_the_chain_bound_never_exceeds_the_least_cost_then_minutes(
    plant: Plant, qty: int, requested: int
) -> None:
    """Whether or not it is the larger bound: (cost, minutes) of every plan are at least it."""
    state = _late(plant, qty, requested)
    widest = _widest(state, "TOP")
    needs = relaxed_needs(widest, "TOP", qty, requested)
    chained = None if needs is None else _chain_bound(state, widest, needs, requested)
    oracle = cheapest(plant, AS_OF, HORIZON, "TOP", qty, requested, unit=30)
    if chained is None or oracle is None:
        event("no chain bound" if chained is None else "no option")
        return
    overtime, cost = chained
    minutes = sum(bound.minutes for bound in overtime.values())
    expected = (oracle.cost, oracle.overtime_minutes)
    event(f"chain bound {'met' if (cost, minutes) == expected else 'below'}, cost {bool(cost)}")
    assert (cost, minutes) <= expected


def _two_bays(per_unit: int = 60) -> PlanningState:
    """SUB is made on R1, then TOP on R2 (an hour a unit each, an hour free a day on each):
    2 TOP by day 1 fit on neither bay alone unless the other works overtime."""
    base = plant(
        made={"TOP": (op(10, "R2", per_unit),), "SUB": (op(10, "R1", per_unit),)},
        bom={"TOP": [("SUB", 1)]},
        resources={"R1": every_day(60), "R2": every_day(60)},
    )
    cheap = Overtime((60,) * 7, {}, Fraction(1))  # type: ignore[arg-type]
    dear = Overtime((60,) * 7, {}, Fraction(2))  # type: ignore[arg-type]
    resources = {
        "R1": replace(base.resources["R1"], overtime=cheap),
        "R2": replace(base.resources["R2"], overtime=dear),
    }
    return PlanningState.build(replace(base, resources=resources), AS_OF, 10)


def test_a_chain_on_two_bays_is_proven_by_the_chain_bound() -> None:
    # Each bay alone has the minutes (the tightest runs see no shortfall), but SUB must be done
    # before TOP starts: an hour of overtime on one of them, the cheaper R1 on day 0.
    state = _two_bays()
    bound = least_extra(state, _widest(state, "TOP"), "TOP", 2, 1)
    assert bound is not None
    assert bound.by == "chain"
    assert (bound.cost, bound.minutes) == (Fraction(60), 60)
    found, by_cpsat, by_bounds = _by_each_method(state, 2, 1)
    assert by_bounds
    assert found is not None
    assert by_cpsat is not None
    assert [(e.resource, e.day, e.minutes) for e in found.extra] == [("R1", 0, 60)]
    assert (found.cost, found.overtime_minutes) == (by_cpsat.cost, by_cpsat.overtime_minutes)
    oracle = cheapest(state.plant, AS_OF, 10, "TOP", 2, 1, unit=30)
    assert oracle is not None
    assert (oracle.cost, oracle.overtime_minutes) == (found.cost, found.overtime_minutes)
