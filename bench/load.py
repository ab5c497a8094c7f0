"""Checks and holds under load: N concurrent clients against real server processes.

    .venv/bin/python -m bench.load [--plant medium --plant large] [--database sqlite ...]
        [--clients 1 --clients 4 --clients 16] [--requests 150] [--seconds 40] [--processes 2]

For each database (a fresh SQLite file or PostgreSQL database) and plant (:mod:`bench.plants`)
it starts ``--processes`` ``orderpromise serve`` processes, loads the plant, warms each
process with one check, then for every kind of request (one-line checks, five-line checks and,
on PostgreSQL, one-line holds) and client count fires distinct random quotes of finished goods
(:func:`bench.plants.finished_goods_quotes`) from that many client threads, round-robin over the
processes. Each run stops after ``--requests`` requests or ``--seconds`` seconds, whichever comes
first. It prints requests per second, p50, p95 and max latency (client wall time), the HTTP
codes, the method mix of the lines and the load average, and, for holds, their rate against
the checks of the same quotes with the same clients.

Checks reserve nothing, so every check run sees the same state; holds reserve (30 minutes), so
the hold run comes last and each hold sees the ones before it. A benchmark, not a test: it exits
0 whatever the figures are.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from bench.plants import Document, finished_goods_quotes, large, medium
from tests.support.servers import fresh_database, servers

PLANTS: dict[str, Callable[..., Document]] = {"medium": medium, "large": large}
KINDS = ("check-1", "check-5", "hold-1")
HOLD_CLIENTS = 16
HTTP_TIMEOUT_SECONDS = 120.0
REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    database: str
    plant: str
    kind: str
    clients: int
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    codes: dict[int, int]
    methods: dict[str, int]
    load_average: tuple[float, float, float]
    # Holds: their rate over the rate of the checks of the same quotes with as many clients.
    vs_checks: float | None = None
    # Holds: where the plans they reserved came from (orderpromise_hold_answers of the servers).
    hold_sources: dict[str, int] = field(default_factory=dict)


@dataclass
class Options:
    requests: int = 150
    seconds: float = 40.0
    processes: int = 2
    clients: Sequence[int] = (1, 4, 16)
    kinds: Sequence[str] = KINDS
    seed: int = 1
    # Generates the plant document for day 0; the named plants unless a test gives its own.
    plants: dict[str, Callable[..., Document]] = field(default_factory=lambda: dict(PLANTS))


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank, as bench.check_latency."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def fire(
    clients: Sequence[httpx.Client],
    path: str,
    bodies: Sequence[Document],
    threads: int,
    seconds: float,
) -> tuple[float, list[tuple[int, float, tuple[str, ...]]]]:
    """POST every body (or as many as fit in ``seconds``) from ``threads`` threads."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    queue = iter(enumerate(bodies))
    answers: list[tuple[int, float, tuple[str, ...]]] = []

    def client_loop() -> None:
        while time.monotonic() < deadline:
            with lock:
                numbered = next(queue, None)
            if numbered is None:
                return
            n, body = numbered
            started = time.perf_counter()
            response = clients[n % len(clients)].post(path, json=body)
            elapsed = time.perf_counter() - started
            with lock:
                answers.append((response.status_code, elapsed, _methods(response)))

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(client_loop) for _ in range(threads)]:
            future.result()
    return time.perf_counter() - started, answers


def _methods(response: httpx.Response) -> tuple[str, ...]:
    if response.status_code not in {201, 409}:
        return ()
    body = response.json()
    check = body.get("check", body)
    return tuple(line["method"] for line in check.get("lines", ()))


def summarise(
    database: str, plant: str, kind: str, *, clients: int, wall: float, answers: list[Any]
) -> Run:
    latencies = [seconds * 1000 for _, seconds, _ in answers] or [0.0]
    return Run(
        database=database,
        plant=plant,
        kind=kind,
        clients=clients,
        requests=len(answers),
        seconds=wall,
        per_second=len(answers) / wall if wall else 0.0,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        max_ms=max(latencies),
        codes=dict(Counter(code for code, _, _ in answers)),
        methods=dict(Counter(m for _, _, methods in answers for m in methods)),
        load_average=os.getloadavg(),
    )


@contextmanager
def service(database: str, plant_doc: Document, workdir: Path, processes: int) -> Iterator[Any]:
    """Fresh database, ``processes`` servers with the plant loaded and warmed, their clients."""
    # The servers import this checkout, not another editable install.
    path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    with (
        fresh_database(database, workdir) as url,
        servers(url, processes, workdir, PYTHONPATH=path) as procs,
    ):
        httpx.put(
            f"{procs[0].url}/v1/dataset", json=plant_doc, timeout=HTTP_TIMEOUT_SECONDS
        ).raise_for_status()
        clients = [
            httpx.Client(
                base_url=p.url,
                timeout=HTTP_TIMEOUT_SECONDS,
                limits=httpx.Limits(max_connections=HOLD_CLIENTS * 2),
            )
            for p in procs
        ]
        try:
            yield clients
        finally:
            for client in clients:
                client.close()


def bench_database(database: str, options: Options, console: Console) -> list[Run]:
    runs: list[Run] = []
    today = datetime.now(UTC).date()
    for name, make_plant in options.plants.items():
        doc = make_plant(today)
        with (
            tempfile.TemporaryDirectory() as tmp,
            service(database, doc, Path(tmp), options.processes) as clients,
        ):
            warm = finished_goods_quotes(doc, 1, 1, seed=0, as_of=today)[0]
            for client in clients:
                client.post("/v1/checks", json=warm)  # a slow first answer may be a 503
            check_rates: dict[int, float] = {}
            for kind in options.kinds:
                if kind == "hold-1" and database != "postgresql":
                    continue
                lines = 5 if kind == "check-5" else 1
                counts = options.clients
                if kind == "hold-1":
                    # Holds with the most clients (16 by default), after the checks.
                    counts = [HOLD_CLIENTS if HOLD_CLIENTS in counts else max(counts)]
                for count in counts:
                    # The same quotes for the one-line checks and the holds of a client count.
                    seed = options.seed * 1000 + count * 10 + lines
                    quotes = finished_goods_quotes(
                        doc, options.requests, lines, seed=seed, as_of=today
                    )
                    path = "/v1/checks"
                    if kind == "hold-1":
                        quotes = [q | {"hold_minutes": 30} for q in quotes]
                        path = "/v1/promises"
                    sources_before = hold_sources(clients)
                    wall, answers = fire(clients, path, quotes, count, options.seconds)
                    run = summarise(database, name, kind, clients=count, wall=wall, answers=answers)
                    if kind == "hold-1":
                        after = hold_sources(clients)
                        run.hold_sources = {k: after[k] - sources_before.get(k, 0) for k in after}
                    if kind == "check-1":
                        check_rates[count] = run.per_second
                    elif kind == "hold-1" and check_rates.get(count):
                        run.vs_checks = run.per_second / check_rates[count]
                    console.print(_line(run))
                    runs.append(run)
    return runs


def hold_sources(clients: Sequence[httpx.Client]) -> dict[str, int]:
    """orderpromise_hold_answers_total per source, summed over the server processes."""
    totals: Counter[str] = Counter()
    prefix = "orderpromise_hold_answers_total{source="
    for client in clients:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith(prefix):
                labels, value = line[len(prefix) :].rsplit(" ", 1)
                totals[labels.split("}")[0].strip('"')] += int(float(value))
    return dict(totals)


def _line(run: Run) -> str:
    sources = f", plans {run.hold_sources}" if run.hold_sources else ""
    return (
        f"{run.database} {run.plant} {run.kind} x{run.clients}: {run.requests} in "
        f"{run.seconds:.1f} s, {run.per_second:.1f}/s, p50 {run.p50_ms:.0f} ms, "
        f"p95 {run.p95_ms:.0f} ms, max {run.max_ms:.0f} ms, codes {run.codes}{sources}"
    )


def render(runs: Sequence[Run], console: Console) -> None:
    table = Table(title="Checks and holds under load (client wall time)")
    for column in (
        "database", "plant", "kind", "clients", "n", "req/s", "p50 ms", "p95 ms", "max ms",
        "x1 client", "codes", "lines: stock/purchase/fast/bounds/cp-sat", "load avg",
    ):  # fmt: skip
        table.add_column(column, justify="left" if column in {"database", "plant"} else "right")
    single = {
        (r.database, r.plant, r.kind): r.per_second
        for r in runs
        if r.clients == min(x.clients for x in runs)
    }
    for run in runs:
        base = single.get((run.database, run.plant, run.kind))
        scale = f"{run.per_second / base:.2f}" if base else ""
        if run.vs_checks is not None:
            scale = f"{run.vs_checks:.2f} of checks"
        mix = "/".join(
            str(run.methods.get(m, 0)) for m in ("stock", "purchase", "fast", "bounds", "cp-sat")
        )
        table.add_row(
            run.database,
            run.plant,
            run.kind,
            str(run.clients),
            str(run.requests),
            f"{run.per_second:.1f}",
            f"{run.p50_ms:.0f}",
            f"{run.p95_ms:.0f}",
            f"{run.max_ms:.0f}",
            scale,
            " ".join(f"{code}:{n}" for code, n in sorted(run.codes.items())),
            mix,
            " ".join(f"{x:.1f}" for x in run.load_average),
        )
    console.print(table)
    lines = sum(sum(r.methods.values()) for r in runs)
    without = sum(sum(n for m, n in r.methods.items() if m != "cp-sat") for r in runs)
    if lines:
        console.print(f"lines decided without CP-SAT: {without} of {lines} ({without / lines:.0%})")


cli = typer.Typer(add_completion=False)


@cli.command()
def main(
    *,
    plant: Annotated[list[str] | None, typer.Option(help="medium and/or large.")] = None,
    database: Annotated[list[str] | None, typer.Option(help="sqlite and/or postgresql.")] = None,
    clients: Annotated[list[int] | None, typer.Option(help="Client threads per run.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="check-1, check-5, hold-1.")] = None,
    requests: Annotated[int, typer.Option(help="Requests per run (at most).", min=1)] = 150,
    seconds: Annotated[float, typer.Option(help="Seconds per run (at most).", min=1)] = 40.0,
    processes: Annotated[int, typer.Option(help="Server processes.", min=1)] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the random quotes.")] = 1,
    json_out: Annotated[Path | None, typer.Option(help="Also write the runs as JSON.")] = None,
) -> None:
    """Throughput and latency of checks and holds with concurrent clients."""
    names = plant or ["medium", "large"]
    unknown = set(names) - set(PLANTS)
    if unknown:
        raise typer.BadParameter(f"unknown plant {sorted(unknown)}", param_hint="--plant")
    options = Options(
        requests=requests,
        seconds=seconds,
        processes=processes,
        clients=clients or [1, 4, 16],
        kinds=kind or list(KINDS),
        seed=seed,
        plants={name: PLANTS[name] for name in names},
    )
    console = Console(width=200) if not Console().is_terminal else Console()
    console.print(f"uptime load average at start: {os.getloadavg()}")
    runs: list[Run] = []
    for db in database or ["sqlite", "postgresql"]:
        runs += bench_database(db, options, console)
    render(runs, console)
    if json_out is not None:
        json_out.write_text(json.dumps([asdict(r) for r in runs], indent=1))
    console.print(
        f"median load average during runs: {statistics.median(r.load_average[0] for r in runs):.2f}"
    )


if __name__ == "__main__":
    cli()
