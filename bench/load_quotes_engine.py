"""The load benchmark's quotes through the engine alone: where a check's CPU goes without HTTP.

    .venv/bin/python -m bench.load_quotes_engine [--plant medium|large] [--lines 1|5]
        [--quotes 40] [--seed 1011]

The quotes are those of :mod:`bench.load` (:func:`bench.plants.finished_goods_quotes`: finished
goods, 5 to 200 units, 0 to 60 days out; the load bench's one-client runs use seeds 1011 and
1015), checked one after the other on one state with :func:`app.solver.engine.check_quote` and
timed in CPU seconds of this process, so a loaded machine inflates them less than wall time. It
prints the total, p50, p95 and max per quote, the late lines and the method mix. The figures of
docs/performance.md ("Explanations made cheap") come from it. A benchmark: it always exits 0.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, date, datetime
from typing import Annotated

import typer

from app.solver.document import plant_from_document
from app.solver.engine import PlanningState, check_quote
from bench.check_latency import engine_settings, line_requests, percentile
from bench.plants import Document, finished_goods_quotes, large, medium

PLANTS = {"medium": medium, "large": large}


def measure(doc: Document, today: date, lines: int, quotes: int, seed: int) -> dict[str, object]:
    horizon, solver = engine_settings()
    state = PlanningState.build(plant_from_document(doc), today, horizon)
    asked = finished_goods_quotes(doc, quotes, lines, seed=seed, as_of=today)
    check_quote(state, line_requests(asked[0]), ship_complete=False, settings=solver)  # warm-up
    times: list[float] = []
    methods: Counter[str] = Counter()
    late = 0
    for quote in asked:
        started = time.process_time()
        result = check_quote(
            state,
            line_requests(quote),
            ship_complete=False,
            settings=solver,
            customer=quote.get("customer"),
        )
        times.append((time.process_time() - started) * 1000)
        methods.update(line.method for line in result.lines)
        late += sum(1 for line in result.lines if not line.feasible_on_requested_date)
    return {
        "quotes": len(times),
        "total_ms": sum(times),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "max_ms": max(times),
        "late_lines": late,
        "methods": dict(methods),
    }


def main(
    plant: Annotated[str, typer.Option(help="medium or large")] = "medium",
    lines: Annotated[int, typer.Option(min=1, help="Lines per quote")] = 1,
    quotes: Annotated[int, typer.Option(min=1, help="Quotes")] = 40,
    seed: Annotated[int, typer.Option(help="Seed (the load bench: 1011 one line, 1015 five)")] = (
        1011
    ),
) -> None:
    today = datetime.now(UTC).date()
    figures = measure(PLANTS[plant](today), today, lines, quotes, seed)
    typer.echo(
        f"{plant}, {figures['quotes']} quotes of {lines} line(s), seed {seed}: "
        f"total {figures['total_ms']:,.0f} ms, p50 {figures['p50_ms']:.1f}, "
        f"p95 {figures['p95_ms']:.1f}, max {figures['max_ms']:.1f} ms (CPU); "
        f"late lines {figures['late_lines']}, methods {figures['methods']}"
    )


if __name__ == "__main__":
    typer.run(main)
