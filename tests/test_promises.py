"""Holds, confirmations, releases, expiry and Idempotency-Key over HTTP, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.promises import PromiseCapacityRow, PromiseRow, PromiseStockRow
from app.main import create_app
from app.settings import Settings
from tests.keys import BOOTSTRAP_KEY, bearer
from tests.scarce_plant import (
    AS_OF,
    CAPACITY_UNITS,
    HORIZON_DAYS,
    STOCK_UNITS,
    one_unit,
    scarce_dataset,
)
from tests.support.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.combine(AS_OF, time(9), tzinfo=UTC))


@pytest.fixture
def api(database_url: str, clock: Clock) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, auth=False, horizon_days=HORIZON_DAYS)
    with TestClient(create_app(settings)) as client:
        client.app.state.clock = clock  # type: ignore[attr-defined]
        loaded = client.put("/v1/dataset", json=scarce_dataset())
        assert loaded.status_code == 200, loaded.text
        yield client


def hold(api: TestClient, sku: str, qty: int = 1, **extra: Any) -> Any:
    body = one_unit(sku, f"Q-{sku}") | extra
    body["lines"][0]["qty"] = qty
    return api.post("/v1/promises", json=body)


def check_line(api: TestClient, sku: str, qty: int = 1) -> dict[str, Any]:
    body = one_unit(sku, "Q-check")
    body["lines"][0]["qty"] = qty
    response = api.post("/v1/checks", json=body)
    assert response.status_code == 201, response.text
    line: dict[str, Any] = response.json()["lines"][0]
    return line


def reserved(session: Session) -> tuple[int, int]:
    session.expire_all()
    units = session.scalar(select(func.coalesce(func.sum(PromiseStockRow.qty), 0)))
    minutes = session.scalar(select(func.coalesce(func.sum(PromiseCapacityRow.minutes), 0)))
    return int(units or 0), int(minutes or 0)


def test_hold_reserves_the_plan_and_later_checks_see_it(api: TestClient, session: Session) -> None:
    response = hold(api, "STOCKED", qty=STOCK_UNITS - 5)
    assert response.status_code == 201, response.text
    promise = response.json()
    assert promise["status"] == "held"
    assert promise["check"]["status"] == "feasible"
    assert promise["reservations"]["stock"] == [
        {
            "line_ref": "1",
            "sku": "STOCKED",
            "date": promise["check"]["lines"][0]["promised_date"],
            "qty": 20,
        }
    ]
    assert check_line(api, "STOCKED", 6)["earliest_date"] is None
    assert check_line(api, "STOCKED", 5)["earliest_date"] is not None
    made = hold(api, "MADE", qty=3)
    assert made.status_code == 201
    assert sum(c["minutes"] for c in made.json()["reservations"]["capacity"]) == 180
    assert reserved(session) == (20, 180)
    assert api.get(f"/v1/promises/{promise['id']}").json()["status"] == "held"


def test_a_quote_that_cannot_be_held_holds_nothing(api: TestClient, session: Session) -> None:
    response = hold(api, "MADE", qty=CAPACITY_UNITS + 1)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["check"]["status"] == "infeasible"
    assert problem["check"]["lines"][0]["qty_on_requested_date"] == CAPACITY_UNITS
    assert reserved(session) == (0, 0)
    assert session.scalar(select(func.count()).select_from(PromiseRow)) == 0


def test_requested_only_refuses_a_late_quote(api: TestClient) -> None:
    # Three units need three days of the cell: not possible on day 0.
    body = one_unit("MADE", "Q") | {"mode": "requested_only"}
    body["lines"][0] |= {"qty": 3, "requested_date": "2027-01-04"}
    response = api.post("/v1/promises", json=body)
    assert response.status_code == 409
    assert response.json()["check"]["status"] == "counter_proposal"
    body["mode"] = "promised"
    assert api.post("/v1/promises", json=body).status_code == 201


def test_confirm_then_release_gives_everything_back(api: TestClient, session: Session) -> None:
    promise = hold(api, "MADE", qty=CAPACITY_UNITS).json()
    assert check_line(api, "MADE")["earliest_date"] is None
    confirmed = api.post(f"/v1/promises/{promise['id']}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_at"] is not None
    again = api.post(f"/v1/promises/{promise['id']}/confirm")
    assert again.json()["status"] == "confirmed"
    released = api.post(f"/v1/promises/{promise['id']}/release")
    assert released.status_code == 200
    assert released.json()["status"] == "released"
    assert released.json()["reservations"] == {"stock": [], "capacity": []}
    assert reserved(session) == (0, 0)
    assert check_line(api, "MADE", CAPACITY_UNITS)["earliest_date"] is not None
    assert api.post(f"/v1/promises/{promise['id']}/release").json()["status"] == "released"
    refused = api.post(f"/v1/promises/{promise['id']}/confirm")
    assert refused.status_code == 409


def test_unknown_promise_is_404(api: TestClient) -> None:
    for response in (
        api.get("/v1/promises/nope"),
        api.post("/v1/promises/nope/confirm"),
        api.post("/v1/promises/nope/release"),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


def test_an_expired_hold_stops_counting_at_once(api: TestClient, clock: Clock) -> None:
    promise = hold(api, "STOCKED", qty=STOCK_UNITS, hold_minutes=1).json()
    assert check_line(api, "STOCKED")["earliest_date"] is None
    clock.advance(seconds=59)
    assert check_line(api, "STOCKED")["earliest_date"] is None
    clock.advance(seconds=1)
    assert check_line(api, "STOCKED", STOCK_UNITS)["earliest_date"] is not None
    assert api.get(f"/v1/promises/{promise['id']}").json()["status"] == "expired"
    listed = api.get("/v1/promises", params={"status": "expired"}).json()["items"]
    assert [p["id"] for p in listed] == [promise["id"]]
    assert api.get("/v1/promises", params={"status": "held"}).json()["items"] == []


def test_confirming_an_expired_hold_whose_dates_still_hold(api: TestClient, clock: Clock) -> None:
    promise = hold(api, "MADE", qty=2, hold_minutes=5).json()
    clock.advance(minutes=10)
    confirmed = api.post(f"/v1/promises/{promise['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "confirmed"
    assert body["check"]["id"] != promise["check"]["id"]  # checked again
    assert (
        body["check"]["lines"][0]["promised_date"] == promise["check"]["lines"][0]["promised_date"]
    )
    assert sum(c["minutes"] for c in body["reservations"]["capacity"]) == 120


def test_confirming_an_expired_hold_whose_dates_are_gone(api: TestClient, clock: Clock) -> None:
    first = hold(api, "MADE", qty=CAPACITY_UNITS, hold_minutes=5).json()
    clock.advance(minutes=10)
    # Someone else takes a day of the cell meanwhile.
    assert hold(api, "MADE", qty=1).status_code == 201
    refused = api.post(f"/v1/promises/{first['id']}/confirm")
    assert refused.status_code == 409
    assert refused.json()["check"]["status"] == "infeasible"
    assert api.get(f"/v1/promises/{first['id']}").json()["status"] == "expired"
    assert check_line(api, "MADE", CAPACITY_UNITS - 1)["earliest_date"] is not None


def test_idempotency_key_replays_the_first_answer(api: TestClient, session: Session) -> None:
    headers = {"Idempotency-Key": "hold-42"}
    body = one_unit("STOCKED", "Q-idem")
    first = api.post("/v1/promises", json=body, headers=headers)
    second = api.post("/v1/promises", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert session.scalar(select(func.count()).select_from(PromiseRow)) == 1
    other = api.post("/v1/promises", json=one_unit("MADE", "Q-idem"), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["pointer"] == ""
    # A refusal is an answer too: replayed, even after the stock came back.
    too_many = one_unit("STOCKED", "Q-many")
    too_many["lines"][0]["qty"] = STOCK_UNITS
    refused = api.post("/v1/promises", json=too_many, headers={"Idempotency-Key": "many"})
    assert refused.status_code == 409
    api.post(f"/v1/promises/{first.json()['id']}/release")
    replay = api.post("/v1/promises", json=too_many, headers={"Idempotency-Key": "many"})
    assert replay.status_code == 409
    assert replay.json() == refused.json()


def test_idempotent_check(api: TestClient) -> None:
    body = one_unit("MADE", "Q-check")
    first = api.post("/v1/checks", json=body, headers={"Idempotency-Key": "c1"})
    second = api.post("/v1/checks", json=body, headers={"Idempotency-Key": "c1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]


def test_promise_list_filters_and_pages(api: TestClient) -> None:
    ids = [hold(api, "STOCKED").json()["id"] for _ in range(5)]
    api.post(f"/v1/promises/{ids[0]}/confirm")
    api.post(f"/v1/promises/{ids[1]}/release")
    held = api.get("/v1/promises", params={"status": "held"}).json()["items"]
    assert sorted(p["id"] for p in held) == sorted(ids[2:])
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.get("/v1/promises", params=params).json()
        seen.extend(p["id"] for p in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    assert api.get("/v1/promises", params={"cursor": "%%%"}).status_code == 422


def test_idempotency_keys_belong_to_their_api_key(secure_client: TestClient) -> None:
    """Two CRM systems that happen to pick the same Idempotency-Key never share an answer."""
    admin = bearer(BOOTSTRAP_KEY)
    assert secure_client.put("/v1/dataset", json=scarce_dataset(), headers=admin).status_code == 200
    crm_keys = [
        secure_client.post("/v1/keys", json={"role": "crm", "name": name}, headers=admin).json()[
            "key"
        ]
        for name in ("CRM one", "CRM two")
    ]
    answers = [
        secure_client.post(
            "/v1/checks",
            json=one_unit(sku, "Q-shared-key"),
            headers=bearer(key) | {"Idempotency-Key": "same"},
        )
        for key, sku in zip(crm_keys, ("STOCKED", "MADE"), strict=True)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert [a.json()["lines"][0]["sku"] for a in answers] == ["STOCKED", "MADE"]


def test_a_hold_cannot_start_in_the_past(api: TestClient, session: Session) -> None:
    body = one_unit("STOCKED", "Q-past", as_of=AS_OF - timedelta(days=1))
    response = api.post("/v1/promises", json=body)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/as_of"]
    assert reserved(session) == (0, 0)
    # A check of the past is fine: it reserves nothing.
    assert api.post("/v1/checks", json=body).status_code == 201


def test_line_refs_are_unique_within_a_quote(api: TestClient) -> None:
    body = one_unit("STOCKED", "Q-dup")
    body["lines"].append(dict(body["lines"][0]))
    for path in ("/v1/checks", "/v1/promises"):
        response = api.post(path, json=body)
        assert response.status_code == 422
        assert [e["pointer"] for e in response.json()["errors"]] == ["/lines/1/line_ref"]


def test_confirming_an_expired_hold_checks_again_from_today(
    api: TestClient, clock: Clock, session: Session
) -> None:
    promise = hold(api, "STOCKED", qty=2, hold_minutes=5).json()
    stale = hold(api, "STOCKED", qty=1, hold_minutes=5).json()
    clock.advance(days=2)  # two days later: the check starts today, not on the old as_of
    confirmed = api.post(f"/v1/promises/{promise['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["check"]["as_of"] == (AS_OF + timedelta(days=2)).isoformat()
    clock.advance(days=30)  # past the requested date: the stale hold cannot be checked again
    refused = api.post(f"/v1/promises/{stale['id']}/confirm")
    assert refused.status_code == 409
    assert "cannot be checked again" in refused.json()["detail"]
    assert api.get(f"/v1/promises/{stale['id']}").json()["status"] == "expired"
    assert reserved(session) == (2, 0)


def test_a_hold_lists_every_error_at_once(api: TestClient, session: Session) -> None:
    body = {
        "quote_ref": "Q",
        "customer": "A",
        "lines": [{"line_ref": "1", "sku": "NOPE", "qty": 0, "requested_date": "2020-01-01"}],
    }
    response = api.post("/v1/promises", json=body, headers={"Idempotency-Key": "h-bad"})

    assert response.status_code == 422, response.text
    errors = {e["pointer"]: e["message"] for e in response.json()["errors"]}
    assert sorted(errors) == ["/lines/0/qty", "/lines/0/requested_date", "/lines/0/sku"]
    assert errors["/lines/0/sku"] == "unknown sku NOPE"
    assert errors["/lines/0/requested_date"] == f"requested date 2020-01-01 is before as_of {AS_OF}"
    assert session.scalar(select(func.count()).select_from(PromiseRow)) == 0
    assert reserved(session) == (0, 0)
    fixed = one_unit("STOCKED", "Q")
    assert (
        api.post("/v1/promises", json=fixed, headers={"Idempotency-Key": "h-bad"}).status_code
        == 201
    )


def test_a_hold_in_the_past_lists_the_line_errors_too(api: TestClient, session: Session) -> None:
    body = one_unit("NOPE", "Q-past", as_of=AS_OF - timedelta(days=1))
    response = api.post("/v1/promises", json=body)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/as_of", "/lines/0/sku"]

    body["lines"][0]["qty"] = 0
    response = api.post("/v1/promises", json=body)
    assert response.status_code == 422
    pointers = sorted(e["pointer"] for e in response.json()["errors"])
    assert pointers == ["/as_of", "/lines/0/qty", "/lines/0/sku"]
    assert reserved(session) == (0, 0)
