"""The bench scripts still run: check_latency's engine path, profile and tables, and
cpsat_params' recording and re-solving, on a tiny plant.

Timings are not checked (the benchmark has no timing asserts); only that every quote was timed,
grouped and shown, and that the timers put the engine functions back.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from ortools.sat.python import cp_model
from rich.console import Console

from app.solver import binding, engine, explain
from app.solver.cpsat import model as cpsat_model
from app.solver.document import plant_from_document
from app.solver.engine import PlanningState
from bench import explanations, http_path, live_book, load_quotes_engine
from bench.check_latency import (
    Options,
    bench_plant,
    decided_by,
    engine_check,
    engine_settings,
    percentile,
    render,
)
from bench.cpsat_params import VARIANTS, recording, solve
from bench.load import Options as LoadOptions
from bench.load import bench_database
from bench.load import render as render_load
from bench.plants import generate_plant, random_quotes

AS_OF = date(2026, 11, 25)


def test_engine_path_profile_and_tables_on_a_tiny_plant(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bounds prove every line of this tiny plant: CP-SAT decides instead, so that the
    # CP-SAT profile has something to show.
    monkeypatch.setattr(
        engine,
        "_decide_by_bounds",
        # Looked up at call time: the profile wraps it.
        lambda *args, **kwargs: engine._decide_by_cpsat(*args, **kwargs),  # noqa: PLW0108
    )
    solve, build = cpsat_model._solve, cpsat_model._build
    doc = generate_plant(16, 3, 3, 80, seed=2, as_of=AS_OF)
    options = Options(
        as_of=AS_OF,
        quotes=2,
        multi_quotes=1,
        lines=3,
        seed=2,
        memory_quotes=1,
        profile_quotes=1,
        http=False,
    )

    report = bench_plant("tiny", doc, options)

    samples = report.engine.samples
    assert [s.lines for s in samples] == [1, 1, 3]
    assert all(
        s.ms >= 0 and s.status in {"feasible", "counter_proposal", "infeasible"} for s in samples
    )
    assert all(s.group == decided_by(s.methods) for s in samples)
    assert report.engine.load_ms > 0
    assert report.engine.tracemalloc_peak_bytes > 0
    assert report.service is None
    # This plant and seed give a CP-SAT quote: the profile ran, and the engine is unpatched.
    assert any(s.group == "cp-sat" for s in samples)
    assert report.breakdown is not None
    assert report.breakdown.solves.total() >= 1
    assert report.breakdown.top_functions
    assert (cpsat_model._solve, cpsat_model._build) == (solve, build)
    assert engine._decide_by_cpsat.__module__ == "app.solver.engine"
    assert not hasattr(engine._decide_by_cpsat, "__wrapped__")

    out = io.StringIO()
    render([report], Console(file=out, width=200), options)
    text = out.getvalue()
    for title in ("Load and memory", "Check latency", "Status mix", "cProfile"):
        assert title in text


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 95) is None
    assert percentile([5.0], 50) == 5.0
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 100) == 100.0


def test_cpsat_params_records_models_and_re_solves_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_decide_by_bounds", engine._decide_by_cpsat)
    doc = generate_plant(16, 3, 3, 80, seed=2, as_of=AS_OF)
    quote = random_quotes(doc, 1, 3, seed=3, as_of=AS_OF)[0]
    horizon, settings = engine_settings()
    state = PlanningState.build(plant_from_document(doc), AS_OF, horizon)
    solve_before = cpsat_model._solve
    models: list[tuple[str, cp_model.CpModel]] = []
    with recording(models):
        engine_check(state, quote, settings)
    assert cpsat_model._solve is solve_before
    assert models
    assert {goal for goal, _ in models} <= {"EARLIEST_DAY", "MOST_QTY", "LATEST_PLAN"}
    for variant in VARIANTS.values():
        ms, status, _ = solve(models[0][1], variant)
        assert ms >= 0
        assert status in {"OPTIMAL", "FEASIBLE", "INFEASIBLE"}


def test_load_runs_checks_and_holds_over_real_servers() -> None:
    """bench.load on a small plant (6 finished goods), PostgreSQL, one server process, 1 and 2 clients."""
    options = LoadOptions(
        requests=3,
        seconds=60,
        processes=1,
        clients=(1, 2),
        plants={"small": lambda as_of: generate_plant(40, 3, 3, 150, seed=2, as_of=as_of)},
    )
    out = io.StringIO()
    console = Console(file=out, width=250)

    runs = bench_database("postgresql", options, console)

    assert [(r.kind, r.clients) for r in runs] == [
        ("check-1", 1),
        ("check-1", 2),
        ("check-5", 1),
        ("check-5", 2),
        ("hold-1", 2),  # with the most clients asked for, after the checks
    ]
    assert all(r.requests == 3 and r.per_second > 0 for r in runs)
    assert all(r.codes.get(201, 0) + r.codes.get(409, 0) == 3 for r in runs)
    lines = {"check-1": 1, "check-5": 5, "hold-1": 1}
    assert all(sum(r.methods.values()) == 3 * lines[r.kind] for r in runs)
    assert runs[-1].vs_checks is not None
    render_load(runs, console)
    assert "Checks and holds under load" in out.getvalue()
    assert "lines decided without CP-SAT" in out.getvalue()


def test_the_allocation_variant_is_a_valid_dataset_that_limits_checks() -> None:
    from app.services.dataset_validation import validate_dataset  # noqa: PLC0415
    from bench.plants import with_allocations  # noqa: PLC0415

    doc = with_allocations(generate_plant(16, 3, 3, 80, seed=2, as_of=AS_OF), AS_OF)
    assert validate_dataset(doc).customers
    sku = doc["allocations"][0]["sku"]
    # The `*` group gets none of it: one unit for a customer in no group never has a date.
    for row in doc["allocations"]:
        if row["sku"] == sku and row["group"] == "*":
            row["qty"] = 0
    state = PlanningState.build(plant_from_document(doc), AS_OF, engine_settings()[0])
    result = engine.check_quote(
        state,
        [engine.LineRequest("1", sku, 1, AS_OF)],
        ship_complete=False,
        settings=engine_settings()[1],
        customer="a customer in no group",
    )
    assert result.lines[0].earliest_date is None
    assert "allocation" in {c.kind for c in result.lines[0].constraints}


def test_explanation_cost_is_measured_and_the_engine_put_back() -> None:
    doc = generate_plant(16, 3, 3, 80, seed=2, as_of=AS_OF)
    originals = (explain.binding_constraints, binding.plan_on_day, cpsat_model.any_plan)

    measured = explanations.measure(doc, random_quotes(doc, 6, 3, seed=2, as_of=AS_OF), AS_OF)

    # These quotes have one late line: explained, its sets counted, each entry named.
    assert [(q.lines, len(q.late_lines)) for q in measured] == [(3, 1)]
    (line,) = measured[0].late_lines
    assert line.decided >= line.entries >= 1
    assert line.candidates >= line.entries
    assert (explain.binding_constraints, binding.plan_on_day, cpsat_model.any_plan) == (originals)
    out = io.StringIO()
    explanations.render(Console(file=out, width=200), "tiny", measured)
    assert "per late line" in out.getvalue()


def test_allocation_overhead_compares_both_plants() -> None:
    from bench.allocation_overhead import compare  # noqa: PLC0415

    doc = generate_plant(16, 3, 3, 80, seed=2, as_of=AS_OF)
    quotes = random_quotes(doc, 6, 2, seed=4, as_of=AS_OF)
    figures = compare(doc, quotes, orders=0)
    assert figures["lines"] == 12
    # One unit per period of each scarce item: most of their lines are limited.
    assert figures["lines limited"] > 0
    assert figures["with total"] > 0
    assert figures["without total"] > 0


def test_the_load_quotes_run_through_the_engine_on_a_tiny_plant() -> None:
    doc = generate_plant(16, 3, 3, 80, seed=2, as_of=AS_OF)

    figures = load_quotes_engine.measure(doc, AS_OF, lines=2, quotes=4, seed=3)

    assert figures["quotes"] == 4
    methods = figures["methods"]
    assert isinstance(methods, dict)
    assert sum(methods.values()) == 8


def test_http_path_measures_server_cpu_and_wall_time_over_a_real_server() -> None:
    """bench.http_path on a small plant, SQLite, one round of ten checks of each kind."""
    doc = generate_plant(40, 3, 3, 150, seed=2, as_of=datetime.now(UTC).date())
    lines: list[str] = []

    figures = http_path.measure(doc, rounds=1, checks=10, echo=lines.append)

    assert set(figures) == {"stock", "finished"}
    for rows in figures.values():
        assert len(rows) == 1
        cpu, p50, p95 = rows[0]
        assert cpu >= 0
        assert 0 < p50 <= p95
    assert len(lines) == 2


def test_http_path_stock_quotes_are_distinct_and_within_stock() -> None:
    doc = generate_plant(40, 3, 3, 150, seed=2, as_of=AS_OF)
    on_hand = {row["sku"]: row["on_hand"] for row in doc["inventory"]}
    quotes = http_path.stock_quotes(doc, 50, seed=7, as_of=AS_OF)
    lines = [
        (q["lines"][0]["sku"], q["lines"][0]["qty"], q["lines"][0]["requested_date"])
        for q in quotes
    ]
    assert len(set(lines)) == 50
    assert all(1 <= qty <= on_hand[sku] // 4 for sku, qty, _ in lines)
    assert http_path.stock_quotes(doc, 60, seed=7, as_of=AS_OF)[:50] == quotes


def test_live_book_times_checks_and_holds_after_a_book_of_holds() -> None:
    """bench.live_book on a small plant, SQLite, a book of three holds, then two of each."""
    doc = generate_plant(40, 3, 3, 150, seed=2, as_of=datetime.now(UTC).date())

    result = live_book.run("sqlite", book=3, checks=2, holds=2, doc=doc)

    assert set(result["figures"]) == {"check", "hold"}
    for figures in result["figures"].values():
        assert figures["cpu"] >= 0
        assert 0 < figures["p50"] <= figures["p95"] <= figures["max"]
