"""The two CP-SAT attempts (app/solver/cpsat/solve.py): a model the presolved attempt proves is
answered by it; one it leaves unproven within its work is answered by the attempt without
presolve, with the same answer; no proof within the time limit stays a time-out."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest
from ortools.sat.python import cp_model

from app.solver.cpsat import solve as attempts
from app.solver.cpsat.model import earliest_day, most_qty
from app.solver.engine import SolverSettings
from app.solver.results import SolverTimeout
from app.solver.state import PlanningState
from tests.solver.factories import MONDAY, every_day, op, plant

SETTINGS = SolverSettings(time_limit_seconds=20, workers=1, random_seed=1)


def _two_levels() -> PlanningState:
    """A made part and its parent on one resource: the lots compete for the same minutes."""
    p = plant(
        made={"TOP": (op(10, "R", 6, setup=10),), "SUB": (op(10, "R", 4, setup=10),)},
        bom={"TOP": [("SUB", 1)]},
        resources={"R": every_day(120)},
    )
    return PlanningState.build(p, MONDAY, 20)


def _spied(
    from_below: list[bool] | None = None,
) -> tuple[list[attempts.Solved], mock._patch[object]]:
    seen: list[attempts.Solved] = []
    real = attempts.solve

    def spy(
        model: cp_model.CpModel, settings: SolverSettings, *, from_below: bool = False
    ) -> attempts.Solved:
        solved = real(model, settings, from_below=from_below)
        seen.append(solved)
        asked.append(from_below)
        return solved

    asked = [] if from_below is None else from_below
    return seen, mock.patch("app.solver.cpsat.model.solve", spy)


def test_earliest_days_are_searched_from_below_the_most_quantity_is_not() -> None:
    asked: list[bool] = []
    _, spy = _spied(asked)
    with spy:
        earliest_day(_two_levels(), "TOP", 30, (0, 19), SETTINGS)
        most_qty(_two_levels(), "TOP", 60, 3, SETTINGS)
    assert asked == [True, False]


def test_a_model_the_presolved_attempt_proves_is_answered_by_it() -> None:
    seen, spy = _spied()
    with spy:
        day = earliest_day(_two_levels(), "TOP", 30, (0, 19), SETTINGS)
    assert day is not None
    assert [s.without_presolve for s in seen] == [False]
    assert seen[0].status == cp_model.OPTIMAL


def test_a_model_left_unproven_is_answered_the_same_without_presolve() -> None:
    state = _two_levels()
    expected = (
        earliest_day(state, "TOP", 30, (0, 19), SETTINGS),
        most_qty(state, "TOP", 60, 3, SETTINGS),
    )
    seen, spy = _spied()
    with spy, mock.patch.object(attempts, "PRESOLVED_ATTEMPT_WORK", 0.0):
        found = (
            earliest_day(state, "TOP", 30, (0, 19), SETTINGS),
            most_qty(state, "TOP", 60, 3, SETTINGS),
        )
    assert found == expected
    assert expected[0] is not None
    assert 0 < expected[1] < 60
    assert [s.without_presolve for s in seen] == [True, True]


def test_no_proof_within_the_time_limit_is_still_a_time_out() -> None:
    with mock.patch.object(attempts, "PRESOLVED_ATTEMPT_WORK", 0.0), pytest.raises(SolverTimeout):
        earliest_day(_two_levels(), "TOP", 30, (0, 19), SolverSettings(time_limit_seconds=0.001))


class _Scripted:
    """A stand-in for CpSolver that answers each solve with the next scripted status."""

    def __init__(
        self, status: cp_model.CpSolverStatus, seconds: float, made: list[_Scripted]
    ) -> None:
        self.parameters = SimpleNamespace()
        self.status = status
        self.seconds = seconds
        self.solved: cp_model.CpModel | None = None
        made.append(self)

    def solve(self, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
        self.solved = model
        return self.status


@pytest.mark.parametrize(
    ("first", "second", "answered_by", "expected"),
    [
        # A proof or an invalid model from the first attempt ends the solve.
        (cp_model.OPTIMAL, None, 0, cp_model.OPTIMAL),
        (cp_model.INFEASIBLE, None, 0, cp_model.INFEASIBLE),
        (cp_model.MODEL_INVALID, None, 0, cp_model.MODEL_INVALID),
        # No proof: the second attempt answers, unless it finds nothing where the first found
        # a plan (a plan, not a proof, which the callers that accept plans may use).
        (cp_model.UNKNOWN, cp_model.OPTIMAL, 1, cp_model.OPTIMAL),
        (cp_model.FEASIBLE, cp_model.INFEASIBLE, 1, cp_model.INFEASIBLE),
        (cp_model.FEASIBLE, cp_model.FEASIBLE, 1, cp_model.FEASIBLE),
        (cp_model.FEASIBLE, cp_model.UNKNOWN, 0, cp_model.FEASIBLE),
        (cp_model.UNKNOWN, cp_model.UNKNOWN, 1, cp_model.UNKNOWN),
    ],
)
def test_which_attempt_answers(
    first: cp_model.CpSolverStatus,
    second: cp_model.CpSolverStatus | None,
    answered_by: int,
    expected: cp_model.CpSolverStatus,
) -> None:
    made: list[_Scripted] = []
    statuses = iter([first, second])

    def scripted(settings: SolverSettings, seconds: float, *, from_below: bool) -> _Scripted:
        assert settings is SETTINGS
        assert from_below is False
        return _Scripted(next(statuses), seconds, made)

    model = cp_model.CpModel()
    with mock.patch.object(attempts, "_solver", scripted):
        solved = attempts.solve(model, SETTINGS)
    assert len(made) == (1 if second is None else 2)
    assert all(attempt.solved is model for attempt in made)
    # The second attempt has what is left of the time limit, never more.
    assert made[0].seconds == SETTINGS.time_limit_seconds
    assert all(0 < attempt.seconds <= SETTINGS.time_limit_seconds for attempt in made)
    assert solved.solver is made[answered_by]
    assert solved.status == expected
    assert solved.without_presolve == (answered_by == 1)
    assert made[0].parameters.max_presolve_iterations == 1
    assert made[0].parameters.max_deterministic_time == attempts.PRESOLVED_ATTEMPT_WORK
    if second is not None:
        assert made[1].parameters.cp_model_presolve is False


@pytest.mark.parametrize("from_below", [False, True])
def test_models_solved_from_below_get_the_lower_bound_search_in_both_attempts(
    from_below: bool,
) -> None:
    seen: list[cp_model.CpSolver] = []
    real = attempts._solver

    def spy(settings: SolverSettings, seconds: float, *, from_below: bool) -> cp_model.CpSolver:
        solver = real(settings, seconds, from_below=from_below)
        seen.append(solver)
        return solver

    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    model.add(x >= 3)
    model.minimize(x)
    with (
        mock.patch.object(attempts, "_solver", spy),
        mock.patch.object(attempts, "PRESOLVED_ATTEMPT_WORK", 0.0),
    ):
        solved = attempts.solve(model, SETTINGS, from_below=from_below)
    assert solved.status == cp_model.OPTIMAL
    assert solved.solver.value(x) == 3
    assert len(seen) == 2
    for solver in seen:
        assert solver.parameters.optimize_with_lb_tree_search is from_below
        assert solver.parameters.cp_model_probing_level == (0 if from_below else 2)
