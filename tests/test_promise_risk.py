"""Planning-data changes never silently break a confirmed promise; nothing counts twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.promises import PromiseStockRow
from app.main import create_app
from app.sample_plant import sample_dataset
from app.settings import Settings
from tests.factories import check_request, golden_dataset
from tests.scarce_plant import AS_OF, HORIZON_DAYS, STOCK_UNITS, one_unit, scarce_dataset

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # before the golden plant's as_of (2026-12-01)


@pytest.fixture
def api(client: TestClient) -> TestClient:
    client.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return client


def confirmed(api: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    held = api.post("/v1/promises", json=body)
    assert held.status_code == 201, held.text
    done = api.post(f"/v1/promises/{held.json()['id']}/confirm")
    assert done.status_code == 200, done.text
    promise: dict[str, Any] = done.json()
    assert promise["status"] == "confirmed"
    return promise


def frames(qty: int, requested: str = "2026-12-12", quote_ref: str = "Q-FRAMES") -> dict[str, Any]:
    return check_request(
        quote_ref=quote_ref, line={"sku": "FRAME", "qty": qty, "requested_date": requested}
    )


def at_risk(api: TestClient) -> list[dict[str, Any]]:
    response = api.get("/v1/promises", params={"at_risk": "true"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_removing_supply_a_promise_relies_on_puts_it_at_risk(api: TestClient) -> None:
    # FRAME: 30 on hand and PO-1001 (50 on 2026-12-10): 60 on 2026-12-12 come from stock.
    promise = confirmed(api, frames(60))
    assert promise["reservations"]["stock"] == [
        {"line_ref": "1", "sku": "FRAME", "date": "2026-12-12", "qty": 60}
    ]
    assert promise["at_risk"] is None
    before = api.post("/v1/checks", json=frames(20)).json()["lines"][0]
    assert before["feasible_on_requested_date"] is True

    changed = api.put("/v1/supply/PO-1001", json={"sku": "FRAME", "qty": 10, "date": "2026-12-10"})

    assert changed.status_code == 200, changed.text
    assert changed.json()["promises_at_risk"] == [promise["id"]]
    [listed] = at_risk(api)
    assert listed["id"] == promise["id"]
    assert listed["status"] == "confirmed"
    risk = listed["at_risk"]
    assert risk["since"] == "2026-11-25T09:00:00Z"
    assert "FRAME is 20 short on 2026-12-12" in risk["reason"]
    # 40 from stock and 20 bought: a purchase takes 15 days (2026-12-16).
    assert risk["earliest_date"] == "2026-12-16"
    # The next check for the same item sees the smaller stock (the promise still holds its 60).
    after = api.post("/v1/checks", json=frames(20)).json()["lines"][0]
    assert after["feasible_on_requested_date"] is False
    assert after["qty_on_requested_date"] == 0

    # The supply comes back: the promise holds again and leaves the list.
    restored = api.put("/v1/supply/PO-1001", json={"sku": "FRAME", "qty": 50, "date": "2026-12-10"})
    assert restored.json()["promises_at_risk"] == []
    assert at_risk(api) == []
    assert api.get(f"/v1/promises/{promise['id']}").json()["at_risk"] is None


def test_at_risk_since_stays_the_first_moment(api: TestClient) -> None:
    promise = confirmed(api, frames(60))
    api.delete("/v1/supply/PO-1001")
    api.app.state.clock = lambda: NOW.replace(hour=10)  # type: ignore[attr-defined]

    api.put("/v1/inventory/FRAME", json={"on_hand": 20})

    risk = api.get(f"/v1/promises/{promise['id']}").json()["at_risk"]
    assert risk["since"] == "2026-11-25T09:00:00Z"
    assert "FRAME is 40 short" in risk["reason"]


def test_changes_elsewhere_leave_a_promise_alone(api: TestClient) -> None:
    promise = confirmed(api, frames(60))
    response = api.put("/v1/supply/PO-1002", json={"sku": "SADDLE", "qty": 0, "date": "2026-12-15"})
    assert response.json()["promises_at_risk"] == []
    assert api.get(f"/v1/promises/{promise['id']}").json()["at_risk"] is None


def test_a_dataset_import_reevaluates_every_confirmed_promise(api: TestClient) -> None:
    promise = confirmed(api, frames(60))
    doc = golden_dataset()
    doc["supply"] = [row for row in doc["supply"] if row["ref"] != "PO-1001"]

    response = api.put("/v1/dataset", json=doc)

    assert response.status_code == 200, response.text
    assert response.json()["promises_at_risk"] == [promise["id"]]
    assert [p["id"] for p in at_risk(api)] == [promise["id"]]


def test_an_item_gone_from_the_data_puts_its_promises_at_risk(api: TestClient) -> None:
    promise = confirmed(api, frames(10, requested="2026-12-02"))
    doc = golden_dataset()
    doc["items"] = [i for i in doc["items"] if i["sku"] != "FRAME"]
    doc["bom"] = [b for b in doc["bom"] if b["component"] != "FRAME"]
    doc["inventory"] = [i for i in doc["inventory"] if i["sku"] != "FRAME"]
    doc["supply"] = [s for s in doc["supply"] if s["sku"] != "FRAME"]

    assert api.put("/v1/dataset", json=doc).status_code == 200

    risk = api.get(f"/v1/promises/{promise['id']}").json()["at_risk"]
    assert "item FRAME is no longer in the planning data" in risk["reason"]
    assert risk["earliest_date"] is None


# -- capacity, on a plant with one unit of capacity a day ------------------------------------


@pytest.fixture
def scarce(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, auth=False, horizon_days=HORIZON_DAYS)
    with TestClient(create_app(settings)) as client:
        client.app.state.clock = lambda: datetime(2027, 1, 4, 9, tzinfo=UTC)  # type: ignore[attr-defined]
        assert client.put("/v1/dataset", json=scarce_dataset()).status_code == 200
        yield client


def test_booked_minutes_on_a_reserved_day_replan_a_promise_that_still_makes_its_date(
    scarce: TestClient,
) -> None:
    promise = confirmed(scarce, one_unit("MADE", "Q-MADE"))
    [reserved] = promise["reservations"]["capacity"]
    assert reserved["minutes"] == 60
    day = reserved["date"]
    day_before = (date.fromisoformat(day) - timedelta(days=1)).isoformat()

    response = scarce.put("/v1/load/WO-1", json={"resource": "CELL", "date": day, "minutes": 30})

    # Half a day before and half on the day still make the date: the plan is replaced.
    assert response.json()["promises_at_risk"] == []
    replanned = scarce.get(f"/v1/promises/{promise['id']}").json()
    assert replanned["at_risk"] is None
    assert sorted((c["date"], c["minutes"]) for c in replanned["reservations"]["capacity"]) == [
        (day_before, 30),
        (day, 30),
    ]
    check = replanned["check"]
    assert check["id"] != promise["check"]["id"]
    assert check["lines"][0]["promised_date"] == day
    assert scarce.get(f"/v1/checks/{check['id']}").json() == check
    # A later check sees the new reservations: 600 minutes, 30 booked, 60 promised.
    later = one_unit("MADE", "Q-later")
    later["lines"][0]["qty"] = 8
    assert scarce.post("/v1/checks", json=later).json()["status"] == "feasible"
    later["lines"][0]["qty"] = 9
    assert scarce.post("/v1/checks", json=later).json()["status"] == "infeasible"


def test_booked_minutes_that_leave_no_room_before_the_date_put_a_promise_at_risk(
    scarce: TestClient,
) -> None:
    promise = confirmed(scarce, one_unit("MADE", "Q-MADE", day=2))
    [reserved] = promise["reservations"]["capacity"]
    days = [(AS_OF + timedelta(days=d)).isoformat() for d in range(3)]
    assert reserved["date"] == days[2]
    for ref, day in zip(("WO-1", "WO-2"), days[:2], strict=True):
        load = {"resource": "CELL", "date": day, "minutes": 60}
        assert scarce.put(f"/v1/load/{ref}", json=load).json()["promises_at_risk"] == []

    response = scarce.put(
        "/v1/load/WO-3", json={"resource": "CELL", "date": days[2], "minutes": 60}
    )

    assert response.json()["promises_at_risk"] == [promise["id"]]
    flagged = scarce.get(f"/v1/promises/{promise['id']}").json()
    risk = flagged["at_risk"]
    assert risk["reason"] == (
        "The planning data changed and the promised date can no longer be met: "
        f"CELL has 0 free minutes on {days[2]}, 60 reserved."
    )
    assert risk["earliest_date"] == (AS_OF + timedelta(days=3)).isoformat()
    # The promise keeps what it holds and the check it was made with.
    assert flagged["reservations"] == promise["reservations"]
    assert flagged["check"] == promise["check"]

    assert scarce.delete("/v1/load/WO-3").json()["promises_at_risk"] == []
    assert scarce.get(f"/v1/promises/{promise['id']}").json()["at_risk"] is None


def test_a_promise_that_could_now_come_sooner_is_replanned_for_its_promised_date(
    scarce: TestClient,
) -> None:
    days = [(AS_OF + timedelta(days=d)).isoformat() for d in range(3)]
    for ref, day in (("WO-1", days[0]), ("WO-2", days[1])):
        scarce.put(f"/v1/load/{ref}", json={"resource": "CELL", "date": day, "minutes": 60})
    # Requested on day 0, promised on day 2 (a counter-proposal).
    promise = confirmed(scarce, one_unit("MADE", "Q-MADE", day=0))
    assert promise["check"]["lines"][0]["promised_date"] == days[2]
    for ref in ("WO-1", "WO-2"):
        assert scarce.delete(f"/v1/load/{ref}").json()["promises_at_risk"] == []

    response = scarce.put(
        "/v1/load/WO-3", json={"resource": "CELL", "date": days[2], "minutes": 60}
    )

    assert response.json()["promises_at_risk"] == []
    replanned = scarce.get(f"/v1/promises/{promise['id']}").json()
    assert replanned["at_risk"] is None
    assert replanned["check"]["promise_date"] == days[2]
    assert replanned["check"]["lines"][0]["promised_date"] == days[2]
    # As late as possible for the promised date: the day before it.
    assert [(c["date"], c["minutes"]) for c in replanned["reservations"]["capacity"]] == [
        (days[1], 60)
    ]


def test_the_older_of_two_promises_keeps_its_date_when_stock_shrinks(scarce: TestClient) -> None:
    first = confirmed(scarce, one_unit("STOCKED", "Q-1"))
    scarce.app.state.clock = lambda: datetime(2027, 1, 4, 10, tzinfo=UTC)  # type: ignore[attr-defined]
    body = one_unit("STOCKED", "Q-2")
    body["lines"][0]["qty"] = STOCK_UNITS - 1
    second = confirmed(scarce, body)

    # One unit less on hand: together the two promises take one more than there is.
    response = scarce.put("/v1/inventory/STOCKED", json={"on_hand": STOCK_UNITS - 1})

    assert response.json()["promises_at_risk"] == [second["id"]]
    kept = scarce.get(f"/v1/promises/{first['id']}").json()
    assert kept["at_risk"] is None
    assert kept["reservations"] == first["reservations"]
    risk = scarce.get(f"/v1/promises/{second['id']}").json()["at_risk"]
    # STOCKED can never be re-ordered: no date is left.
    assert risk["earliest_date"] is None
    assert risk["reason"] == (
        "The planning data changed and the promised date can no longer be met: "
        f"STOCKED is 1 short on {AS_OF + timedelta(days=HORIZON_DAYS - 1)} with the stock it takes. "
        "A new check finds no date within the horizon."
    )


def test_the_promise_confirmed_first_has_priority_not_the_one_held_first(
    scarce: TestClient,
) -> None:
    small = scarce.post("/v1/promises", json=one_unit("STOCKED", "Q-1")).json()
    body = one_unit("STOCKED", "Q-2")
    body["lines"][0]["qty"] = STOCK_UNITS - 1
    large = scarce.post("/v1/promises", json=body).json()
    assert scarce.post(f"/v1/promises/{large['id']}/confirm").status_code == 200
    scarce.app.state.clock = lambda: datetime(2027, 1, 4, 10, tzinfo=UTC)  # type: ignore[attr-defined]
    assert scarce.post(f"/v1/promises/{small['id']}/confirm").status_code == 200

    response = scarce.put("/v1/inventory/STOCKED", json={"on_hand": STOCK_UNITS - 1})

    assert response.json()["promises_at_risk"] == [small["id"]]


def test_stock_gone_on_the_sample_plant_is_made_instead(client: TestClient) -> None:
    """QA's case: 4 EB-TREK promised from stock; the stock goes; production still makes it."""
    client.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    assert client.put("/v1/dataset", json=sample_dataset(date(2026, 11, 25))).status_code == 200
    body = {
        "quote_ref": "Q-TREK",
        "customer": "ACME",
        "as_of": "2026-11-25",
        "ship_complete": False,
        "lines": [{"line_ref": "1", "sku": "EB-TREK", "qty": 4, "requested_date": "2026-12-01"}],
    }
    promise = confirmed(client, body)
    assert promise["reservations"]["stock"] == [
        {"line_ref": "1", "sku": "EB-TREK", "date": "2026-12-01", "qty": 4}
    ]

    response = client.put("/v1/inventory/EB-TREK", json={"on_hand": 0})

    assert response.json()["promises_at_risk"] == []
    replanned = client.get(f"/v1/promises/{promise['id']}").json()
    assert replanned["at_risk"] is None
    [line] = replanned["check"]["lines"]
    assert line["promised_date"] == "2026-12-01"
    assert [lot["sku"] for lot in line["plan"]["production"]] == ["EB-TREK"]
    assert not any(s["sku"] == "EB-TREK" for s in replanned["reservations"]["stock"])
    # The reservations are the new check's plan, line by line.
    assert sorted(
        (s["sku"], s["date"], s["qty"]) for s in replanned["reservations"]["stock"]
    ) == sorted((s["sku"], s["date"], s["qty"]) for s in line["plan"]["stock"])
    assert sum(c["minutes"] for c in replanned["reservations"]["capacity"]) == sum(
        load["minutes"]
        for lot in line["plan"]["production"]
        for op in lot["operations"]
        for load in op["loads"]
    )
    assert 'id="at-risk"' not in client.get("/ops").text


# -- fulfilment ------------------------------------------------------------------------------


def test_a_demand_row_naming_a_promise_fulfils_it_and_nothing_counts_twice(
    scarce: TestClient, session: Session
) -> None:
    body = one_unit("STOCKED", "Q-1")
    body["lines"][0]["qty"] = 5
    promise = confirmed(scarce, body)
    date = promise["reservations"]["stock"][0]["date"]
    order = {"sku": "STOCKED", "qty": 5, "date": date, "promise_id": promise["id"]}

    response = scarce.put("/v1/demand/SO-1", json=order)

    assert response.status_code == 201, response.text
    assert response.json()["promise_id"] == promise["id"]
    fulfilled = scarce.get(f"/v1/promises/{promise['id']}").json()
    assert fulfilled["status"] == "fulfilled"
    assert fulfilled["reservations"] == {"stock": [], "capacity": []}
    assert session.scalar(select(func.count()).select_from(PromiseStockRow)) == 0
    # 25 on hand, 5 promised and now on order: 20 left, not 15.
    check = one_unit("STOCKED", "Q-check")
    check["lines"][0]["qty"] = STOCK_UNITS - 5
    assert scarce.post("/v1/checks", json=check).json()["status"] == "feasible"
    check["lines"][0]["qty"] = STOCK_UNITS - 4
    assert scarce.post("/v1/checks", json=check).json()["status"] == "infeasible"

    # Loading the same row again changes nothing; the export carries the link.
    assert scarce.put("/v1/demand/SO-1", json=order).status_code == 200
    [exported] = scarce.get("/v1/dataset").json()["demand"]
    assert exported["promise_id"] == promise["id"]
    # A fulfilled promise cannot be released any more.
    assert scarce.post(f"/v1/promises/{promise['id']}/release").status_code == 409


def test_a_released_promise_cannot_be_fulfilled(scarce: TestClient) -> None:
    promise = confirmed(scarce, one_unit("STOCKED", "Q-1"))
    scarce.post(f"/v1/promises/{promise['id']}/release")
    order = {"sku": "STOCKED", "qty": 1, "date": "2027-01-05", "promise_id": promise["id"]}

    response = scarce.put("/v1/demand/SO-1", json=order)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "pointer": "/promise_id",
            "message": f"promise {promise['id']} is released: it holds nothing to fulfil",
        }
    ]


def test_a_dataset_import_fulfils_the_promises_its_demand_names(scarce: TestClient) -> None:
    promise = confirmed(scarce, one_unit("STOCKED", "Q-1"))
    doc = scarce_dataset()
    doc["demand"] = [
        {
            "ref": "SO-1",
            "sku": "STOCKED",
            "qty": 1,
            "date": "2027-01-13",
            "promise_id": promise["id"],
        }
    ]
    assert scarce.put("/v1/dataset", json=doc).status_code == 200
    assert scarce.get(f"/v1/promises/{promise['id']}").json()["status"] == "fulfilled"

    doc["demand"][0]["promise_id"] = "no-such-promise"
    response = scarce.put("/v1/dataset", json=doc)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/demand/0/promise_id"
