"""What binds, against an independent computation: the plant copied and lifted as SPEC section 2
says (tests/oracles/lifting.py), then checked again.

For every late line of random quotes: lifting everything it names makes it feasible on its
requested date, lifting all but any one does not; on tiny plants no smaller set of candidates
would do (a brute force over every subset, each decided by the brute-force oracle); the days of a
capacity entry are the days it binds on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import combinations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.solver import binding
from app.solver import lifting as lifting_module
from app.solver.binding import Binding, what_binds
from app.solver.engine import SolverSettings, check_quote, decide_line
from app.solver.lifting import Candidate
from app.solver.plant import CapacityUse, Plant, Reservations
from app.solver.results import LineRequest, LineResult, SolverTimeout
from app.solver.state import PlanningState
from tests.oracles import lifting
from tests.oracles.brute_force import BruteForce
from tests.solver.factories import MONDAY, day, every_day, op, plant
from tests.solver.strategies import AS_OF, chain_plants, multi_level_plants

DETERMINISTIC = SolverSettings(time_limit_seconds=30, workers=1, random_seed=7)

# Whether (plant, sku, qty, requested date) can be delivered, on the state the line sees.
Feasible = Callable[[Plant, list[Reservations], LineResult], bool]


def _by_brute_force(horizon: int) -> Feasible:
    def feasible(p: Plant, taken: list[Reservations], line: LineResult) -> bool:
        day = (line.requested_date - AS_OF).days
        return BruteForce(lifting.seen(p, taken), AS_OF, horizon).feasible(line.sku, line.qty, day)

    return feasible


def _by_cpsat(horizon: int) -> Feasible:
    def feasible(p: Plant, taken: list[Reservations], line: LineResult) -> bool:
        state = PlanningState.build(lifting.seen(p, taken), AS_OF, horizon)
        day = state.day_of(line.requested_date)
        decision = decide_line(state, line.sku, line.qty, day, DETERMINISTIC, force_cpsat=True)
        return decision.earliest_day is not None and decision.earliest_day <= day

    return feasible


def _by_engine(horizon: int) -> Feasible:
    def feasible(p: Plant, taken: list[Reservations], line: LineResult) -> bool:
        state = PlanningState.build(lifting.seen(p, taken), AS_OF, horizon)
        day = state.day_of(line.requested_date)
        decision = decide_line(state, line.sku, line.qty, day, DETERMINISTIC)
        return decision.earliest_day is not None and decision.earliest_day <= day

    return feasible


def _check_every_late_line(
    p: Plant,
    horizon: int,
    requests: list[tuple[str, int, int]],
    feasible: Feasible,
    *,
    fewest: Feasible | None,
) -> None:
    lines = [
        LineRequest(str(i), sku, qty, AS_OF + timedelta(requested))
        for i, (sku, qty, requested) in enumerate(requests)
    ]
    state = PlanningState.build(p, AS_OF, horizon)
    result = check_quote(state, lines, ship_complete=False, settings=DETERMINISTIC)
    taken: list[Reservations] = []
    for line in result.lines:
        if not line.feasible_on_requested_date:
            _check_late_line(p, taken, line, feasible, fewest=fewest)
        taken.append(line.plan.reservations())


def _check_late_line(
    p: Plant,
    taken: list[Reservations],
    line: LineResult,
    feasible: Feasible,
    *,
    fewest: Feasible | None,
) -> None:
    named = lifting.named(line.constraints)
    event(f"entries: {len(named)}, kinds {sorted({kind for kind, _ in named})}")
    assert len(set(named)) == len(named)
    assert set(named) <= set(lifting.candidates(p, line.sku))
    assert any(c.kind == "horizon" for c in line.constraints) == (line.earliest_date is None)

    def lifted(lifts: list[tuple[str, str]], **days: list[date]) -> bool:
        copy = lifting.lift(p, lifts, AS_OF, line.requested_date, only_days=days)
        return feasible(copy, taken, line)

    assert lifted(named), "lifting every entry leaves the line late"
    for entry in named:
        assert not lifted([e for e in named if e != entry]), f"{entry} is not needed"
    if fewest is not None:
        candidates = lifting.candidates(p, line.sku)
        for size in range(len(named)):
            for subset in combinations(candidates, size):
                copy = lifting.lift(p, subset, AS_OF, line.requested_date)
                assert not fewest(copy, taken, line), f"{subset} is smaller than {named}"
    for c in line.constraints:
        if c.kind != "capacity":
            continue
        assert c.resource is not None
        assert c.from_date is not None
        assert c.until_date is not None
        assert AS_OF <= c.from_date <= c.until_date <= line.requested_date
        others = [e for e in named if e != ("capacity", c.resource)]
        before = _days(AS_OF, c.from_date - timedelta(1))
        after = _days(c.until_date + timedelta(1), line.requested_date)
        # More minutes only before `from`, or only after `until`, would not be enough.
        assert not lifted([*others, ("capacity", c.resource)], **{c.resource: before})
        assert not lifted([*others, ("capacity", c.resource)], **{c.resource: after})


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def _requests(
    skus: list[str], horizon: int, max_qty: int
) -> st.SearchStrategy[list[tuple[str, int, int]]]:
    return st.lists(
        st.tuples(st.sampled_from(skus), st.integers(1, max_qty), st.integers(0, horizon - 1)),
        min_size=1,
        max_size=3,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), p=multi_level_plants(horizon=6))
def test_tiny_multi_level_plants_name_the_fewest_that_bind(data: st.DataObject, p: Plant) -> None:
    requests = data.draw(_requests(["TOP", "TOP", "SUB", "RAW"], 6, 6))
    _check_every_late_line(p, 6, requests, _by_brute_force(6), fewest=_by_brute_force(6))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), p=chain_plants(horizon=30))
def test_chain_plants_name_exactly_what_binds(data: st.DataObject, p: Plant) -> None:
    skus = ["TOP", "TOP", *sorted(s for s in p.items if s != "TOP")]
    requests = data.draw(_requests(skus, 30, 40))
    # CP-SAT re-checks the answer; the fast method (exact on chains) the smaller subsets.
    _check_every_late_line(p, 30, requests, _by_cpsat(30), fewest=_by_engine(30))


def test_a_tie_goes_to_the_first_candidate_and_names_the_days_it_binds_on() -> None:
    # T needs 960 minutes on R (two days); P comes in on day 1. Unlimited R (everything on day
    # 1) or P on day 0 (start on day 0) would each do: the tie goes to capacity, listed first.
    p = plant(
        made={"T": (op(10, "R", 240),)},
        bought={"P": None},
        bom={"T": [("P", 1)]},
        supply=[("P", 4, 1)],
        resources={"R": every_day(480)},
    )
    state = PlanningState.build(p, MONDAY, 10)
    result = check_quote(
        state, [LineRequest("1", "T", 4, day(1))], ship_complete=False, settings=DETERMINISTIC
    )
    (constraint,) = result.lines[0].constraints
    assert (constraint.kind, constraint.resource) == ("capacity", "R")
    assert (constraint.from_date, constraint.until_date) == (day(1), day(1))
    assert (
        constraint.detail == "R (R) is full on 1 Dec 2026: this line needs more free minutes there."
    )


def test_the_fewest_entries_are_preferred() -> None:
    # P comes in on day 2, the day T is wanted; T takes 600 minutes on A, then 600 on B (480 a
    # day each). Unlimited A and B (both on day 2) would do, and so would P on day 0 alone.
    p = plant(
        made={"T": (op(10, "A", 600), op(20, "B", 600))},
        bought={"P": None},
        bom={"T": [("P", 1)]},
        supply=[("P", 1, 2)],
        resources={"A": every_day(480), "B": every_day(480)},
    )
    state = PlanningState.build(p, MONDAY, 10)
    result = check_quote(
        state, [LineRequest("1", "T", 1, day(2))], ship_complete=False, settings=DETERMINISTIC
    )
    assert lifting.named(result.lines[0].constraints) == [("material", "P")]


def test_an_explanation_cpsat_cannot_prove_in_time_is_a_timeout_not_a_guess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Six levels sharing two resources; with the greedy declining, only CP-SAT decides the
    # lifted days.
    p = plant(
        made={f"M{i}": (op(10, "A", 7), op(20, "B", 3)) for i in range(6)},
        bom={f"M{i}": [(f"M{i + 1}", 2)] for i in range(5)},
        resources={"A": every_day(90), "B": every_day(90)},
    )
    state = PlanningState.build(p, MONDAY, 200)
    assert what_binds(state, "M0", 3, 5, DETERMINISTIC) == [
        Binding(Candidate("capacity", "A"), (0, 5)),
        Binding(Candidate("capacity", "B"), (0, 5)),
    ]
    monkeypatch.setattr(binding, "greedy_plan", lambda *_: None)
    assert what_binds(state, "M0", 3, 5, DETERMINISTIC) == [
        Binding(Candidate("capacity", "A"), (0, 5)),
        Binding(Candidate("capacity", "B"), (0, 5)),
    ]
    with pytest.raises(SolverTimeout):
        what_binds(state, "M0", 3, 5, SolverSettings(time_limit_seconds=0.001))


def test_a_lifted_resource_keeps_its_unlimited_minutes_when_a_plan_takes_some() -> None:
    # The greedy and the fast method take minutes from the state as they pack lots; a lifted
    # day must stay lifted after that (once it fell back to the calendar's free minutes).
    p = plant(made={"TOP": (op(10, "R", 1),)}, resources={"R": every_day(100)}, load=[("R", 60, 2)])
    state = PlanningState.build(p, MONDAY, 14)
    unlimited = lifting_module.unlimited_for(p, "TOP", 500)
    lifted = lifting_module.lifted(state, [Candidate("capacity", "R")], 4, unlimited)

    after = lifted.taking((), [CapacityUse("R", day(2), 30)])

    assert int(after.free["R"][2]) == unlimited.minutes - 30
    assert int(after.free["R"][5]) == 100


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 9),
    raw_cores=st.lists(st.sets(st.integers(0, 8), min_size=1, max_size=5), max_size=7),
)
def test_the_hitting_set_is_the_first_of_the_smallest_sets_meeting_every_core(
    n: int, raw_cores: list[set[int]]
) -> None:
    order = [Candidate("capacity", f"R{i}") for i in range(n)]
    cores = [frozenset(order[i] for i in core if i < n) for core in raw_cores]
    cores = [core for core in cores if core]

    found = binding._smallest_hitting_set(cores, order)

    # By definition: the first set in size, then lexicographic order of positions, that meets
    # every core (itertools.combinations yields them in that order).
    first = next(
        frozenset(subset)
        for size in range(n + 1)
        for subset in combinations(order, size)
        if all(core & set(subset) for core in cores)
    )
    assert found == first
