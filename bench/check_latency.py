"""Check latency, load time and memory on the generated benchmark plants: `make bench`.

    .venv/bin/python -m bench.check_latency [--plant medium|large|both] [--quotes N]

For each plant (:mod:`bench.plants`) it measures

* load time through the engine (``plant_from_document`` + ``PlanningState.build``) and through
  the service (a fresh migrated SQLite file, ``PUT /v1/dataset`` to a real ``orderpromise serve``
  subprocess, then the first check on a cold planning cache);
* peak memory: tracemalloc on the engine path, VmHWM of the server process and of this process;
* random 1-line and multi-line quotes through ``check_quote`` and over HTTP, with p50/p95/max
  split by who decided the quote ("fast": every line by stock, purchase or the fast method;
  "cp-sat": some line by CP-SAT), and the status mix;
* where the time of the slowest CP-SAT quotes goes (timed engine functions, then cProfile).

The targets are printed next to the figures. It is a benchmark, not a test: it always exits 0
when it ran, whatever the figures are.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import typer
from rich.console import Console
from rich.table import Table

from app.db.migrate import upgrade_to_head
from app.settings import Settings
from app.solver import engine, explain, greedy
from app.solver.cpsat import model as cpsat_model
from app.solver.document import plant_from_document
from app.solver.engine import PlanningState, SolverSettings, check_quote
from app.solver.results import LineRequest, SolverTimeout
from bench.plants import Document, large, medium, random_quotes, with_allocations

Group = Literal["fast", "cp-sat", "error"]
Route = Literal["engine", "http"]

DEFAULT_AS_OF = date(2026, 11, 25)
PLANTS: dict[str, Callable[[date], Document]] = {"medium": medium, "large": large}
MB = 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parents[1]
SERVER_READY_SECONDS = 60.0
HTTP_TIMEOUT_SECONDS = 600.0
LOAD_REPEATS = 3
# Piped output (a log, docs/performance.md) is laid out this wide.
OUTPUT_WIDTH = 150

# The targets (SPEC / brief): p95 per (plant, path, lines, group), load and memory.
LATENCY_TARGETS_MS: dict[tuple[str, Route, int, str], float] = {
    ("medium", "http", 5, "fast"): 100.0,
    ("medium", "http", 5, "cp-sat"): 1_000.0,
    ("large", "http", 5, "all"): 2_000.0,
}
LOAD_TARGET_MS: dict[str, float] = {"large": 2_000.0}
MEMORY_TARGET_MB = 500.0


# --- what one run measures ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """One timed quote check."""

    quote_ref: str
    lines: int
    ms: float
    group: Group
    status: str
    methods: tuple[str, ...]


@dataclass(slots=True)
class EngineRun:
    plant_ms: float
    build_ms: float
    tracemalloc_peak_bytes: int
    samples: list[Sample]
    # VmHWM of this process after the engine path (cumulative over the process).
    process_hwm_kb: int | None

    @property
    def load_ms(self) -> float:
        return self.plant_ms + self.build_ms


@dataclass(slots=True)
class ServiceRun:
    migrate_ms: float
    ready_ms: float
    put_ms: float
    first_check_ms: float
    warm_check_ms: float
    samples: list[Sample]
    server_hwm_kb: int | None
    server_rss_kb: int | None


@dataclass(slots=True)
class Breakdown:
    """Where the time of some quotes goes, from timed engine functions (no profiler)."""

    quotes: int = 0
    total_ms: float = 0.0
    parts_ms: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    solves: Counter[str] = field(default_factory=Counter)
    solve_ms: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    solves_per_cpsat_line: list[int] = field(default_factory=list)
    cpsat_line_ms: list[float] = field(default_factory=list)
    max_variables: int = 0
    max_constraints: int = 0
    # (function, calls, own seconds, cumulative seconds) from cProfile, by own time.
    top_functions: list[tuple[str, int, float, float]] = field(default_factory=list)
    profiled_ms: float = 0.0


@dataclass(slots=True)
class PlantReport:
    name: str
    shape: dict[str, int | float]
    engine: EngineRun
    service: ServiceRun | None = None
    breakdown: Breakdown | None = None


@dataclass(frozen=True, slots=True)
class Options:
    as_of: date = DEFAULT_AS_OF
    quotes: int = 200
    multi_quotes: int = 100
    lines: int = 5
    seed: int = 1
    memory_quotes: int = 20
    profile_quotes: int = 10
    http: bool = True


# --- the engine path ----------------------------------------------------------------------


def engine_settings() -> tuple[int, SolverSettings]:
    """Horizon and solver settings as the service reads them (PROMISE_* variables)."""
    settings = Settings()
    return settings.horizon_days, SolverSettings(
        time_limit_seconds=settings.solver_time_limit_seconds, workers=settings.solver_workers
    )


def line_requests(quote: Document) -> list[LineRequest]:
    return [
        LineRequest(
            line_ref=line["line_ref"],
            sku=line["sku"],
            qty=line["qty"],
            requested_date=date.fromisoformat(line["requested_date"]),
        )
        for line in quote["lines"]
    ]


def decided_by(methods: Sequence[str]) -> Group:
    return "cp-sat" if "cp-sat" in methods else "fast"


def engine_check(state: PlanningState, quote: Document, solver: SolverSettings) -> Sample:
    lines = line_requests(quote)
    start = time.perf_counter()
    try:
        result = check_quote(
            state, lines, quote["ship_complete"], solver, customer=quote["customer"]
        )
    except SolverTimeout:
        ms = (time.perf_counter() - start) * 1000
        return Sample(quote["quote_ref"], len(lines), ms, "error", "solver timeout", ())
    ms = (time.perf_counter() - start) * 1000
    methods = tuple(line.method for line in result.lines)
    return Sample(quote["quote_ref"], len(lines), ms, decided_by(methods), result.status, methods)


def run_engine(
    doc: Document,
    quotes: Sequence[Document],
    as_of: date,
    *,
    memory_quotes: int = 20,
) -> EngineRun:
    """Load the plant into the engine, then time every quote on the state (in order)."""
    horizon, solver = engine_settings()
    loads = [timed_load(doc, as_of, horizon) for _ in range(LOAD_REPEATS)]
    state = loads[-1][2]
    if quotes:
        engine_check(state, quotes[0], solver)  # warm-up: imports, first CP-SAT solve
    samples = [engine_check(state, quote, solver) for quote in quotes]
    peak = tracemalloc_peak(doc, _memory_sample(quotes, memory_quotes), as_of)
    return EngineRun(
        plant_ms=statistics.median(plant_ms for plant_ms, _, _ in loads),
        build_ms=statistics.median(build_ms for _, build_ms, _ in loads),
        tracemalloc_peak_bytes=peak,
        samples=samples,
        process_hwm_kb=proc_status_kb(os.getpid(), "VmHWM"),
    )


def timed_load(doc: Document, as_of: date, horizon: int) -> tuple[float, float, PlanningState]:
    """Milliseconds of plant_from_document and of PlanningState.build, and the state."""
    start = time.perf_counter()
    plant = plant_from_document(doc)
    built = time.perf_counter()
    state = PlanningState.build(plant, as_of, horizon)
    return (built - start) * 1000, (time.perf_counter() - built) * 1000, state


def _memory_sample(quotes: Sequence[Document], per_size: int) -> list[Document]:
    """The first ``per_size`` quotes of each line count (tracemalloc makes checks slow)."""
    taken: Counter[int] = Counter()
    chosen = []
    for quote in quotes:
        size = len(quote["lines"])
        if taken[size] < per_size:
            taken[size] += 1
            chosen.append(quote)
    return chosen


def tracemalloc_peak(doc: Document, quotes: Sequence[Document], as_of: date) -> int:
    """Peak of Python-traced memory for load + checks (CP-SAT's C++ memory is not traced)."""
    horizon, solver = engine_settings()
    tracemalloc.start()
    try:
        state = PlanningState.build(plant_from_document(doc), as_of, horizon)
        for quote in quotes:
            engine_check(state, quote, solver)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def proc_status_kb(pid: int, key: str) -> int | None:
    """A kB field of /proc/<pid>/status (VmHWM: peak resident set), None off Linux."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return None


# --- the service path ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def orderpromise_command() -> str:
    beside = Path(sys.executable).with_name("orderpromise")
    found = str(beside) if beside.exists() else shutil.which("orderpromise")
    if found is None:
        raise RuntimeError("the orderpromise command is not installed (make setup)")
    return found


@contextmanager
def server(database_url: str, log_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`orderpromise serve` on a free port (auth off), stopped on exit."""
    port = free_port()
    # The server imports the same checkout as this process (not another editable install).
    python_path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    env = os.environ | {
        "PROMISE_AUTH": "off",
        "PROMISE_DATABASE_URL": database_url,
        "PYTHONPATH": python_path,
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own command, no shell)
            [orderpromise_command(), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process, f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(client: httpx.Client, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log_path.read_text(errors='replace')}")
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the server was not ready in {SERVER_READY_SECONDS} s")


def http_check(client: httpx.Client, quote: Document) -> Sample:
    size = len(quote["lines"])
    start = time.perf_counter()
    response = client.post("/v1/checks", json=quote)
    ms = (time.perf_counter() - start) * 1000
    if response.status_code != 201:
        return Sample(quote["quote_ref"], size, ms, "error", f"HTTP {response.status_code}", ())
    body = response.json()
    methods = tuple(line["method"] for line in body["lines"])
    return Sample(quote["quote_ref"], size, ms, decided_by(methods), body["status"], methods)


def run_service(doc: Document, quotes: Sequence[Document], workdir: Path) -> ServiceRun:
    """Fresh SQLite file, migrate, serve, PUT the plant, first check cold, then every quote."""
    url = f"sqlite:///{workdir / 'bench.db'}"
    start = time.perf_counter()
    upgrade_to_head(url)
    migrate_ms = (time.perf_counter() - start) * 1000
    body = json.dumps(doc).encode()
    log_path = workdir / "server.log"
    with (
        server(url, log_path) as (process, base_url),
        httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_SECONDS) as client,
    ):
        start = time.perf_counter()
        wait_ready(client, process, log_path)
        ready_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        response = client.put(
            "/v1/dataset", content=body, headers={"content-type": "application/json"}
        )
        put_ms = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"PUT /v1/dataset: {response.status_code} {response.text[:2000]}")
        first = http_check(client, quotes[0])
        warm = http_check(client, quotes[0])
        samples = [http_check(client, quote) for quote in quotes]
        return ServiceRun(
            migrate_ms=migrate_ms,
            ready_ms=ready_ms,
            put_ms=put_ms,
            first_check_ms=first.ms,
            warm_check_ms=warm.ms,
            samples=samples,
            server_hwm_kb=proc_status_kb(process.pid, "VmHWM"),
            server_rss_kb=proc_status_kb(process.pid, "VmRSS"),
        )


# --- where the time goes ------------------------------------------------------------------

# Engine functions timed for the breakdown; none of them calls another one of the list, but for
# the explanation: the CP-SAT models it builds and solves count in the CP-SAT rows too.
_TIMED: tuple[tuple[str, Any, str], ...] = (
    ("stock/purchase/fast rules", engine, "_decide_by_rules"),
    ("relaxed lower bounds", engine, "relaxed_earliest_day"),
    ("relaxed lower bounds", engine, "relaxed_most_qty"),
    ("greedy plans", greedy, "greedy_plan"),
    ("CP-SAT model build (Python)", cpsat_model, "_build"),
    ("CP-SAT solve (C++)", cpsat_model, "_solve"),
    ("plan extraction", cpsat_model, "extract_plan"),
    ("plan validation", engine, "plan_violations"),
    ("explanation (with its CP-SAT solves)", explain, "binding_constraints"),
)


@contextmanager
def timed_engine(breakdown: Breakdown) -> Iterator[None]:
    """Wrap the engine functions of ``_TIMED`` (and the CP-SAT line) with timers; restore after."""
    originals: list[tuple[Any, str, Any]] = []

    def wrap(label: str, module: Any, name: str) -> None:
        original = getattr(module, name)
        originals.append((module, name, original))

        @wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if name == "_solve":
                solve_model = args[0].proto
                breakdown.max_variables = max(breakdown.max_variables, len(solve_model.variables))
                breakdown.max_constraints = max(
                    breakdown.max_constraints, len(solve_model.constraints)
                )
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                ms = (time.perf_counter() - start) * 1000
                breakdown.parts_ms[label] += ms
                if name == "_solve":
                    goal = args[3].name if len(args) > 3 else str(kwargs.get("goal"))
                    breakdown.solves[goal] += 1
                    breakdown.solve_ms[goal] += ms

        setattr(module, name, timed)

    def wrap_cpsat_line() -> None:
        original = engine._decide_by_cpsat
        originals.append((engine, "_decide_by_cpsat", original))

        @wraps(original)
        def line(*args: Any, **kwargs: Any) -> Any:
            before = breakdown.solves.total()
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                breakdown.cpsat_line_ms.append((time.perf_counter() - start) * 1000)
                breakdown.solves_per_cpsat_line.append(breakdown.solves.total() - before)

        engine._decide_by_cpsat = line

    try:
        for label, module, name in _TIMED:
            wrap(label, module, name)
        wrap_cpsat_line()
        yield
    finally:
        for module, name, original in reversed(originals):
            setattr(module, name, original)


def profile_slowest(
    doc: Document, samples: Sequence[Sample], quotes: Sequence[Document], as_of: date, count: int
) -> Breakdown | None:
    """Re-run the ``count`` slowest CP-SAT quotes: timed engine functions, then cProfile."""
    slowest = sorted((s for s in samples if s.group == "cp-sat"), key=lambda s: -s.ms)[:count]
    if not slowest:
        return None
    by_ref = {quote["quote_ref"]: quote for quote in quotes}
    chosen = [by_ref[sample.quote_ref] for sample in slowest]
    horizon, solver = engine_settings()
    state = PlanningState.build(plant_from_document(doc), as_of, horizon)
    breakdown = Breakdown(quotes=len(chosen))
    with timed_engine(breakdown):
        for quote in chosen:
            breakdown.total_ms += engine_check(state, quote, solver).ms
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for quote in chosen:
        engine_check(state, quote, solver)
    profiler.disable()
    breakdown.profiled_ms = (time.perf_counter() - start) * 1000
    breakdown.top_functions = top_functions(profiler, 15)
    return breakdown


def top_functions(profiler: cProfile.Profile, count: int) -> list[tuple[str, int, float, float]]:
    stats = pstats.Stats(profiler)
    rows = []
    # pstats keeps (file, line, name) -> (primitive calls, calls, own time, cumulative, callers).
    for (filename, line, name), (_, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((f"{_short(filename)}:{line}({name})", calls, own, cumulative))
    rows.sort(key=lambda row: -row[2])
    return rows[:count]


def _short(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    if filename.startswith(str(REPO_ROOT)):
        return filename[len(str(REPO_ROOT)) + 1 :]
    return filename


# --- one plant ----------------------------------------------------------------------------


def plant_shape(doc: Document, generate_ms: float) -> dict[str, int | float]:
    return {
        "items": len(doc["items"]),
        "resources": len(doc["resources"]),
        "BOM levels": bom_levels(doc),
        "supply + demand rows": len(doc["supply"]) + len(doc["demand"]),
        "load rows": len(doc["load"]),
        "JSON MB": round(len(json.dumps(doc)) / MB, 2),
        "generate ms": round(generate_ms, 1),
    }


def bom_levels(doc: Document) -> int:
    children: dict[str, list[str]] = {}
    for row in doc["bom"]:
        children.setdefault(row["parent"], []).append(row["component"])
    depth: dict[str, int] = {}

    def levels(sku: str) -> int:
        if sku not in depth:
            depth[sku] = 1 + max((levels(child) for child in children.get(sku, ())), default=0)
        return depth[sku]

    return max((levels(item["sku"]) for item in doc["items"]), default=0)


def plant_quotes(doc: Document, options: Options) -> list[Document]:
    one = random_quotes(doc, options.quotes, 1, seed=options.seed, as_of=options.as_of)
    many = random_quotes(
        doc, options.multi_quotes, options.lines, seed=options.seed + 1, as_of=options.as_of
    )
    return one + many


def bench_plant(
    name: str, doc: Document, options: Options, generate_ms: float = 0.0
) -> PlantReport:
    """Everything for one plant: the engine path, the service path (``options.http``), profile."""
    quotes = plant_quotes(doc, options)
    report = PlantReport(
        name,
        plant_shape(doc, generate_ms),
        run_engine(doc, quotes, options.as_of, memory_quotes=options.memory_quotes),
    )
    if options.http and quotes:
        with tempfile.TemporaryDirectory(prefix="orderpromise-bench-") as tmp:
            report.service = run_service(doc, quotes, Path(tmp))
    if options.profile_quotes:
        report.breakdown = profile_slowest(
            doc, report.engine.samples, quotes, options.as_of, options.profile_quotes
        )
    return report


# --- output -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _mb(kb_or_bytes: float | None, *, unit: int = 1024) -> str:
    return "-" if kb_or_bytes is None else f"{kb_or_bytes * unit / MB:,.0f}"


def _verdict(value: float | None, limit: float | None) -> str:
    if limit is None or value is None:
        return ""
    return "[green]met[/green]" if value < limit else "[bold red]MISSED[/bold red]"


def render(reports: Sequence[PlantReport], console: Console, options: Options) -> None:
    console.print(_machine_table())
    console.print(_shape_table(reports))
    console.print(_load_table(reports))
    console.print(_latency_table(reports, options))
    console.print(_mix_table(reports))
    for report in reports:
        if report.breakdown is not None:
            console.print(_breakdown_summary(report.name, report.breakdown))
            console.print(_breakdown_table(report.name, report.breakdown))
            console.print(_profile_table(report.name, report.breakdown))


def _machine_table() -> Table:
    horizon, solver = engine_settings()
    table = Table(title="Machine and settings", show_header=False)
    table.add_row("cpus", str(os.cpu_count()))
    table.add_row("python", sys.version.split()[0])
    if hasattr(os, "getloadavg"):
        averages = ", ".join(f"{load:.2f}" for load in os.getloadavg())
        table.add_row("load average 1/5/15 min (at the end)", averages)
    table.add_row("horizon days", str(horizon))
    table.add_row(
        "CP-SAT", f"{solver.workers} worker(s), time limit {solver.time_limit_seconds:g} s"
    )
    return table


def _shape_table(reports: Sequence[PlantReport]) -> Table:
    table = Table(title="Plants")
    table.add_column("plant")
    keys = list(reports[0].shape) if reports else []
    for key in keys:
        table.add_column(key, justify="right")
    for report in reports:
        table.add_row(report.name, *(f"{report.shape[key]:,}" for key in keys))
    return table


def _load_table(reports: Sequence[PlantReport]) -> Table:
    table = Table(title="Load and memory (ms, MB)")
    for column in ("plant", "measure", "value", "target", "verdict"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for report in reports:
        load_limit = LOAD_TARGET_MS.get(report.name)
        load_target = f"< {load_limit:,.0f} ms" if load_limit else ""
        mem_target = f"< {MEMORY_TARGET_MB:,.0f} MB"
        engine_run = report.engine
        rows: list[tuple[str, str, str, str]] = [
            ("engine: plant_from_document", _ms(engine_run.plant_ms), "", ""),
            ("engine: PlanningState.build", _ms(engine_run.build_ms), "", ""),
            (
                "engine: load total",
                _ms(engine_run.load_ms),
                load_target,
                _verdict(engine_run.load_ms, load_limit),
            ),
            (
                "engine: tracemalloc peak (Python heap)",
                _mb(engine_run.tracemalloc_peak_bytes, unit=1),
                "",
                "",
            ),
            (
                "bench process VmHWM (cumulative)",
                _mb(engine_run.process_hwm_kb),
                mem_target,
                _verdict(_kb_to_mb(engine_run.process_hwm_kb), MEMORY_TARGET_MB),
            ),
        ]
        service = report.service
        if service is not None:
            cold_load = service.put_ms + service.first_check_ms
            rows += [
                ("service: migrate fresh SQLite", _ms(service.migrate_ms), "", ""),
                ("service: start to /readyz 200", _ms(service.ready_ms), "", ""),
                ("service: PUT /v1/dataset", _ms(service.put_ms), "", ""),
                ("service: first check (cold cache)", _ms(service.first_check_ms), "", ""),
                ("service: same check again (warm)", _ms(service.warm_check_ms), "", ""),
                (
                    "service: PUT + first check",
                    _ms(cold_load),
                    load_target,
                    _verdict(cold_load, load_limit),
                ),
                (
                    "server VmHWM after the run",
                    _mb(service.server_hwm_kb),
                    mem_target,
                    _verdict(_kb_to_mb(service.server_hwm_kb), MEMORY_TARGET_MB),
                ),
                ("server VmRSS after the run", _mb(service.server_rss_kb), "", ""),
            ]
        for measure, value, target, verdict in rows:
            table.add_row(report.name, measure, value, target, verdict)
        table.add_section()
    return table


def _kb_to_mb(kb: int | None) -> float | None:
    return None if kb is None else kb / 1024


def _runs(report: PlantReport) -> list[tuple[Route, list[Sample]]]:
    runs: list[tuple[Route, list[Sample]]] = [("engine", report.engine.samples)]
    if report.service is not None:
        runs.append(("http", report.service.samples))
    return runs


def _latency_table(reports: Sequence[PlantReport], options: Options) -> Table:
    table = Table(title="Check latency (ms; fast = every line by stock/purchase/fast)")
    for column in ("plant", "path", "lines", "decided by", "n", "p50", "p95", "max"):
        table.add_column(column, justify="left" if column in {"plant", "path"} else "right")
    table.add_column("target (p95)")
    table.add_column("verdict")
    for report in reports:
        for path, samples in _runs(report):
            for size in sorted({1, options.lines}):
                sized = [s for s in samples if s.lines == size]
                for group in ("fast", "cp-sat", "error", "all"):
                    chosen = sized if group == "all" else [s for s in sized if s.group == group]
                    if group == "error" and not chosen:
                        continue
                    times = [s.ms for s in chosen]
                    p95 = percentile(times, 95)
                    limit = LATENCY_TARGETS_MS.get((report.name, path, size, group))
                    table.add_row(
                        report.name,
                        path,
                        str(size),
                        group,
                        str(len(chosen)),
                        _ms(percentile(times, 50)),
                        _ms(p95),
                        _ms(max(times, default=None)),
                        f"< {limit:,.0f}" if limit else "",
                        _verdict(p95, limit),
                    )
            table.add_section()
    return table


def _mix_table(reports: Sequence[PlantReport]) -> Table:
    statuses = ("feasible", "counter_proposal", "infeasible")
    methods = ("stock", "purchase", "fast", "cp-sat")
    table = Table(title="Status mix (quotes) and methods (lines)")
    for column in ("plant", "path", "lines", *statuses, "other", *(f"{m} lines" for m in methods)):
        table.add_column(column, justify="left" if column in {"plant", "path"} else "right")
    for report in reports:
        for path, samples in _runs(report):
            for size in sorted({s.lines for s in samples}):
                sized = [s for s in samples if s.lines == size]
                status_count = Counter(s.status for s in sized)
                method_count = Counter(m for s in sized for m in s.methods)
                other = sum(n for status, n in status_count.items() if status not in statuses)
                table.add_row(
                    report.name,
                    path,
                    str(size),
                    *(str(status_count[status]) for status in statuses),
                    str(other),
                    *(str(method_count[method]) for method in methods),
                )
    return table


def _breakdown_summary(name: str, breakdown: Breakdown) -> str:
    lines = breakdown.solves_per_cpsat_line
    mean = statistics.fmean(lines) if lines else 0.0
    return (
        f"{name}: the {breakdown.quotes} slowest CP-SAT quotes again, engine functions timed "
        f"(no profiler): {len(lines)} CP-SAT lines, {mean:.1f} solves per CP-SAT line "
        f"(max {max(lines, default=0)}), CP-SAT line p50 {_ms(percentile(breakdown.cpsat_line_ms, 50))}"
        f" ms, max {_ms(max(breakdown.cpsat_line_ms, default=None))} ms; largest model "
        f"{breakdown.max_variables:,} variables, {breakdown.max_constraints:,} constraints"
    )


def _breakdown_table(name: str, breakdown: Breakdown) -> Table:
    title = f"{name}: where the time of the {breakdown.quotes} slowest CP-SAT quotes goes"
    table = Table(title=title)
    table.add_column("part")
    table.add_column("ms", justify="right")
    table.add_column("share", justify="right")
    total = breakdown.total_ms or 1.0
    rest = breakdown.total_ms - sum(breakdown.parts_ms.values())
    for label, ms in [
        *sorted(breakdown.parts_ms.items(), key=lambda part: -part[1]),
        ("rest (quote loop, state deltas)", rest),
    ]:
        table.add_row(label, _ms(ms), f"{100 * ms / total:.0f} %")
    for goal, count in breakdown.solves.most_common():
        ms = breakdown.solve_ms[goal]
        table.add_row(
            f"  solves for {goal}: {count}, mean {ms / count:.1f} ms",
            _ms(ms),
            f"{100 * ms / total:.0f} %",
        )
    table.add_row("total", _ms(breakdown.total_ms), "100 %")
    return table


def _profile_table(name: str, breakdown: Breakdown) -> Table:
    table = Table(
        title=f"{name}: cProfile of the same quotes, by own time "
        f"(wall {breakdown.profiled_ms:,.0f} ms under the profiler)"
    )
    for column in ("function", "calls", "own s", "cumulative s"):
        table.add_column(column, justify="left" if column == "function" else "right")
    for function, calls, own, cumulative in breakdown.top_functions:
        table.add_row(function, f"{calls:,}", f"{own:.3f}", f"{cumulative:.3f}")
    return table


# --- command line -------------------------------------------------------------------------

cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    *,
    plant: Annotated[str, typer.Option(help="medium, large or both.")] = "both",
    quotes: Annotated[int, typer.Option(help="1-line quotes per plant.", min=1)] = 200,
    multi_quotes: Annotated[
        int | None, typer.Option(help="Multi-line quotes per plant (default quotes / 2).", min=0)
    ] = None,
    lines: Annotated[int, typer.Option(help="Lines per multi-line quote.", min=2)] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the random quotes.")] = 1,
    as_of: Annotated[
        str, typer.Option(help="Day 0 of the plants and the quotes.")
    ] = DEFAULT_AS_OF.isoformat(),
    http: Annotated[bool, typer.Option(help="Also measure the service over HTTP.")] = True,
    profile: Annotated[int, typer.Option(help="Slowest CP-SAT quotes to profile.", min=0)] = 10,
    allocations: Annotated[
        bool, typer.Option(help="Share a third of the finished items out by allocations.")
    ] = False,
) -> None:
    """Time checks and loading on the benchmark plants; print the figures next to the targets."""
    if plant not in {"medium", "large", "both"}:
        raise typer.BadParameter("medium, large or both", param_hint="--plant")
    options = Options(
        as_of=date.fromisoformat(as_of),
        quotes=quotes,
        multi_quotes=quotes // 2 if multi_quotes is None else multi_quotes,
        lines=lines,
        seed=seed,
        profile_quotes=profile,
        http=http,
    )
    console = Console()
    if not console.is_terminal:
        console = Console(width=OUTPUT_WIDTH)
    reports = []
    for name in ("medium", "large") if plant == "both" else (plant,):
        console.print(f"[bold]{name}[/bold]: generating, then engine path, service path, profile")
        start = time.perf_counter()
        doc = PLANTS[name](options.as_of)
        if allocations:
            doc = with_allocations(doc, options.as_of)
        generate_ms = (time.perf_counter() - start) * 1000
        reports.append(bench_plant(name, doc, options, generate_ms))
    console.print(
        f"command: .venv/bin/python -m bench.check_latency --plant {plant} --quotes {quotes}"
        f"{' --allocations' if allocations else ''}"
        f" (multi-line {options.multi_quotes} x {lines} lines, seed {seed}, as_of {as_of})"
    )
    render(reports, console, options)


if __name__ == "__main__":
    cli()
