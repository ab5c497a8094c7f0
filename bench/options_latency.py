"""What options cost: the same quotes checked with and without ``split`` and ``extra_capacity``.

    .venv/bin/python -m bench.options_latency [--plant medium|large|both] [--quotes N] [--cpu]

The benchmark plants (:mod:`bench.plants`) get overtime on every resource (up to 240 minutes on
weekdays, 1 a minute) and expediting on every purchased item with a lead time of two days or
more (half the lead time, 2 a unit), so that late lines have both options to compute. Each
random quote (1-line and 5-line) is checked through the engine twice, in turn, on the same
state: without options and with both. It prints p50/p95/max of each, the ratio of the p95s, and
how many lines were late and got each option. ``--cpu`` times CPU seconds of this process
instead of wall time: on a machine other work is using, the only before/after that holds.
A benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from app.solver.document import plant_from_document
from app.solver.engine import OptionsAsked, PlanningState, check_quote
from app.solver.results import QuoteResult
from bench.check_latency import DEFAULT_AS_OF, engine_settings, line_requests, percentile
from bench.plants import large, medium, random_quotes

BOTH = OptionsAsked(split=True, extra_capacity=True)
NONE = OptionsAsked()


def with_overtime_and_expedite(doc: dict[str, Any]) -> dict[str, Any]:
    for resource in doc["resources"]:
        resource["overtime"] = {"weekly_minutes": [240, 240, 240, 240, 240, 0, 0]}
    for item in doc["items"]:
        lead = item.get("lead_time_days")
        if item["kind"] == "purchased" and lead is not None and lead >= 2:
            item["expedite"] = {"lead_time_days": lead // 2, "cost_per_unit": 2}
    return doc


def timed(
    state: PlanningState,
    quote: dict[str, Any],
    options: OptionsAsked,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, QuoteResult]:
    _, solver = engine_settings()
    start = clock()
    result = check_quote(
        state, line_requests(quote), quote["ship_complete"], solver, options=options
    )
    return (clock() - start) * 1000, result


def bench(
    name: str,
    doc: dict[str, Any],
    quotes: int,
    as_of: date,
    clock: Callable[[], float] = time.perf_counter,
) -> None:
    horizon, _ = engine_settings()
    state = PlanningState.build(
        plant_from_document(with_overtime_and_expedite(doc)), as_of, horizon
    )
    asked = random_quotes(doc, quotes, 1, seed=1, as_of=as_of)
    asked += random_quotes(doc, quotes // 2, 5, seed=2, as_of=as_of)
    timed(state, asked[0], BOTH)  # warm-up
    plain_ms: list[float] = []
    options_ms: list[float] = []
    offered: Counter[str] = Counter()
    late: list[int] = []  # the quotes with a late line: the only ones options cost anything
    for n, quote in enumerate(asked):
        ms, _ = timed(state, quote, NONE, clock)
        plain_ms.append(ms)
        ms, result = timed(state, quote, BOTH, clock)
        options_ms.append(ms)
        if any(line.options is not None for line in result.lines):
            late.append(n)
        for line in result.lines:
            if line.options is not None:
                offered["late lines"] += 1
                offered.update(option.kind for option in line.options)
    p95_plain, p95_options = percentile(plain_ms, 95), percentile(options_ms, 95)
    if p95_plain is None or p95_options is None:
        return
    say(f"{name}: {len(asked)} quotes ({quotes} of 1 line, {quotes // 2} of 5)")
    for label, values in (("without options", plain_ms), ("with both options", options_ms)):
        say(
            f"  {label:18} p50 {statistics.median(values):7.1f} ms  "
            f"p95 {percentile(values, 95):7.1f} ms  max {max(values):7.1f} ms"
        )
    say(f"  p95 ratio {p95_options / p95_plain:.2f} (target <= 2)")
    late_plain = percentile([plain_ms[n] for n in late], 95)
    late_options = percentile([options_ms[n] for n in late], 95)
    if late_plain and late_options:
        say(
            f"  quotes with a late line ({len(late)}): p95 {late_plain:.1f} ms without, "
            f"{late_options:.1f} ms with (ratio {late_options / late_plain:.2f})"
        )
    say(f"  {dict(offered)}")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plant", choices=["medium", "large", "both"], default="both")
    parser.add_argument("--quotes", type=int, default=100)
    parser.add_argument("--cpu", action="store_true", help="CPU time instead of wall time")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    if args.plant in {"medium", "both"}:
        bench("medium", medium(DEFAULT_AS_OF), args.quotes, DEFAULT_AS_OF, clock)
    if args.plant in {"large", "both"}:
        bench("large", large(DEFAULT_AS_OF), args.quotes, DEFAULT_AS_OF, clock)


if __name__ == "__main__":
    main()
