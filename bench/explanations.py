"""What explanations cost: the benchmark quotes checked with and without them, on the engine path.

    .venv/bin/python -m bench.explanations [--plant medium|large|both] [--quotes N]

The quotes are those of ``bench.check_latency`` (same seeds). Each quote that has a late line is
checked twice on the same state: as the service does, and with the explanation switched off
(``explain.binding_constraints`` answering no entries), so the difference is what explaining
costs. Per late line it reports the explanation's own milliseconds, its candidates, the lifted
sets the exact methods decided and how many of those needed CP-SAT. Times are CPU time of this
process (CP-SAT runs one worker in it), so that other work on a shared machine inflates them
less than it does wall-clock time. It is a benchmark, not a test: it exits 0 whatever the
figures are.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from app.solver import binding, explain, lifting
from app.solver.cpsat import model as cpsat_model
from app.solver.document import plant_from_document
from app.solver.engine import PlanningState, check_quote
from app.solver.results import QuoteResult
from bench.check_latency import (
    DEFAULT_AS_OF,
    OUTPUT_WIDTH,
    PLANTS,
    Options,
    engine_settings,
    line_requests,
    percentile,
    plant_quotes,
)
from bench.plants import Document


@dataclass
class LineCost:
    ms: float
    # Every candidate of the line's tree, and those that can matter (the ones searched).
    candidates: int
    searched: int
    decided: int = 0
    by_cpsat: int = 0
    entries: int = 0


@dataclass
class QuoteCost:
    lines: int
    with_ms: float
    without_ms: float
    late_lines: list[LineCost] = field(default_factory=list)


@contextmanager
def counting(costs: list[LineCost]) -> Iterator[None]:
    """Time each explanation and count the lifted sets it had decided; restore afterwards."""
    explain_original = explain.binding_constraints
    decide_original = binding.plan_on_day
    cpsat_original = cpsat_model.any_plan

    def explained(
        state: PlanningState, sku: str, qty: int, day: int, *args: Any, **kwargs: Any
    ) -> Any:
        cost = LineCost(
            0.0,
            len(lifting.candidates(state.plant, sku)),
            len(lifting.relevant(state, sku, qty, day)),
        )
        costs.append(cost)
        start = time.process_time()
        found = explain_original(state, sku, qty, day, *args, **kwargs)
        cost.ms = (time.process_time() - start) * 1000
        cost.entries = len(found)
        return found

    def decided(*args: Any, **kwargs: Any) -> Any:
        costs[-1].decided += 1
        return decide_original(*args, **kwargs)

    def by_cpsat(*args: Any, **kwargs: Any) -> Any:
        costs[-1].by_cpsat += 1
        return cpsat_original(*args, **kwargs)

    explain.binding_constraints = explained
    binding.plan_on_day = decided
    cpsat_model.any_plan = by_cpsat
    try:
        yield
    finally:
        explain.binding_constraints = explain_original
        binding.plan_on_day = decide_original
        cpsat_model.any_plan = cpsat_original


@contextmanager
def unexplained() -> Iterator[None]:
    original = explain.binding_constraints
    explain.binding_constraints = lambda *args, **kwargs: []  # noqa: ARG005
    try:
        yield
    finally:
        explain.binding_constraints = original


def measure(doc: Document, quotes: list[Document], as_of: date) -> list[QuoteCost]:
    horizon, solver = engine_settings()
    state = PlanningState.build(plant_from_document(doc), as_of, horizon)

    def run(quote: Document) -> tuple[float, QuoteResult]:
        start = time.process_time()
        result = check_quote(state, line_requests(quote), quote["ship_complete"], solver)
        return (time.process_time() - start) * 1000, result

    run(quotes[0])  # warm-up: imports, first CP-SAT solve
    measured = []
    for quote in quotes:
        costs: list[LineCost] = []
        with counting(costs):
            with_ms, result = run(quote)
        if not costs:
            continue
        with unexplained():
            without_ms, _ = run(quote)
        measured.append(QuoteCost(len(result.lines), with_ms, without_ms, costs))
    return measured


def render(console: Console, name: str, measured: list[QuoteCost]) -> None:
    quotes = Table(title=f"{name}: quotes with a late line (CPU ms)")
    for column in ("lines", "n", "explained p50", "p95", "max", "unexplained p50", "p95", "max"):
        quotes.add_column(column, justify="right")
    for size in sorted({q.lines for q in measured}):
        group = [q for q in measured if q.lines == size]
        on = [q.with_ms for q in group]
        off = [q.without_ms for q in group]
        quotes.add_row(
            str(size),
            str(len(group)),
            *(_ms(percentile(on, p)) for p in (50, 95, 100)),
            *(_ms(percentile(off, p)) for p in (50, 95, 100)),
        )
    console.print(quotes)
    lines = [line for q in measured for line in q.late_lines]
    table = Table(title=f"{name}: per late line (CPU ms)")
    for column in ("late lines", "ms p50", "p95", "max", "candidates p50", "max", "searched p50"):
        table.add_column(column, justify="right")
    for column in ("sets decided p50", "max", "with CP-SAT", "entries p50", "max"):
        table.add_column(column, justify="right")
    if lines:
        ms = [line.ms for line in lines]
        table.add_row(
            str(len(lines)),
            *(_ms(percentile(ms, p)) for p in (50, 95, 100)),
            *(_int(percentile([line.candidates for line in lines], p)) for p in (50, 100)),
            _int(percentile([line.searched for line in lines], 50)),
            *(_int(percentile([line.decided for line in lines], p)) for p in (50, 100)),
            f"{sum(line.by_cpsat for line in lines)} sets, "
            f"{sum(1 for line in lines if line.by_cpsat)} lines",
            *(_int(percentile([line.entries for line in lines], p)) for p in (50, 100)),
        )
    console.print(table)


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _int(value: float | None) -> str:
    return "-" if value is None else str(int(value))


def main(
    plant: Annotated[str, typer.Option(help="medium, large or both")] = "both",
    quotes: Annotated[int, typer.Option(help="1-line quotes per plant")] = 200,
    multi_quotes: Annotated[int, typer.Option(help="5-line quotes per plant")] = 100,
) -> None:
    console = Console(width=OUTPUT_WIDTH)
    options = Options(as_of=DEFAULT_AS_OF, quotes=quotes, multi_quotes=multi_quotes, http=False)
    names = list(PLANTS) if plant == "both" else [plant]
    for name in names:
        doc = PLANTS[name](options.as_of)
        render(console, name, measure(doc, plant_quotes(doc, options), options.as_of))


if __name__ == "__main__":
    typer.run(main)
