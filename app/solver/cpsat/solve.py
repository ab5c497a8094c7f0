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
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

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
    # Entered around each CP-SAT search, which runs in C++ without the GIL: a caller that lets
    # one thread compute at a time lets another one compute meanwhile. Changes no answer.
    while_searching: Callable[[], AbstractContextManager[None]] = field(
        default=nullcontext, compare=False, hash=False
    )


@dataclass(frozen=True, slots=True)
class Solved:
    """The solver holding the best answer found, its status, and whether presolve was off."""

    solver: cp_model.CpSolver
    status: cp_model.CpSolverStatus
    without_presolve: bool


def solve(model: cp_model.CpModel, settings: SolverSettings, *, from_below: bool = False) -> Solved:
    """Solve ``model``: presolved first within :data:`PRESOLVED_ATTEMPT_WORK`, then, unless
    that proved the answer, without presolve for the rest of the time limit.

    ``from_below`` (for models that minimise the earliest day or a cost): search with CP-SAT's
    lower-bound tree search, without probing. The optimum is proven where the bound meets a
    plan, and on those models the bound is the hard part: the earliest-day models of the large
    plant's load quotes are proven 10 x faster (the slowest in 0.2 s instead of 7.5), the
    extra-capacity models 30 % (docs/performance.md). Models that maximise (the most quantity,
    the latest plan) are slower with it.
    """
    started = time.monotonic()
    first = _solver(settings, settings.time_limit_seconds, from_below=from_below)
    first.parameters.max_presolve_iterations = 1
    first.parameters.max_deterministic_time = PRESOLVED_ATTEMPT_WORK
    with settings.while_searching():
        status = first.solve(model)
    if status in PROVEN or status == cp_model.MODEL_INVALID:
        return Solved(first, status, without_presolve=False)
    left = settings.time_limit_seconds - (time.monotonic() - started)
    if left <= 0:
        return Solved(first, status, without_presolve=False)
    second = _solver(settings, left, from_below=from_below)
    second.parameters.cp_model_presolve = False
    with settings.while_searching():
        second_status = second.solve(model)
    if second_status == cp_model.UNKNOWN and status == cp_model.FEASIBLE:
        return Solved(first, status, without_presolve=False)  # keep the plan the first found
    return Solved(second, second_status, without_presolve=True)


def _solver(settings: SolverSettings, seconds: float, *, from_below: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = settings.workers
    solver.parameters.random_seed = settings.random_seed
    if from_below:
        solver.parameters.optimize_with_lb_tree_search = True
        solver.parameters.cp_model_probing_level = 0
    return solver
