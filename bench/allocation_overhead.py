"""What allocations cost a check: the same quotes on the same plant with and without them.

    .venv/bin/python -m bench.allocation_overhead [--plant medium|large|both] [--quotes N]
        [--orders K]

The plant of :mod:`bench.plants` and the same plant with a third of its finished items shared
out (:func:`bench.plants.with_allocations`); every quote is checked on both states, one right
after the other and in alternating order, and timed in CPU seconds of this process
(``time.process_time``): a shared, loaded machine slows both sides alike, so the ratio holds
where wall-clock figures of separate runs swing by a factor of two. The answers on both plants
are compared too, so the share of lines the allocations actually limit is known.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console

from app.solver.document import plant_from_document
from app.solver.engine import PlanningState, SolverSettings, check_quote
from app.solver.results import QuoteResult
from bench.check_latency import (
    DEFAULT_AS_OF,
    PLANTS,
    engine_settings,
    line_requests,
    percentile,
)
from bench.plants import Document, random_quotes, with_allocations

cli = typer.Typer(add_completion=False)


def _timed(
    state: PlanningState, quote: Document, solver: SolverSettings
) -> tuple[float, QuoteResult]:
    start = time.process_time()
    result = check_quote(
        state,
        line_requests(quote),
        quote["ship_complete"],
        solver,
        customer=quote["customer"],
    )
    return (time.process_time() - start) * 1000, result


def compare(doc: Document, quotes: Sequence[Document], orders: float) -> dict[str, float]:
    horizon, solver = engine_settings()
    plain = PlanningState.build(plant_from_document(doc), DEFAULT_AS_OF, horizon)
    allocated = with_allocations(doc, DEFAULT_AS_OF, orders_per_period=orders)
    shared = PlanningState.build(plant_from_document(allocated), DEFAULT_AS_OF, horizon)
    _timed(plain, quotes[0], solver)  # warm-up: imports, first solve
    _timed(shared, quotes[0], solver)
    without: list[float] = []
    with_: list[float] = []
    limited = lines = 0
    for n, quote in enumerate(quotes):
        order: list[tuple[PlanningState, list[float]]] = [(plain, without), (shared, with_)]
        results = {}
        for state, times in order if n % 2 == 0 else order[::-1]:
            ms, results[id(state)] = _timed(state, quote, solver)
            times.append(ms)
        for a, b in zip(results[id(plain)].lines, results[id(shared)].lines, strict=True):
            lines += 1
            limited += any(c.kind == "allocation" for c in b.constraints) or (
                a.earliest_date != b.earliest_date
            )
    figures = {}
    for name, values in (("without", without), ("with", with_)):
        figures[f"{name} p50"] = statistics.median(values)
        figures[f"{name} p95"] = percentile(values, 95) or 0.0
        figures[f"{name} total"] = sum(values)
    figures["lines limited"] = limited
    figures["lines"] = lines
    return figures


@cli.command()
def main(
    *,
    plant: Annotated[str, typer.Option(help="medium, large or both.")] = "medium",
    quotes: Annotated[int, typer.Option(help="1-line and 5-line quotes each.", min=2)] = 100,
    orders: Annotated[
        float, typer.Option(help="Typical orders each group may receive per 30-day period.")
    ] = 3,
) -> None:
    """Print p50, p95 and total CPU ms per quote size with and without allocations."""
    names = ("medium", "large") if plant == "both" else (plant,)
    console = Console()
    for name in names:
        doc = PLANTS[name](DEFAULT_AS_OF)
        for size, seed in ((1, 1), (5, 2)):
            batch = random_quotes(doc, quotes, size, seed=seed, as_of=DEFAULT_AS_OF)
            f = compare(doc, batch, orders)
            console.print(
                f"{name} {size}-line x{quotes}: "
                f"p50 {f['without p50']:.1f} -> {f['with p50']:.1f} ms, "
                f"p95 {f['without p95']:.1f} -> {f['with p95']:.1f} ms, "
                f"total {f['without total']:.0f} -> {f['with total']:.0f} ms "
                f"({(f['with total'] / f['without total'] - 1) * 100:+.1f} %), "
                f"lines limited {f['lines limited']:.0f} of {f['lines']:.0f}"
            )


if __name__ == "__main__":
    cli()
