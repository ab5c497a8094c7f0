"""What live promises reserve (``live_reservations``), on both databases: the sums are skipped
exactly when no promise counts (nothing held and unexpired, nothing confirmed, under the same
conditions), and never when one does; a check sees a hold placed after an identical check,
and no longer sees it once it is released or has run out.

The reservations version and the sums cached under it: the database renews the token in the
transaction of every change to what promises take (triggers of migration 0009): a hold, a
confirm, a release, an expiry, a row deleted by hand; an at-risk flag does not. A token rolled
back is never the token again. The cache (``app.services.reservations_cache``) answers from
memory only under the token and within the time its sums stand. That no process answers from
sums another one made stale is shown with real server processes in
tests/concurrency/test_no_double_promise.py (and seen to fail there with the token check taken
out)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event, update
from sqlalchemy.orm import Session

from app.db import promises as db
from app.db.engine import database_key
from app.db.promises import live_reservations
from app.main import create_app
from app.services.answer_cache import answer_cache
from app.services.reservations_cache import ReservationsCache
from app.settings import Settings
from app.solver.plant import Reservations, StockMove
from tests.scarce_plant import AS_OF, HORIZON_DAYS, STOCK_UNITS, one_unit, scarce_dataset
from tests.support.clock import Clock

NOW = datetime.combine(AS_OF, time(9), tzinfo=UTC)
HOLD_MINUTES = 30


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    answer_cache.clear()
    settings = Settings(database_url=database_url, auth=False, horizon_days=HORIZON_DAYS)
    with TestClient(create_app(settings)) as test_client:
        test_client.app.state.clock = Clock(NOW)  # type: ignore[attr-defined]
        assert test_client.put("/v1/dataset", json=scarce_dataset()).status_code == 200
        yield test_client
    answer_cache.clear()


@pytest.fixture
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session runs from here on (BEGIN, COMMIT and ROLLBACK aside)."""
    ran: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.split(maxsplit=1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            ran.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    yield ran
    event.remove(engine, "before_cursor_execute", record)


def _hold(client: TestClient, quote_ref: str, qty: int, sku: str = "STOCKED") -> dict[str, Any]:
    body = one_unit(sku, quote_ref) | {"hold_minutes": HOLD_MINUTES}
    body["lines"][0]["qty"] = qty
    response = client.post("/v1/promises", json=body)
    assert response.status_code == 201, response.text
    promise: dict[str, Any] = response.json()
    return promise


def _read(session: Session, now: datetime, **options: Any) -> Reservations:
    reserved = live_reservations(session, now, **options)
    session.rollback()  # the next read sees what was committed since
    return reserved


def _taken(reserved: Reservations) -> int:
    return sum(move.qty for move in reserved.stock)


@pytest.mark.usefixtures("client")
def test_nothing_counts_one_look_up_and_no_sums(session: Session, statements: list[str]) -> None:
    assert _read(session, NOW) == Reservations()
    assert len(statements) == 1


def test_a_hold_counts_and_its_sums_are_read(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    _hold(client, "Q-hold", 3)
    reserved = _read(session, NOW)
    assert _taken(reserved) == 3
    assert {move.sku for move in reserved.stock} == {"STOCKED"}
    assert all(isinstance(move, StockMove) for move in reserved.stock)
    assert len(statements) == 4  # the look-up, then stock, minutes and deliveries
    assert sum(delivery.qty for delivery in reserved.deliveries) == 3


def test_a_hold_that_ran_out_counts_no_more_even_before_it_is_marked_expired(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    _hold(client, "Q-hold", 3)
    later = NOW + timedelta(minutes=HOLD_MINUTES)
    assert _taken(_read(session, later - timedelta(seconds=1))) == 3
    statements.clear()
    assert _read(session, later) == Reservations()
    assert len(statements) == 1


def test_excluding_and_confirmed_only_skip_exactly_when_nothing_else_counts(
    client: TestClient, session: Session, statements: list[str]
) -> None:
    first = _hold(client, "Q-1", 2)
    assert _read(session, NOW, excluding=first["id"]) == Reservations()
    assert _read(session, NOW, confirmed_only=True) == Reservations()
    assert len(statements) == 2

    second = _hold(client, "Q-2", 5)
    assert _taken(_read(session, NOW, excluding=first["id"])) == 5
    assert _taken(_read(session, NOW, excluding=second["id"])) == 2
    assert _read(session, NOW, confirmed_only=True) == Reservations()

    confirmed = client.post(f"/v1/promises/{second['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert _taken(_read(session, NOW, confirmed_only=True)) == 5
    assert _read(session, NOW, excluding=second["id"], confirmed_only=True) == Reservations()
    assert _taken(_read(session, NOW)) == 7


def _qty_now(client: TestClient) -> int:
    """What the same check (same body, only its quote_ref differs) can have on its date."""
    body = one_unit("STOCKED", "Q-check")
    body["lines"][0]["qty"] = STOCK_UNITS
    response = client.post("/v1/checks", json=body)
    assert response.status_code == 201, response.text
    qty: int = response.json()["lines"][0]["qty_on_requested_date"]
    return qty


def test_a_check_sees_a_hold_placed_after_the_same_check_until_it_goes(
    client: TestClient,
) -> None:
    assert _qty_now(client) == STOCK_UNITS
    assert _qty_now(client) == STOCK_UNITS  # unchanged: nothing reserved, answered again

    hold = _hold(client, "Q-hold", 4)
    assert _qty_now(client) == STOCK_UNITS - 4

    released = client.post(f"/v1/promises/{hold['id']}/release")
    assert released.status_code == 200, released.text
    assert _qty_now(client) == STOCK_UNITS

    _hold(client, "Q-hold-2", 6)
    assert _qty_now(client) == STOCK_UNITS - 6
    client.app.state.clock.advance(minutes=HOLD_MINUTES)  # type: ignore[attr-defined]
    assert _qty_now(client) == STOCK_UNITS


def _token(session: Session) -> str:
    token = db.reservations_version(session)
    session.rollback()  # the next read sees what was committed since
    return token


def test_every_change_to_what_promises_take_renews_the_token(
    client: TestClient, session: Session
) -> None:
    seen = [_token(session)]

    def renewed() -> None:
        token = _token(session)
        assert token not in seen
        seen.append(token)

    first = _hold(client, "Q-1", 1)["id"]
    renewed()
    assert client.post(f"/v1/promises/{first}/confirm").status_code == 200
    renewed()
    assert client.post(f"/v1/promises/{first}/release").status_code == 200
    renewed()
    _hold(client, "Q-2", 1)
    renewed()
    client.app.state.clock.advance(minutes=HOLD_MINUTES)  # type: ignore[attr-defined]
    _hold(client, "Q-3", 1)  # marks Q-2 expired first, then holds
    renewed()
    _hold(client, "Q-4", 1, sku="MADE")  # minutes too
    renewed()
    assert db.get_promise(session, first) is not None
    session.rollback()
    # Whoever writes: rows deleted by hand renew it too, so do status changes.
    for statement in (
        delete(db.PromiseCapacityRow),
        delete(db.PromiseDeliveryRow),
        delete(db.PromiseStockRow),
        update(db.PromiseRow).values(status=db.RELEASED),
    ):
        session.execute(statement)
        session.commit()
        renewed()


def test_an_at_risk_flag_changes_nothing_reserved_and_keeps_the_token(
    client: TestClient, session: Session
) -> None:
    _hold(client, "Q-1", 1)
    before = _token(session)
    session.execute(update(db.PromiseRow).values(at_risk_since=NOW, at_risk_reason="test"))
    session.commit()
    assert _token(session) == before


def test_a_token_rolled_back_is_never_the_token_again(client: TestClient, session: Session) -> None:
    promise_id = _hold(client, "Q-1", 1)["id"]
    committed = _token(session)
    session.execute(
        update(db.PromiseRow).where(db.PromiseRow.id == promise_id).values(status=db.RELEASED)
    )
    inside = db.reservations_version(session)  # the transaction sees its own renewal
    assert inside != committed
    session.rollback()
    assert _token(session) == committed
    session.execute(
        update(db.PromiseRow).where(db.PromiseRow.id == promise_id).values(status=db.RELEASED)
    )
    session.commit()
    assert _token(session) not in (committed, inside)


def _sum_statements(session: Session) -> list[str]:
    ran: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "sum(" in statement.lower():
            ran.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", record)
    return ran


def test_the_sums_are_read_again_exactly_when_the_token_or_the_time_says(
    client: TestClient, session: Session
) -> None:
    cache = ReservationsCache()
    sums = _sum_statements(session)
    key = database_key(session)

    def live(now: datetime) -> int:
        reserved = cache.live(session, key, now)
        session.rollback()
        return sum(move.qty for move in reserved.stock)

    _hold(client, "Q-1", 2)
    assert live(NOW) == 2
    read = len(sums)
    assert read == 3  # stock, minutes, deliveries
    assert live(NOW + timedelta(minutes=1)) == 2
    assert len(sums) == read  # the same token, no hold ran out: from memory

    _hold(client, "Q-2", 3)  # a new token, reached by links that only add
    assert live(NOW + timedelta(minutes=2)) == 5
    assert len(sums) == read  # what the links added, added: no sums
    assert live(NOW) == 5  # a clock gone back: read again
    assert len(sums) == 2 * read
    # Both holds run out at NOW + 30 min: the sums read at NOW stand until then, not after.
    assert live(NOW + timedelta(minutes=HOLD_MINUTES) - timedelta(seconds=1)) == 5
    assert len(sums) == 2 * read
    assert live(NOW + timedelta(minutes=HOLD_MINUTES)) == 0
    assert len(sums) == 2 * read  # read again: nothing counts, so no sums were needed
    assert live(NOW + timedelta(days=1)) == 0
    assert len(sums) == 2 * read


def _summed(reserved: Reservations) -> tuple[dict[Any, int], dict[Any, int], dict[Any, int]]:
    """The reservations per key and day (the cache appends what links add, unmerged)."""
    stock: dict[Any, int] = defaultdict(int)
    capacity: dict[Any, int] = defaultdict(int)
    deliveries: dict[Any, int] = defaultdict(int)
    for move in reserved.stock:
        stock[move.sku, move.date] += move.qty
    for use in reserved.capacity:
        capacity[use.resource, use.date] += use.minutes
    for delivery in reserved.deliveries:
        deliveries[delivery.customer, delivery.sku, delivery.date] += delivery.qty
    return (
        {k: v for k, v in stock.items() if v},
        {k: v for k, v in capacity.items() if v},
        {k: v for k, v in deliveries.items() if v},
    )


def test_sums_walked_along_the_links_are_the_sums_read_from_the_rows(
    client: TestClient, session: Session
) -> None:
    """Holds (stock, minutes, deliveries), confirms, releases, checks and expiries in a random
    order: after each, the cache's sums are those summed from the rows, and they came from the
    links exactly when every change since the last reading only added."""
    rng = random.Random(20261202)
    cache = ReservationsCache()
    sums = _sum_statements(session)
    key = database_key(session)
    clock = client.app.state.clock  # type: ignore[attr-defined]
    held: list[str] = []
    walked = read = 0
    cache.live(session, key, clock())
    session.rollback()
    for step in range(40):
        action = rng.choice(["hold", "hold", "hold", "made", "confirm", "release", "check"])
        released = False
        if action in ("hold", "made"):
            sku = "STOCKED" if action == "hold" else "MADE"
            body = one_unit(sku, f"Q-{step}") | {"hold_minutes": rng.choice([5, 30, 60])}
            body["customer"] = rng.choice(["ACME", "OTHER"])
            answer = client.post("/v1/promises", json=body)
            if answer.status_code == 201:
                held.append(answer.json()["id"])
        elif action == "confirm" and held:
            client.post(f"/v1/promises/{rng.choice(held)}/confirm")
        elif action == "release" and held:
            answer = client.post(f"/v1/promises/{held.pop(rng.randrange(len(held)))}/release")
            released = answer.json()["status"] == "released"
        else:
            client.post("/v1/checks", json=one_unit("STOCKED", f"C-{step}"))
        if rng.random() < 0.2:
            clock.advance(minutes=rng.choice([1, 10]))
        before = len(sums)
        cached = cache.live(session, key, clock())
        session.rollback()
        summed_again = len(sums) - before
        assert summed_again in (0, 3)
        walked += summed_again == 0
        read += summed_again == 3
        if released:
            assert summed_again == 3  # gave something back: read again
        assert _summed(cached) == _summed(_read(session, clock()))
    assert walked > 5  # both ways were taken
    assert read > 3


def test_a_release_or_a_chain_pruned_away_reads_the_sums_again(
    client: TestClient, session: Session
) -> None:
    cache = ReservationsCache()
    sums = _sum_statements(session)
    key = database_key(session)

    def live() -> int:
        reserved = cache.live(session, key, NOW)
        session.rollback()
        return sum(move.qty for move in reserved.stock)

    first = _hold(client, "Q-1", 2)
    assert live() == 2
    read = len(sums)
    _hold(client, "Q-2", 1)
    assert live() == 3
    assert len(sums) == read  # walked
    client.post(f"/v1/promises/{first['id']}/release").raise_for_status()
    assert live() == 1
    assert len(sums) == 2 * read  # a release does not only add: read again
    _hold(client, "Q-3", 1)
    db.prune_reservation_changes(session, keep=0)
    session.commit()
    assert live() == 2
    assert len(sums) == 3 * read  # the links from its token are gone: read again
