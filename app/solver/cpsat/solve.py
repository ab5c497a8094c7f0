"""One way to run CP-SAT on our models, within the time limit, in two attempts.

The first attempt runs one presolve pass: on nearly every model of ours that is the fastest way
(30-35 % faster than the default presolve, docs/performance.md). On a few large models (a line
late far into the horizon, thousands of work variables) the presolved search finds no plan in
10 s, while the same model without presolve is solved in 0.5-2 s. So the first attempt gets a
fixed amount of CP-SAT's *deterministic* work, the same on every machine and under any load,
and a model it leaves unproven is solved again without presolve for the time that is left.

Either attempt's OPTIMAL or INFEASIBLE is a proof, so the answer never depends on which attempt
gave it; the choice of attempt depends only on the model. Callers map the status.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

# Deterministic work of the first attempt. On 125 line models of the benchmark plants'
# load quotes, the presolved search proved all but three within 0.4 (most within 0.1); two of
# those it had not proven after 5, where the attempt without presolve needed 0.4 to 0.7.
PRESOLVED_ATTEMPT_WORK = 0.5

PROVEN = (cp_model.OPTIMAL, cp_model.INFEASIBLE)


@dataclass(frozen=True, slots=True)
class SolverSettings:
    time_limit_seconds: float = 10.0
    workers: int = 1
    random_seed: int = 0


@dataclass(frozen=True, slots=True)
class Solved:
    """The solver holding the best answer found, its status, and whether presolve was off."""

    solver: cp_model.CpSolver
    status: cp_model.CpSolverStatus
    without_presolve: bool


def solve(model: cp_model.CpModel, settings: SolverSettings, *, least_cost: bool = False) -> Solved:
    """Solve ``model``: presolved first within :data:`PRESOLVED_ATTEMPT_WORK`, then, unless
    that proved the answer, without presolve for the rest of the time limit.

    ``least_cost`` (the extra-capacity models, whose optimum is a sum of costs): search with
    CP-SAT's lower-bound tree search and without probing. On those models it proves the same
    optima about 30 % faster, the slowest twice as fast (docs/performance.md); on our other
    models it is no better.
    """
    started = time.monotonic()
    first = _solver(settings, settings.time_limit_seconds, least_cost=least_cost)
    first.parameters.max_presolve_iterations = 1
    first.parameters.max_deterministic_time = PRESOLVED_ATTEMPT_WORK
    status = first.solve(model)
    if status in PROVEN or status == cp_model.MODEL_INVALID:
        return Solved(first, status, without_presolve=False)
    left = settings.time_limit_seconds - (time.monotonic() - started)
    if left <= 0:
        return Solved(first, status, without_presolve=False)
    second = _solver(settings, left, least_cost=least_cost)
    second.parameters.cp_model_presolve = False
    second_status = second.solve(model)
    if second_status == cp_model.UNKNOWN and status == cp_model.FEASIBLE:
        return Solved(first, status, without_presolve=False)  # keep the plan the first found
    return Solved(second, second_status, without_presolve=True)


def _solver(settings: SolverSettings, seconds: float, *, least_cost: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = settings.workers
    solver.parameters.random_seed = settings.random_seed
    if least_cost:
        solver.parameters.optimize_with_lb_tree_search = True
        solver.parameters.cp_model_probing_level = 0
    return solver
