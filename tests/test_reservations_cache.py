"""The reservations version and the sums cached under it, on both databases.

The database renews the token in the transaction of every change to what promises take
(triggers of migration 0009): a hold, a confirm, a release, an expiry, a row deleted by hand;
an at-risk flag does not. A token rolled back is never the token again. The cache
(``app.services.reservations_cache``) answers from memory only under the token and within the
time its sums stand. That no process answers from sums another one made stale is shown with
real server processes in tests/concurrency/test_no_double_promise.py (and seen to fail there
with the token check taken out).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event, update
from sqlalchemy.orm import Session

from app.db import promises as db
from app.db.engine import database_key
from app.main import create_app
from app.services.answer_cache import answer_cache
from app.services.reservations_cache import ReservationsCache
from app.settings import Settings
from tests.scarce_plant import AS_OF, HORIZON_DAYS, one_unit, scarce_dataset
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


def _token(session: Session) -> str:
    token = db.reservations_version(session)
    session.rollback()  # the next read sees what was committed since
    return token


def _hold(client: TestClient, quote_ref: str, qty: int = 1, sku: str = "STOCKED") -> str:
    body = one_unit(sku, quote_ref) | {"hold_minutes": HOLD_MINUTES}
    body["lines"][0]["qty"] = qty
    response = client.post("/v1/promises", json=body)
    assert response.status_code == 201, response.text
    promise_id: str = response.json()["id"]
    return promise_id


def test_every_change_to_what_promises_take_renews_the_token(
    client: TestClient, session: Session
) -> None:
    seen = [_token(session)]

    def renewed() -> None:
        token = _token(session)
        assert token not in seen
        seen.append(token)

    first = _hold(client, "Q-1")
    renewed()
    assert client.post(f"/v1/promises/{first}/confirm").status_code == 200
    renewed()
    assert client.post(f"/v1/promises/{first}/release").status_code == 200
    renewed()
    _hold(client, "Q-2")
    renewed()
    client.app.state.clock.advance(minutes=HOLD_MINUTES)  # type: ignore[attr-defined]
    _hold(client, "Q-3")  # marks Q-2 expired first, then holds
    renewed()
    _hold(client, "Q-4", sku="MADE")  # minutes too
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
    _hold(client, "Q-1")
    before = _token(session)
    session.execute(update(db.PromiseRow).values(at_risk_since=NOW, at_risk_reason="test"))
    session.commit()
    assert _token(session) == before


def test_a_token_rolled_back_is_never_the_token_again(client: TestClient, session: Session) -> None:
    promise_id = _hold(client, "Q-1")
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

    _hold(client, "Q-2", 3)  # a new token
    assert live(NOW + timedelta(minutes=2)) == 5
    assert len(sums) == 2 * read
    assert live(NOW) == 5  # a clock gone back: read again
    assert len(sums) == 3 * read
    # Both holds run out at NOW + 30 min: the sums read at NOW stand until then, not after.
    assert live(NOW + timedelta(minutes=HOLD_MINUTES) - timedelta(seconds=1)) == 5
    assert len(sums) == 3 * read
    assert live(NOW + timedelta(minutes=HOLD_MINUTES)) == 0
    assert len(sums) == 3 * read  # read again: nothing counts, so no sums were needed
    assert live(NOW + timedelta(days=1)) == 0
    assert len(sums) == 3 * read
