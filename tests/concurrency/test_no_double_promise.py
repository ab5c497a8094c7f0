"""No double promise across real server processes, on PostgreSQL and on SQLite.

Many threads fire holds at several `orderpromise serve` processes sharing one database, at a plant
where only a known number of holds fit. Exactly that many succeed, every other answer is 409,
and afterwards the database holds exactly what the 201 answers promised.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, make_url, select

from app.db.engine import create_db_engine, create_session_factory
from app.db.locking import RESERVATIONS_LOCK_KEY
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
            assert clients[0].post("/v1/checks", json=two).json()["status"] == "feasible"
            three = one_unit(sku, "three", as_of=AS_OF)
            three["lines"][0]["qty"] = 3
            assert clients[1].post("/v1/checks", json=three).json()["status"] == "infeasible"
        for client in clients:
            client.close()


ANSWERED_BEFORE_KILL = 20
IN_FLIGHT_AT_KILL = 8


@contextmanager
def writers_blocked(url: str) -> Iterator[None]:
    """Hold what every hold must take to write: the reservations lock on PostgreSQL (an advisory
    lock on the same key), the database's write lock on SQLite (BEGIN IMMEDIATE)."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (RESERVATIONS_LOCK_KEY,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (RESERVATIONS_LOCK_KEY,))


def _send_raw(server: Server, body: dict[str, Any], key: str) -> socket.socket:
    """Send a hold and return the open socket without waiting for the answer."""
    payload = json.dumps(body).encode()
    port = int(server.url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(
        b"POST /v1/promises HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Idempotency-Key: {key}\r\nContent-Length: {len(payload)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + payload
    )
    return sock


def _requests_read_by(port: int) -> int:
    """Connections to ``port`` whose request the server has read off the socket (Linux)."""
    read = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        established = fields[3] == "01"
        unread = int(fields[4].split(":")[1], 16)
        if local_port == port and established and unread == 0:
            read += 1
    return read


def _waiting_on_the_lock(url: str) -> int:
    if url.startswith("sqlite"):
        return IN_FLIGHT_AT_KILL  # SQLite shows no waiters; the write lock still holds them
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event = 'advisory'"
        ).fetchone()
    return int(row[0]) if row else 0


def _until(condition: Callable[[], bool], what: str) -> None:
    """Poll for a state (not a delay): fail if it is not reached in 60 s."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.05)


def test_killed_process_loses_nothing_acknowledged(database: str, tmp_path: Path) -> None:
    """Forced order: some holds answered by both processes; then, with the writers' lock held by
    the test, holds sent to one process that reads them and waits for the lock (on PostgreSQL:
    inside their transactions); that process is SIGKILLed, the lock given back, the lost holds
    retried (same Idempotency-Key) on the survivor with the rest of the burst. The database then
    holds exactly the 201 answers."""
    with servers(database, 2, tmp_path, PROMISE_HORIZON_DAYS=str(HORIZON_DAYS)) as procs:
        _load(procs[0])
        victim, survivor = procs
        bodies = [(f"burst-{n}", body) for n, body in enumerate(_burst())]
        final: dict[str, httpx.Response] = {}
        # Closed before the kill: no idle connection to the victim is left for
        # _requests_read_by to count.
        with httpx.Client(timeout=60) as client:
            for n, (key, body) in enumerate(bodies[:ANSWERED_BEFORE_KILL]):
                server = procs[n % 2]
                final[key] = client.post(
                    f"{server.url}/v1/promises", json=body, headers={"Idempotency-Key": key}
                )
        assert {r.status_code for r in final.values()} == {201}

        in_flight = bodies[ANSWERED_BEFORE_KILL : ANSWERED_BEFORE_KILL + IN_FLIGHT_AT_KILL]
        victim_port = int(victim.url.rsplit(":", 1)[1])
        with writers_blocked(database):
            sockets = [_send_raw(victim, body, key) for key, body in in_flight]
            _until(lambda: _requests_read_by(victim_port) == len(sockets), "requests read")
            _until(lambda: _waiting_on_the_lock(database) == len(sockets), "holds waiting")
            victim.kill()
        for sock in sockets:
            with sock, suppress(ConnectionResetError):
                assert sock.recv(1024) == b"", "a hold was answered while writers were blocked"

        # One client for the threads (httpx.post would make a client and an SSL context per
        # call: ~40 ms of CPU each, taken from the survivor).
        with httpx.Client(base_url=survivor.url, timeout=120) as to_survivor:

            def hold_on_survivor(
                keyed: tuple[str, dict[str, Any]],
            ) -> tuple[str, httpx.Response]:
                key, body = keyed
                return key, to_survivor.post(
                    "/v1/promises", json=body, headers={"Idempotency-Key": key}
                )

            rest = in_flight + bodies[ANSWERED_BEFORE_KILL + IN_FLIGHT_AT_KILL :]
            with ThreadPoolExecutor(THREADS) as pool:
                final.update(pool.map(hold_on_survivor, rest))
        codes = Counter(r.status_code for r in final.values())
        assert codes == {201: STOCK_UNITS + CAPACITY_UNITS, 409: 2 * HOLDS_PER_ITEM - 35}, codes

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
        # Made before the race: the retries leave as one when the barrier opens (making a client
        # after it would spread them over the ~40 ms of CPU each client's SSL context takes).
        clients = [httpx.Client(base_url=p.url, timeout=60) for p in procs]
        keys = [f"race-{n}" for n in range(8)]
        for key in keys:
            start = threading.Barrier(len(procs))
            body = one_unit("STOCKED", key, as_of=AS_OF)

            def send(
                client: httpx.Client,
                body: dict[str, Any] = body,
                key: str = key,
                start: threading.Barrier = start,
            ) -> httpx.Response:
                start.wait()
                return client.post("/v1/promises", json=body, headers={"Idempotency-Key": key})

            with ThreadPoolExecutor(len(procs)) as pool:
                answers = list(pool.map(send, clients))
            assert {a.status_code for a in answers} == {201}
            assert len({a.json()["id"] for a in answers}) == 1
            assert all(a.json() == answers[0].json() for a in answers)
        for client in clients:
            client.close()
        assert len(_database_totals(database)["promises"]) == len(keys)
