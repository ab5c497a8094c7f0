"""Holds per second with 1, 2 and 4 server processes on PostgreSQL, and their latency.

    .venv/bin/python -m bench.hold_throughput [--holds 150] [--threads 8] [--processes 1 2 4]

Each run gets a fresh PostgreSQL database, starts the processes (`orderpromise serve`), loads
the medium bench plant, and fires random one-line holds from many threads, spread round-robin
over the processes. Holds take the reservations lock (docs/concurrency.md), so this measures
how far the lock lets holds scale.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from bench.plants import medium, random_quotes
from tests.support.servers import fresh_database, servers

AS_OF = date(2026, 12, 1)
console = Console()


def run(processes: int, holds: int, threads: int) -> dict[str, Any]:
    doc = medium(AS_OF)
    quotes = random_quotes(doc, holds, 1, seed=processes, as_of=AS_OF)
    bodies = [quote | {"hold_minutes": 30} for quote in quotes]
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database("postgresql", Path(tmp)) as url,
        servers(url, processes, Path(tmp)) as procs,
    ):
        loaded = httpx.put(f"{procs[0].url}/v1/dataset", json=doc, timeout=120)
        loaded.raise_for_status()
        clients = [httpx.Client(base_url=p.url, timeout=300) for p in procs]
        # Warm every process's planning cache, as a running service would be.
        for client in clients:
            client.post("/v1/checks", json=quotes[0]).raise_for_status()

        def hold(numbered: tuple[int, dict[str, Any]]) -> tuple[int, float]:
            n, body = numbered
            started = time.perf_counter()
            response = clients[n % len(clients)].post("/v1/promises", json=body)
            return response.status_code, time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            answers = list(pool.map(hold, enumerate(bodies)))
        wall = time.perf_counter() - started
        for client in clients:
            client.close()
    latencies = sorted(seconds for _, seconds in answers)
    codes = [code for code, _ in answers]
    return {
        "processes": processes,
        "holds": len(answers),
        "per_second": len(answers) / wall,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "max": latencies[-1],
        "held": codes.count(201),
        "refused": codes.count(409),
        "other": len(codes) - codes.count(201) - codes.count(409),
    }


def main(
    holds: Annotated[int, typer.Option(help="Holds per run.")] = 150,
    threads: Annotated[int, typer.Option(help="Client threads.")] = 8,
    processes: Annotated[list[int] | None, typer.Option(help="Server process counts.")] = None,
) -> None:
    table = Table(title=f"Holds on PostgreSQL, medium plant, {threads} client threads")
    for column in (
        "processes",
        "holds",
        "holds/s",
        "p50 ms",
        "p95 ms",
        "max ms",
        "201",
        "409",
        "other",
    ):
        table.add_column(column, justify="right")
    for count in processes or [1, 2, 4]:
        figures = run(count, holds, threads)
        table.add_row(
            str(figures["processes"]),
            str(figures["holds"]),
            f"{figures['per_second']:.1f}",
            f"{figures['p50'] * 1000:.0f}",
            f"{figures['p95'] * 1000:.0f}",
            f"{figures['max'] * 1000:.0f}",
            str(figures["held"]),
            str(figures["refused"]),
            str(figures["other"]),
        )
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
