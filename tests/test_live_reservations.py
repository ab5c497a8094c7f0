"""What live promises reserve (``live_reservations``), on both databases: the sums are skipped
exactly when no promise counts (nothing held and unexpired, nothing confirmed, under the same
conditions), and never when one does; a check sees a hold placed after an identical check,
and no longer sees it once it is released or has run out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.db.promises import live_reservations
from app.main import create_app
from app.services.answer_cache import answer_cache
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


def _hold(client: TestClient, quote_ref: str, qty: int) -> dict[str, Any]:
    body = one_unit("STOCKED", quote_ref) | {"hold_minutes": HOLD_MINUTES}
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
