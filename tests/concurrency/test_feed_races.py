"""Feed changes racing holds and confirms on 3 server processes on PostgreSQL: however they
interleave, the live promises not at risk fit together afterwards (tests/oracles/promises_fit)."""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.oracles import promises_fit
from tests.scarce_plant import HORIZON_DAYS, STOCK_UNITS, one_unit, scarce_dataset, servers_as_of
from tests.support.servers import fresh_database, servers

pytestmark = pytest.mark.concurrency
AS_OF = servers_as_of()  # real processes use the real clock
THREADS = 12

Call = Callable[[httpx.Client], httpx.Response]


def hold(n: int, rng: random.Random) -> Call:
    sku = rng.choice(["STOCKED", "MADE"])
    body = one_unit(sku, f"Q-{n}", day=rng.randint(2, HORIZON_DAYS - 1), as_of=AS_OF)
    if sku == "STOCKED":
        body["lines"][0]["qty"] = rng.randint(1, 4)
    return lambda client: client.post("/v1/promises", json=body)


def feed_change(n: int, rng: random.Random) -> Call:
    day = (AS_OF + timedelta(days=rng.randint(0, HORIZON_DAYS - 1))).isoformat()
    kind = rng.choice(["stock", "load", "unload"])
    if kind == "stock":
        on_hand = {"on_hand": rng.randint(STOCK_UNITS // 3, STOCK_UNITS)}
        return lambda client: client.put("/v1/inventory/STOCKED", json=on_hand)
    if kind == "load":
        load = {"resource": "CELL", "date": day, "minutes": rng.choice([30, 60])}
        return lambda client: client.put(f"/v1/load/WO-{n % 6}", json=load)
    return lambda client: client.delete(f"/v1/load/WO-{n % 6}")


def confirm(promise_id: str) -> Call:
    return lambda client: client.post(f"/v1/promises/{promise_id}/confirm")


def run_all(clients: list[httpx.Client], calls: list[Call]) -> list[httpx.Response]:
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda nc: nc[1](clients[nc[0] % len(clients)]), enumerate(calls)))


def live(client: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for status in ("confirmed", "held"):
        found += client.get("/v1/promises", params={"status": status, "limit": 500}).json()["items"]
    return found


def assert_not_at_risk_fit(client: httpx.Client) -> list[dict[str, Any]]:
    dataset = client.get("/v1/dataset").json()
    safe = [p for p in live(client) if p["at_risk"] is None]
    assert promises_fit.misfits(dataset, safe, AS_OF, HORIZON_DAYS) == []
    return safe


def test_feed_changes_racing_holds_and_confirms_leave_the_promises_fitting(
    tmp_path: Path,
) -> None:
    rng = random.Random(1515)
    with (
        fresh_database("postgresql", tmp_path) as database,
        servers(database, 3, tmp_path, PROMISE_HORIZON_DAYS=str(HORIZON_DAYS)) as procs,
    ):
        clients = [httpx.Client(base_url=p.url, timeout=120) for p in procs]
        assert clients[0].put("/v1/dataset", json=scarce_dataset()).status_code == 200

        holds = [hold(n, rng) for n in range(40)]
        calls = holds + [feed_change(n, rng) for n in range(20)]
        rng.shuffle(calls)
        answers = run_all(clients, calls)
        held = [
            a.json()["id"]
            for call, a in zip(calls, answers, strict=True)
            if call in holds and a.status_code == 201
        ]
        assert {a.status_code for a in answers} <= {200, 201, 404, 409}, [
            a.text for a in answers if a.status_code not in (200, 201, 404, 409)
        ]
        assert_not_at_risk_fit(clients[0])

        # Confirm every hold while the feed keeps changing.
        assert held
        calls = [confirm(promise_id) for promise_id in held] + [
            feed_change(100 + n, rng) for n in range(20)
        ]
        rng.shuffle(calls)
        answers = run_all(clients, calls)
        assert {a.status_code for a in answers} <= {200, 201, 404, 409}
        safe = assert_not_at_risk_fit(clients[1])
        assert safe
        for client in clients:
            client.close()
