"""Options over HTTP (SPEC section 5): asked for on a check or hold, held as offered, and the
calendar-exception feed that makes an extra-capacity option come true."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import GOLDEN_MORNING, check_request, golden_dataset
from tests.support.clock import Clock

PROBLEM = "application/problem+json"
# 42 of 45 can be made by 3 Dec on the golden plant; 60 more minutes of assembly make all 45.
LATE = {"sku": "BIKE", "qty": 45, "requested_date": "2026-12-03"}
BOTH = ["split", "extra_capacity"]


def _with_overtime(doc: dict[str, Any]) -> dict[str, Any]:
    for resource in doc["resources"]:
        resource["overtime"] = {"weekly_minutes": [240, 240, 240, 240, 240, 0, 0]}
    return doc


@pytest.fixture
def api(client: TestClient) -> TestClient:
    # The golden plant's day 0: holds cannot start in the past, whatever the date is.
    client.app.state.clock = Clock(GOLDEN_MORNING)  # type: ignore[attr-defined]
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return client


def _check(api: TestClient, **body: Any) -> dict[str, Any]:
    response = api.post("/v1/checks", json=check_request(line=LATE, **body))
    assert response.status_code == 201, response.text
    line: dict[str, Any] = response.json()["lines"][0]
    return line


def test_options_are_only_there_when_asked_and_change_no_answer(api: TestClient) -> None:
    plain = _check(api)
    asked = _check(api, options=BOTH)
    assert "options" not in plain

    def answers(line: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in line.items() if k not in {"options", "constraints"}}

    assert answers(asked) == answers(plain)
    assert [c["kind"] for c in asked["constraints"]] == [c["kind"] for c in plain["constraints"]]
    (split,) = asked["options"]  # the golden plant allows no overtime
    assert split["kind"] == "split"
    assert "extra" not in split
    assert [(d["qty"], d["date"]) for d in split["deliveries"]] == [
        (42, "2026-12-03"),
        (3, "2026-12-04"),
    ]
    assert split["detail"] == "Ship 42 on 3 Dec and 3 on 4 Dec."
    for said, plain_said in zip(asked["constraints"], plain["constraints"], strict=True):
        assert said["detail"] == plain_said["detail"] + (
            " No allowed overtime or expediting makes 3 Dec: WELD allows no overtime."
        )


def test_a_split_holds_exactly_as_offered(api: TestClient) -> None:
    (split,) = _check(api, options=["split"])["options"]
    hold = check_request(line=LATE) | {"lines": split["lines"], "mode": "requested_only"}
    response = api.post("/v1/promises", json=hold)
    assert response.status_code == 201, response.text
    held = response.json()["check"]["lines"]
    assert [(x["qty"], x["promised_date"]) for x in held] == [
        (d["qty"], d["date"]) for d in split["deliveries"]
    ]
    assert [x["plan"] for x in held] == [d["plan"] for d in split["deliveries"]]


def test_adding_the_proposed_minutes_makes_the_requested_date(api: TestClient) -> None:
    assert api.put("/v1/dataset", json=_with_overtime(golden_dataset())).status_code == 200
    line = _check(api, options=["extra_capacity"])
    (extra,) = line["options"]
    assert extra["kind"] == "extra_capacity"
    assert extra["lines"] == [{"line_ref": "1", **LATE}]
    assert extra["cost"] == sum(e["minutes"] for e in extra["extra"])
    assert extra["detail"] == (
        "With 60 more minutes on ASSY on 3 Dec, all 45 can ship on 3 Dec (extra cost 60)."
    )
    assert extra["extra"] == [
        {"resource": "ASSY", "date": "2026-12-03", "minutes": 60, "exception_minutes": 540}
    ]
    assert _check(api)["feasible_on_requested_date"] is False
    for added in extra["extra"]:
        response = api.put(
            f"/v1/resources/{added['resource']}/exceptions/{added['date']}",
            json={"minutes": added["exception_minutes"]},
        )
        assert response.status_code in {200, 201}, response.text
    again = _check(api)
    assert again["feasible_on_requested_date"] is True


def test_a_calendar_exception_is_set_replaced_and_removed(api: TestClient) -> None:
    path = "/v1/resources/WELD/exceptions/2026-12-05"
    created = api.put(path, json={"minutes": 300})
    assert created.status_code == 201, created.text
    assert created.json() | {"data_version": 0} == {
        "resource": "WELD",
        "date": "2026-12-05",
        "minutes": 300,
        "data_version": 0,
        "promises_at_risk": [],
    }
    replaced = api.put(path, json={"minutes": 120})
    assert replaced.status_code == 200
    assert replaced.json()["data_version"] == created.json()["data_version"] + 1
    (weld,) = [r for r in api.get("/v1/dataset").json()["resources"] if r["code"] == "WELD"]
    assert weld["calendar"]["exceptions"] == [{"date": "2026-12-05", "minutes": 120}]
    assert api.delete(path).status_code == 200
    (weld,) = [r for r in api.get("/v1/dataset").json()["resources"] if r["code"] == "WELD"]
    assert weld["calendar"]["exceptions"] == []
    missing = api.delete(path)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


def test_every_fault_of_a_calendar_exception_is_listed_and_nothing_changes(
    api: TestClient,
) -> None:
    before = api.get("/v1/dataset").json()
    response = api.put(
        "/v1/resources/NOPE/exceptions/2026-13-01", json={"minutes": 1441, "extra": 1}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert sorted(e["pointer"] for e in response.json()["errors"]) == [
        "/extra",
        "/minutes",
        "/path/code",
        "/path/date",
    ]
    deleted = api.delete("/v1/resources/NOPE/exceptions/someday")
    assert deleted.status_code == 422
    assert sorted(e["pointer"] for e in deleted.json()["errors"]) == ["/path/code", "/path/date"]
    assert api.get("/v1/dataset").json() == before


def test_taking_minutes_away_re_evaluates_confirmed_promises(api: TestClient) -> None:
    hold = check_request(line={"sku": "BIKE", "qty": 30, "requested_date": "2026-12-08"})
    response = api.post("/v1/promises", json=hold)
    assert response.status_code == 201, response.text
    promise = response.json()
    assert api.post(f"/v1/promises/{promise['id']}/confirm").status_code == 200
    at_risk: list[str] = []
    for day in [f"2026-12-0{d}" for d in range(1, 9)]:
        changed = api.put(f"/v1/resources/ASSY/exceptions/{day}", json={"minutes": 0})
        at_risk = changed.json()["promises_at_risk"]
    assert at_risk == [promise["id"]]
    assert api.get(f"/v1/promises/{promise['id']}").json()["at_risk"] is not None
