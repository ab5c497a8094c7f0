"""Re-solve the CP-SAT models of the slowest CP-SAT quotes with other solver parameters.

    .venv/bin/python -m bench.cpsat_params [--plant medium|large] [--slowest 10]

The models are recorded as the engine builds them (``_solve`` is wrapped while the slowest
quotes run again), then each one is solved with the engine's parameters and with each variant.
An answer must not change: every variant is reported with its statuses, and for the plan goal
with how far its objective falls short of the optimum (a shortfall means a less late plan).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from ortools.sat.python import cp_model
from rich.console import Console
from rich.table import Table

from app.solver.cpsat import model as cpsat_model
from app.solver.document import plant_from_document
from app.solver.engine import PlanningState, SolverSettings
from bench.check_latency import (
    DEFAULT_AS_OF,
    PLANTS,
    Options,
    engine_check,
    engine_settings,
    plant_quotes,
)

VARIANTS: dict[str, dict[str, Any]] = {
    "engine (1 worker)": {},
    "2 workers": {"num_workers": 2},
    "max_presolve_iterations=1": {"max_presolve_iterations": 1},
    "no presolve": {"cp_model_presolve": False},
    "relative_gap_limit=0.05": {"relative_gap_limit": 0.05},
    "stop_after_first_solution": {"stop_after_first_solution": True},
}
# Variants that may change an optimum: only acceptable where any feasible answer is (the plan).
PLAN_ONLY = {"relative_gap_limit=0.05", "stop_after_first_solution"}


@contextmanager
def recording(models: list[tuple[str, cp_model.CpModel]]) -> Iterator[None]:
    original = cpsat_model._solve

    def record(
        model: cp_model.CpModel, settings: SolverSettings, sku: str, goal: cpsat_model.Goal
    ) -> cp_model.CpSolver | None:
        models.append((goal.name, model.clone()))
        return original(model, settings, sku, goal)

    cpsat_model._solve = record
    try:
        yield
    finally:
        cpsat_model._solve = original


def solve(model: cp_model.CpModel, params: dict[str, Any]) -> tuple[float, str, float | None]:
    _, settings = engine_settings()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = settings.time_limit_seconds
    solver.parameters.num_workers = settings.workers
    solver.parameters.random_seed = settings.random_seed
    for name, value in params.items():
        setattr(solver.parameters, name, value)
    start = time.perf_counter()
    status = solver.solve(model)
    ms = (time.perf_counter() - start) * 1000
    solved = status in {cp_model.OPTIMAL, cp_model.FEASIBLE}
    return ms, solver.status_name(status), solver.objective_value if solved else None


cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    plant: Annotated[str, typer.Option(help="medium or large.")] = "medium",
    slowest: Annotated[int, typer.Option(help="Slowest CP-SAT quotes to record.", min=1)] = 10,
) -> None:
    """Time each goal's models under the engine's parameters and under each variant."""
    if plant not in PLANTS:
        raise typer.BadParameter("medium or large", param_hint="--plant")
    doc = PLANTS[plant](DEFAULT_AS_OF)
    quotes = plant_quotes(doc, Options())
    horizon, settings = engine_settings()
    state = PlanningState.build(plant_from_document(doc), DEFAULT_AS_OF, horizon)
    samples = [engine_check(state, quote, settings) for quote in quotes]
    chosen = sorted((s for s in samples if s.group == "cp-sat"), key=lambda s: -s.ms)[:slowest]
    by_ref = {quote["quote_ref"]: quote for quote in quotes}
    models: list[tuple[str, cp_model.CpModel]] = []
    with recording(models):
        for sample in chosen:
            engine_check(state, by_ref[sample.quote_ref], settings)

    table = Table(title=f"{plant}: CP-SAT models of the {len(chosen)} slowest CP-SAT quotes")
    for column in ("goal", "variant", "models", "total ms", "mean ms", "max ms", "statuses"):
        table.add_column(column, justify="right" if "ms" in column else "left")
    table.add_column("plan objective shortfall")
    for goal in ("EARLIEST_DAY", "MOST_QTY", "LATEST_PLAN"):
        goal_models = [model for name, model in models if name == goal]
        if not goal_models:
            continue
        base = [solve(model, {}) for model in goal_models]
        for variant, params in VARIANTS.items():
            if variant in PLAN_ONLY and goal != "LATEST_PLAN":
                continue
            runs = base if not params else [solve(model, params) for model in goal_models]
            times = [ms for ms, _, _ in runs]
            statuses = ", ".join(
                f"{status} {sum(1 for _, s, _ in runs if s == status)}"
                for status in sorted({s for _, s, _ in runs})
            )
            shortfall = [
                100 * (b[2] - r[2]) / b[2] for b, r in zip(base, runs, strict=True) if b[2] and r[2]
            ]
            table.add_row(
                goal,
                variant,
                str(len(runs)),
                f"{sum(times):,.0f}",
                f"{statistics.fmean(times):.1f}",
                f"{max(times):.0f}",
                statuses,
                f"mean {statistics.fmean(shortfall):.1f} %, max {max(shortfall):.1f} %"
                if goal == "LATEST_PLAN" and shortfall
                else "",
            )
        table.add_section()
    Console(width=160).print(table)


if __name__ == "__main__":
    cli()
