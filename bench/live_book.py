"""Checks and holds against a book of live promises: what a check costs as the holds pile up.

    .venv/bin/python -m bench.live_book [--database sqlite --database postgresql]
        [--book 0 --book 100 --book 300] [--checks 100] [--holds 40]

For each database and book size: a fresh database, one ``orderpromise serve`` process, the
medium plant (:mod:`bench.plants`), ``--book`` one-line holds of finished goods placed one after
the other (30 minutes each, so none runs out), then ``--checks`` one-line checks and ``--holds``
one-line holds of other random quotes, one client, one request at a time. It prints, per phase,
p50 / p95 / max latency (client wall time) and the server process's CPU milliseconds per
request (from /proc), and the rows the book reserves. Every check and hold reads what live
promises reserve: without a cache that read grows with the book. A benchmark: it exits 0.
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from bench.plants import Document, finished_goods_quotes, medium
from tests.support.servers import fresh_database, servers

console = Console()


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children that were waited for (/proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _phase(
    client: httpx.Client, pid: int, path: str, bodies: Sequence[dict[str, Any]]
) -> dict[str, float]:
    latencies = []
    cpu_before = _cpu_seconds(pid)
    for body in bodies:
        started = time.perf_counter()
        response = client.post(path, json=body)
        latencies.append(time.perf_counter() - started)
        if response.status_code not in (201, 409):
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    cpu = _cpu_seconds(pid) - cpu_before
    latencies.sort()
    return {
        "p50": statistics.median(latencies) * 1000,
        # Nearest rank: at least the median, whatever the count.
        "p95": latencies[math.ceil(0.95 * len(latencies)) - 1] * 1000,
        "max": latencies[-1] * 1000,
        "cpu": cpu * 1000 / len(bodies),
    }


def run(
    database: str, book: int, checks: int, holds: int, doc: Document | None = None
) -> dict[str, Any]:
    """The figures of one database and book size (``doc``: the medium plant, for today)."""
    today = datetime.now(UTC).date()  # holds start today: day 0 is today
    doc = doc or medium(today)
    quotes = finished_goods_quotes(doc, book + checks + holds, 1, seed=2024, as_of=today)
    booked, checked, held = quotes[:book], quotes[book : book + checks], quotes[book + checks :]
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(database, Path(tmp)) as url,
        servers(url, 1, Path(tmp)) as procs,
        httpx.Client(base_url=procs[0].url, timeout=300) as client,
    ):
        client.put("/v1/dataset", json=doc).raise_for_status()
        client.post("/v1/checks", json=quotes[0]).raise_for_status()  # warm the planning cache
        for body in booked:
            client.post("/v1/promises", json=body | {"hold_minutes": 30})
        pid = procs[0].process.pid
        figures = {
            "check": _phase(client, pid, "/v1/checks", checked),
            "hold": _phase(
                client, pid, "/v1/promises", [body | {"hold_minutes": 30} for body in held]
            ),
        }
    return {"database": database, "book": book, "figures": figures}


def main(
    database: Annotated[list[str] | None, typer.Option(help="sqlite and/or postgresql.")] = None,
    book: Annotated[list[int] | None, typer.Option(help="Live holds placed first.")] = None,
    checks: Annotated[int, typer.Option(help="Checks timed per run.", min=1)] = 100,
    holds: Annotated[int, typer.Option(help="Holds timed per run.", min=1)] = 40,
) -> None:
    table = Table(title="One client against a book of live holds (medium plant, one process)")
    for column in ("database", "book", "kind", "p50 ms", "p95 ms", "max ms", "server CPU ms"):
        table.add_column(column, justify="right")
    for kind in database or ["sqlite", "postgresql"]:
        for size in book or [0, 100, 300]:
            result = run(kind, size, checks, holds)
            for phase, figures in result["figures"].items():
                table.add_row(
                    kind,
                    str(size),
                    phase,
                    f"{figures['p50']:.1f}",
                    f"{figures['p95']:.1f}",
                    f"{figures['max']:.0f}",
                    f"{figures['cpu']:.1f}",
                )
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
