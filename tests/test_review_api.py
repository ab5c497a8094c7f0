"""GET /v1/stats and GET /v1/capacity: the shared numbers and the capacity picture, both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import check_request, golden_dataset
from tests.support.clock import Clock

AS_OF = "2026-12-01"
PERIOD = {"since": AS_OF, "until": AS_OF}


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def loaded(client: TestClient, clock: Clock) -> TestClient:
    client.app.state.clock = clock  # type: ignore[attr-defined]
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return client


def _check(client: TestClient, sku: str, qty: int, requested: str) -> dict[str, Any]:
    body = check_request(line={"sku": sku, "qty": qty, "requested_date": requested})
    response = client.post("/v1/checks", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _hold(client: TestClient, qty: int = 50, **extra: Any) -> dict[str, Any]:
    body = check_request(line={"qty": qty, "requested_date": "2026-12-09"}) | extra
    response = client.post("/v1/promises", json=body)
    assert response.status_code == 201, response.text
    promise: dict[str, Any] = response.json()
    return promise


def test_stats_of_a_quiet_period(loaded: TestClient) -> None:
    stats = loaded.get("/v1/stats", params=PERIOD).json()

    assert stats["since"] == stats["until"] == AS_OF
    assert stats["quote_lines"] == stats["checks"] == 0
    assert stats["share_feasible_on_requested_date"] is None
    assert stats["mean_days_pushed_out"] is None
    assert stats["binding_resources"] == []
    assert set(stats["promises"].values()) == {0}


def test_stats_count_lines_days_pushed_out_and_what_bound(loaded: TestClient) -> None:
    answers = [
        _check(loaded, "BIKE", 10, "2026-12-02"),  # from stock, on time
        _check(loaded, "WHEEL", 100, "2026-12-01"),  # lacing capacity pushes the date out
        _check(loaded, "FRAME", 100, "2026-12-05"),  # inside the purchase lead time
        _check(loaded, "SADDLE", 150, "2026-12-20"),  # no date within the horizon
    ]
    lines = [a["lines"][0] for a in answers]
    assert [a["status"] for a in answers] == [
        "feasible",
        "counter_proposal",
        "counter_proposal",
        "infeasible",
    ]
    late = [
        (date.fromisoformat(ln["promised_date"]) - date.fromisoformat(ln["requested_date"])).days
        for ln in lines[1:3]
    ]

    stats = loaded.get("/v1/stats", params=PERIOD).json()

    assert stats["checks"] == stats["quote_lines"] == 4
    assert stats["lines_feasible_on_requested_date"] == 1
    assert stats["share_feasible_on_requested_date"] == 0.25
    assert stats["lines_pushed_out"] == 2
    assert stats["lines_without_date"] == 1
    assert stats["mean_days_pushed_out"] == round(sum(late) / 2, 1)
    assert stats["worst_days_pushed_out"] == max(late)
    assert stats["binding_resources"] == [{"resource": "LACE", "lines": 1}]
    assert "FRAME" in {i["sku"] for i in stats["binding_items"]}
    assert {k["kind"] for k in stats["binding_kinds"]} >= {"capacity", "lead_time"}


def test_stats_leave_out_checks_of_other_days(loaded: TestClient, clock: Clock) -> None:
    _check(loaded, "BIKE", 10, "2026-12-02")
    clock.now += timedelta(days=1)
    _check(loaded, "BIKE", 10, "2026-12-03")

    assert loaded.get("/v1/stats", params=PERIOD).json()["checks"] == 1
    two_days = loaded.get("/v1/stats", params={"since": AS_OF, "until": "2026-12-02"}).json()
    assert two_days["checks"] == 2
    before = loaded.get("/v1/stats", params={"until": "2026-11-30"}).json()
    assert before["checks"] == 0
    assert before["since"] == "2026-11-01"  # 30 days ending on `until`


def test_stats_count_promises_by_status(loaded: TestClient, clock: Clock) -> None:
    confirmed = _hold(loaded, qty=10)
    assert loaded.post(f"/v1/promises/{confirmed['id']}/confirm").status_code == 200
    released = _hold(loaded, qty=10)
    assert loaded.post(f"/v1/promises/{released['id']}/release").status_code == 200
    _hold(loaded, qty=10, hold_minutes=5)
    _hold(loaded, qty=10, hold_minutes=60)
    clock.now += timedelta(minutes=10)

    promises = loaded.get("/v1/stats", params=PERIOD).json()["promises"]

    assert promises == {
        "held": 1,
        "confirmed": 1,
        "released": 1,
        "expired": 1,
        "fulfilled": 0,
        "at_risk": 0,
    }


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"since": "2026-12-02", "until": AS_OF}, "/query/since"),
        ({"since": "yesterday"}, "/query/since"),
        ({"until": "2026-13-01"}, "/query/until"),
    ],
)
def test_stats_bad_periods_are_422(
    loaded: TestClient, params: dict[str, str], pointer: str
) -> None:
    response = loaded.get("/v1/stats", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert pointer in [e["pointer"] for e in response.json()["errors"]]


def _days(client: TestClient, **params: Any) -> dict[tuple[str, str], dict[str, int]]:
    response = client.get("/v1/capacity", params={"from": AS_OF, "days": 14} | params)
    assert response.status_code == 200, response.text
    return {
        (resource["code"], day["date"]): day
        for resource in response.json()["resources"]
        for day in resource["days"]
    }


def test_capacity_view_shows_calendar_firm_load_and_free_minutes(loaded: TestClient) -> None:
    days = _days(loaded)

    assert len(days) == 4 * 14
    assert days["WELD", "2026-12-01"] == {
        "date": "2026-12-01",
        "calendar": 480,
        "firm_load": 480,
        "held": 0,
        "confirmed": 0,
        "free": 0,
    }
    assert days["PAINT", "2026-12-02"]["free"] == 960 - 600
    assert days["PAINT", "2026-12-07"]["calendar"] == 0  # calendar exception
    assert days["ASSY", "2026-12-05"]["calendar"] == 240  # Saturday shift
    assert days["WELD", "2026-12-06"]["calendar"] == 0  # Sunday
    for day in days.values():
        taken = day["firm_load"] + day["held"] + day["confirmed"]
        assert day["free"] == max(0, day["calendar"] - taken)


def test_capacity_view_follows_a_hold_through_confirm_and_release(loaded: TestClient) -> None:
    before = _days(loaded)
    promise = _hold(loaded, qty=50)
    reserved = {
        (use["resource"], use["date"]): use["minutes"]
        for use in promise["reservations"]["capacity"]
    }
    assert reserved, "a lot of 50 bikes needs production"

    held = _days(loaded)
    for key, minutes in reserved.items():
        assert held[key]["held"] == minutes
        assert held[key]["free"] == max(0, before[key]["free"] - minutes)
    assert sum(d["held"] for d in held.values()) == sum(reserved.values())

    assert loaded.post(f"/v1/promises/{promise['id']}/confirm").status_code == 200
    confirmed = _days(loaded)
    assert sum(d["held"] for d in confirmed.values()) == 0
    assert sum(d["confirmed"] for d in confirmed.values()) == sum(reserved.values())

    assert loaded.post(f"/v1/promises/{promise['id']}/release").status_code == 200
    assert _days(loaded) == before


def test_capacity_view_range_is_checked(loaded: TestClient) -> None:
    assert loaded.get("/v1/capacity", params={"days": 0}).status_code == 422
    assert loaded.get("/v1/capacity", params={"days": 400}).status_code == 422
    default = loaded.get("/v1/capacity").json()
    first, last = date.fromisoformat(default["first"]), date.fromisoformat(default["last"])
    assert (last - first).days == 27
