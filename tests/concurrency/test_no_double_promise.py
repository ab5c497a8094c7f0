"""No double promise across real server processes, on PostgreSQL and on SQLite.

Many threads fire holds at several `orderpromise serve` processes sharing one database, at a plant
where only a known number of holds fit. Exactly that many succeed, every other answer is 409,
and afterwards the database holds exactly what the 201 answers promised.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.db.engine import create_db_engine, create_session_factory
from app.db.promises import PromiseCapacityRow, PromiseRow, PromiseStockRow
from tests.scarce_plant import (
    CAPACITY_UNITS,
    HORIZON_DAYS,
    MINUTES_PER_DAY,
    STOCK_UNITS,
    one_unit,
    scarce_dataset,
    servers_as_of,
)
from tests.support.servers import Server, fresh_database, servers

pytestmark = pytest.mark.concurrency
# Real processes use the real clock: a hold cannot start before today.
AS_OF = servers_as_of()
HOLDS_PER_ITEM = 60  # 120 holds for 35 that fit
THREADS = 24


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


def _load(server: Server) -> None:
    response = httpx.put(f"{server.url}/v1/dataset", json=scarce_dataset(), timeout=30)
    assert response.status_code == 200, response.text


def _burst() -> list[dict[str, Any]]:
    bodies = []
    for n in range(HOLDS_PER_ITEM):
        bodies.append(one_unit("STOCKED", f"Q-S{n}", as_of=AS_OF))
        bodies.append(one_unit("MADE", f"Q-M{n}", as_of=AS_OF))
    return bodies


def _database_totals(url: str) -> dict[str, Any]:
    engine = create_db_engine(url)
    try:
        with create_session_factory(engine)() as session:
            return {
                "units": session.scalar(select(func.coalesce(func.sum(PromiseStockRow.qty), 0))),
                "minutes": session.scalar(
                    select(func.coalesce(func.sum(PromiseCapacityRow.minutes), 0))
                ),
                "promises": {
                    row.id: row.status for row in session.scalars(select(PromiseRow)).all()
                },
                "reserving": set(
                    session.scalars(select(PromiseStockRow.promise_id)).all()
                    + session.scalars(select(PromiseCapacityRow.promise_id)).all()
                ),
            }
    finally:
        engine.dispose()


def test_exactly_what_fits_is_held_then_confirmed(database: str, tmp_path: Path) -> None:
    with servers(database, 3, tmp_path, PROMISE_HORIZON_DAYS=str(HORIZON_DAYS)) as procs:
        _load(procs[0])
        clients = [httpx.Client(base_url=p.url, timeout=120) for p in procs]

        def hold(numbered: tuple[int, dict[str, Any]]) -> httpx.Response:
            n, body = numbered
            return clients[n % len(clients)].post("/v1/promises", json=body)

        with ThreadPoolExecutor(THREADS) as pool:
            answers = list(pool.map(hold, enumerate(_burst())))
        codes = Counter(a.status_code for a in answers)
        assert codes == {201: STOCK_UNITS + CAPACITY_UNITS, 409: 2 * HOLDS_PER_ITEM - 35}, codes
        held = [a.json() for a in answers if a.status_code == 201]
        assert Counter(p["check"]["lines"][0]["sku"] for p in held) == {
            "STOCKED": STOCK_UNITS,
            "MADE": CAPACITY_UNITS,
        }

        def confirm(numbered: tuple[int, dict[str, Any]]) -> httpx.Response:
            n, promise = numbered
            return clients[n % len(clients)].post(f"/v1/promises/{promise['id']}/confirm")

        with ThreadPoolExecutor(THREADS) as pool:
            confirmations = list(pool.map(confirm, enumerate(held)))
        assert {c.status_code for c in confirmations} == {200}
        assert {c.json()["status"] for c in confirmations} == {"confirmed"}

        for sku in ("STOCKED", "MADE"):
            line = (
                clients[1]
                .post("/v1/checks", json=one_unit(sku, "after", as_of=AS_OF))
                .json()["lines"][0]
            )
            assert line["earliest_date"] is None, line
            assert line["qty_on_requested_date"] == 0
        totals = _database_totals(database)
        assert totals["units"] == STOCK_UNITS
        assert totals["minutes"] == CAPACITY_UNITS * MINUTES_PER_DAY
        assert set(totals["promises"].values()) == {"confirmed"}

        # Give back two of each: a check then finds exactly two of each, and no more.
        for sku in ("STOCKED", "MADE"):
            mine = [p for p in held if p["check"]["lines"][0]["sku"] == sku][:2]
            for promise in mine:
                released = clients[2].post(f"/v1/promises/{promise['id']}/release")
                assert released.status_code == 200
            two = one_unit(sku, "two", as_of=AS_OF)
            two["lines"][0]["qty"] = 2
            assert clients[0].post("/v1/checks", json=two).json()["status"] != "infeasible"
            three = one_unit(sku, "three", as_of=AS_OF)
            three["lines"][0]["qty"] = 3
            assert clients[1].post("/v1/checks", json=three).json()["status"] == "infeasible"
        for client in clients:
            client.close()


def test_killed_process_loses_nothing_acknowledged(database: str, tmp_path: Path) -> None:
    """SIGKILL one of two processes mid-burst; retry its unanswered holds (same
    Idempotency-Key) on the survivor. The database then holds exactly the 201 answers."""
    with servers(database, 2, tmp_path, PROMISE_HORIZON_DAYS=str(HORIZON_DAYS)) as procs:
        _load(procs[0])
        victim, survivor = procs
        bodies = _burst()
        answered = threading.Event()
        done = Counter[str]()
        lock = threading.Lock()

        def hold(numbered: tuple[int, dict[str, Any]]) -> tuple[str, dict[str, Any], Any]:
            n, body = numbered
            key = f"burst-{n}"
            server = victim if n % 2 == 0 else survivor
            try:
                response = httpx.post(
                    f"{server.url}/v1/promises",
                    json=body,
                    headers={"Idempotency-Key": key},
                    timeout=120,
                )
            except httpx.TransportError as exc:
                return key, body, exc
            with lock:
                done[server.url] += 1
                if done[victim.url] >= 8:
                    answered.set()
            return key, body, response

        def kill_when_busy() -> None:
            answered.wait(timeout=60)
            time.sleep(0.05)  # mid-burst: requests are in flight on the victim
            victim.kill()

        killer = threading.Thread(target=kill_when_busy)
        killer.start()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(hold, enumerate(bodies)))
        killer.join()

        lost = [
            (key, body) for key, body, outcome in results if not isinstance(outcome, httpx.Response)
        ]
        assert lost, "the kill came too late to interrupt anything"
        final: dict[str, httpx.Response] = {
            key: outcome for key, _, outcome in results if isinstance(outcome, httpx.Response)
        }
        for key, body in lost:
            final[key] = httpx.post(
                f"{survivor.url}/v1/promises",
                json=body,
                headers={"Idempotency-Key": key},
                timeout=120,
            )
        codes = Counter(r.status_code for r in final.values())
        assert set(codes) <= {201, 409}, codes
        assert codes[201] == STOCK_UNITS + CAPACITY_UNITS

        acknowledged = {r.json()["id"]: r.json() for r in final.values() if r.status_code == 201}
        totals = _database_totals(database)
        assert set(totals["promises"]) == set(acknowledged)
        assert totals["reserving"] == set(acknowledged)
        assert totals["units"] == sum(
            s["qty"] for p in acknowledged.values() for s in p["reservations"]["stock"]
        )
        assert totals["minutes"] == sum(
            c["minutes"] for p in acknowledged.values() for c in p["reservations"]["capacity"]
        )


def test_racing_retries_of_one_key_make_one_promise(database: str, tmp_path: Path) -> None:
    with servers(database, 3, tmp_path, PROMISE_HORIZON_DAYS=str(HORIZON_DAYS)) as procs:
        _load(procs[0])
        keys = [f"race-{n}" for n in range(8)]
        for key in keys:
            start = threading.Barrier(len(procs))
            body = one_unit("STOCKED", key, as_of=AS_OF)

            def send(
                server: Server,
                body: dict[str, Any] = body,
                key: str = key,
                start: threading.Barrier = start,
            ) -> httpx.Response:
                start.wait()
                return httpx.post(
                    f"{server.url}/v1/promises",
                    json=body,
                    headers={"Idempotency-Key": key},
                    timeout=60,
                )

            with ThreadPoolExecutor(len(procs)) as pool:
                answers = list(pool.map(send, procs))
            assert {a.status_code for a in answers} == {201}
            assert len({a.json()["id"] for a in answers}) == 1
            assert all(a.json() == answers[0].json() for a in answers)
        assert len(_database_totals(database)["promises"]) == len(keys)
