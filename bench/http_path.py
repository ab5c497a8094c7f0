"""What a check costs outside the engine: one client, one real server process, CPU time.

    .venv/bin/python -m bench.http_path [--rounds 5] [--checks 150] [--database sqlite]
        [--profile OUT.raw]

One ``orderpromise serve`` process on a fresh database (SQLite file or PostgreSQL database)
with the medium plant (:mod:`bench.plants`). Each round sends, one after the other from one
client over keep-alive HTTP,

* ``stock``: distinct one-line checks that stock or the fast method decides (an item with
  stock, at most a quarter of it, 20 to 60 days out): the engine takes about 0.1 ms of such a
  check, so its cost is nearly all the HTTP path (parsing, reading the state and the
  reservations, storing the check, the commit, the answer);
* ``finished``: distinct one-line checks of finished goods, the load bench's quotes
  (:func:`bench.plants.finished_goods_quotes`), engine included.

For each it prints the server's CPU time per check (utime + stime of the process from
/proc, so a loaded machine inflates it much less than wall time; it includes the server's
background threads) and the client's wall-time p50 and p95, each the median over the rounds.
Every quote is distinct, so the answer cache never answers one. With ``--profile`` one more
``stock`` round runs under ``py-spy record --gil`` (raw collapsed stacks). A benchmark, not a
test: it exits 0 whatever the figures are.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import httpx
import typer

from bench.load import REPO_ROOT, percentile
from bench.plants import Document, finished_goods_quotes, medium
from tests.support.servers import fresh_database, servers

HTTP_TIMEOUT_SECONDS = 120.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def stock_quotes(doc: Document, count: int, seed: int, as_of: date) -> list[Document]:
    """Distinct one-line checks of items with stock, at most a quarter of it, 20-60 days out."""
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not security)
    stocked = sorted(row["sku"] for row in doc["inventory"] if row["on_hand"] >= 4)
    on_hand = {row["sku"]: row["on_hand"] for row in doc["inventory"]}
    seen: set[tuple[str, int, int]] = set()
    quotes: list[Document] = []
    while len(quotes) < count:
        sku = rng.choice(stocked)
        line = (sku, rng.randint(1, on_hand[sku] // 4), rng.randint(20, 60))
        if line in seen:
            continue
        seen.add(line)
        quotes.append({
            "quote_ref": f"SQ-{seed}-{len(quotes) + 1:05d}",
            "customer": "Bench",
            "as_of": as_of.isoformat(),
            "lines": [{
                "line_ref": "1", "sku": line[0], "qty": line[1],
                "requested_date": (as_of + timedelta(days=line[2])).isoformat(),
            }],
        })  # fmt: skip
    return quotes


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all its threads (Linux /proc)."""
    user, system = user_system_seconds(pid)
    return user + system


def user_system_seconds(pid: int) -> tuple[float, float]:
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS


def one_round(client: httpx.Client, pid: int, quotes: list[Document]) -> tuple[float, list[float]]:
    """Server CPU ms per check and the client's wall ms of each check."""
    walls: list[float] = []
    cpu_before = cpu_seconds(pid)
    for quote in quotes:
        started = time.perf_counter()
        response = client.post("/v1/checks", json=quote)
        walls.append((time.perf_counter() - started) * 1000)
        if response.status_code != 201:
            raise RuntimeError(f"POST /v1/checks: {response.status_code} {response.text[:500]}")
    return (cpu_seconds(pid) - cpu_before) * 1000 / len(quotes), walls


Figures = dict[str, list[tuple[float, float, float]]]


def measure(
    doc: Document,
    *,
    rounds: int,
    checks: int,
    database: str = "sqlite",
    profile: Path | None = None,
    echo: Callable[[str], None] = typer.echo,
) -> Figures:
    """(server CPU ms per check, wall p50, wall p95) of each round, per kind of check."""
    today = datetime.now(UTC).date()
    path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    # Every quote distinct across rounds: no answer comes from the cache. One more of each
    # warms the server (the plant cache, imports, a first CP-SAT solve).
    stock = stock_quotes(doc, rounds * checks + 1, seed=7, as_of=today)
    finished = finished_goods_quotes(doc, rounds * checks + 1, 1, seed=1011, as_of=today)
    figures: Figures = {"stock": [], "finished": []}
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(database, Path(tmp)) as url,
        servers(url, 1, Path(tmp), PYTHONPATH=path) as (server,),
        httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT_SECONDS) as client,
    ):
        client.put("/v1/dataset", json=doc).raise_for_status()
        pid = server.process.pid
        for quotes in (stock, finished):
            client.post("/v1/checks", json=quotes.pop()).raise_for_status()
        for n in range(rounds):
            for kind, quotes in (("stock", stock), ("finished", finished)):
                cpu, walls = one_round(client, pid, quotes[n * checks : (n + 1) * checks])
                figures[kind].append((cpu, percentile(walls, 50), percentile(walls, 95)))
                echo(
                    f"round {n + 1} {kind}: server CPU {cpu:.2f} ms/check, wall p50 "
                    f"{percentile(walls, 50):.2f} ms, p95 {percentile(walls, 95):.2f} ms"
                )
        if profile is not None:
            extra = stock_quotes(doc, (rounds + 1) * checks + 1, seed=7, as_of=today)[-checks:]
            _profiled_round(client, pid, extra, profile)
    return figures


def _profiled_round(client: httpx.Client, pid: int, quotes: list[Document], out: Path) -> None:
    spy = subprocess.Popen(  # noqa: S603 (our own tool, no shell)
        [
            str(Path(sys.executable).with_name("py-spy")),
            *("record", "-r", "1000", "-f", "raw", "-o", str(out), "--pid", str(pid)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    one_round(client, pid, quotes)
    spy.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
    spy.wait(timeout=30)


def main(
    rounds: Annotated[int, typer.Option(min=1, help="Rounds of each kind.")] = 5,
    checks: Annotated[int, typer.Option(min=10, help="Checks per round.")] = 150,
    database: Annotated[str, typer.Option(help="sqlite or postgresql.")] = "sqlite",
    profile: Annotated[
        Path | None, typer.Option(help="py-spy raw output of one more stock round.")
    ] = None,
) -> None:
    doc = medium(datetime.now(UTC).date())
    figures = measure(doc, rounds=rounds, checks=checks, database=database, profile=profile)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    typer.echo(f"{database}, medium plant, {rounds} rounds of {checks} checks, load {load}:")
    for kind, rows in figures.items():
        cpu, p50, p95 = (statistics.median(column) for column in zip(*rows, strict=True))
        typer.echo(
            f"  {kind}: server CPU {cpu:.2f} ms/check, wall p50 {p50:.2f} ms, p95 {p95:.2f} ms "
            "(medians of the rounds)"
        )


if __name__ == "__main__":
    typer.run(main)
