"""The two CP-SAT attempts (app/solver/cpsat/solve.py): a model the presolved attempt proves is
answered by it; one it leaves unproven within its work is answered by the attempt without
presolve, with the same answer; no proof within the time limit stays a time-out."""

from __future__ import annotations

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


def _spied() -> tuple[list[attempts.Solved], mock._patch[object]]:
    seen: list[attempts.Solved] = []
    real = attempts.solve

    def spy(model: cp_model.CpModel, settings: SolverSettings) -> attempts.Solved:
        solved = real(model, settings)
        seen.append(solved)
        return solved

    return seen, mock.patch("app.solver.cpsat.model.solve", spy)


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
