"""Expiry across real server processes: a hold whose time ran out is marked expired and
announced by the service itself, exactly once however many processes sweep; on PostgreSQL and
on SQLite.

The processes run the real clock, so the hold's own clock is moved instead: its expires_at is
set into the past by hand. Each process counts its sweeps (/metrics); the test waits until every
process has swept again after the expiry was announced, then counts the announcements.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from app.db.engine import create_db_engine, create_session_factory
from app.db.events import PromiseEventRow
from app.db.promises import PromiseRow
from tests.scarce_plant import one_unit, scarce_dataset, servers_as_of
from tests.support.receiver import Receiver, receiver
from tests.support.servers import Server, fresh_database, servers

pytestmark = pytest.mark.concurrency
SWEEPING = {
    "PROMISE_WEBHOOKS_ALLOW_PRIVATE": "1",
    "PROMISE_WEBHOOK_POLL_SECONDS": "0.1",
    "PROMISE_EXPIRY_SWEEP_SECONDS": "0.1",
}
_SWEEPS = re.compile(r'^orderpromise_background_passes_total\{task="expiry"\} (\S+)$', re.M)


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def target() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def _sweeps(client: httpx.Client, server: Server) -> float:
    found = _SWEEPS.search(client.get(f"{server.url}/metrics").text)
    return float(found.group(1)) if found else 0.0


def _wait(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout}s")


def _expired_events(url: str, promise_id: str) -> int:
    engine = create_db_engine(url)
    try:
        with create_session_factory(engine)() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(PromiseEventRow)
                    .where(
                        PromiseEventRow.promise_id == promise_id,
                        PromiseEventRow.type == "promise.expired",
                    )
                )
                or 0
            )
    finally:
        engine.dispose()


def _move_expiry(url: str, promise_id: str, to: datetime) -> None:
    engine = create_db_engine(url)
    try:
        with create_session_factory(engine)() as session, session.begin():
            session.execute(
                update(PromiseRow).where(PromiseRow.id == promise_id).values(expires_at=to)
            )
    finally:
        engine.dispose()


def test_three_processes_announce_an_expiry_once(
    database: str, tmp_path: Path, target: Receiver
) -> None:
    # One client for every call (httpx.get would make a client and an SSL context each time).
    with servers(database, 3, tmp_path, **SWEEPING) as running, httpx.Client(timeout=30) as api:
        first = running[0]
        assert api.put(f"{first.url}/v1/dataset", json=scarce_dataset()).is_success
        hook = api.post(
            f"{first.url}/v1/webhooks", json={"url": target.url, "events": ["promise.expired"]}
        )
        target.secret = hook.json()["secret"]
        held = api.post(
            f"{first.url}/v1/promises",
            json=one_unit("STOCKED", "Q-EXPIRY", as_of=servers_as_of()) | {"hold_minutes": 30},
        )
        assert held.status_code == 201, held.text
        promise_id = held.json()["id"]

        _move_expiry(database, promise_id, datetime.now(UTC) - timedelta(seconds=1))
        got = target.wait_for(lambda got: len(got) >= 1, timeout=60)
        # Every process sweeps at least twice more after the announcement.
        after = {server.url: _sweeps(api, server) for server in running}
        _wait(lambda: all(_sweeps(api, s) >= after[s.url] + 2 for s in running))
        got = target.deliveries()

    assert _expired_events(database, promise_id) == 1
    assert [d.json["type"] for d in got] == ["promise.expired"]
    assert got[0].verified, got[0].verification_error
    assert got[0].json["data"]["promise"]["status"] == "expired"
