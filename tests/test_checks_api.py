"""POST /v1/checks and GET /v1/checks/{id}: validation, storage, reading back."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import CheckRow
from tests.factories import check_request, golden_dataset

PROBLEM = "application/problem+json"


@pytest.fixture
def loaded(client: TestClient) -> TestClient:
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return client


INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("qty 0", check_request(line={"qty": 0}), "/lines/0/qty"),
    ("qty 2.5", check_request(line={"qty": 2.5}), "/lines/0/qty"),
    ("qty as text", check_request(line={"qty": "3"}), "/lines/0/qty"),
    ("unknown sku", check_request(line={"sku": "TRIKE"}), "/lines/0/sku"),
    (
        "date before as_of",
        check_request(line={"requested_date": "2026-11-30"}),
        "/lines/0/requested_date",
    ),
    (
        "date past the horizon",
        check_request(line={"requested_date": "2027-12-01"}),
        "/lines/0/requested_date",
    ),
    ("empty lines", check_request(lines=[]), "/lines"),
    (
        "missing customer",
        {k: v for k, v in check_request().items() if k != "customer"},
        "/customer",
    ),
    ("bad date", check_request(line={"requested_date": "tomorrow"}), "/lines/0/requested_date"),
]


@pytest.mark.parametrize(("body", "pointer"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_requests_are_422_and_store_nothing(
    loaded: TestClient, session: Session, body: dict[str, Any], pointer: str
) -> None:
    response = loaded.post("/v1/checks", json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert session.scalar(select(func.count()).select_from(CheckRow)) == 0


def test_last_day_of_the_horizon_is_accepted(loaded: TestClient) -> None:
    body = check_request(line={"requested_date": "2027-11-30"})  # as_of + 364
    assert loaded.post("/v1/checks", json=body).status_code == 201


def test_errors_of_several_lines_are_all_listed(loaded: TestClient) -> None:
    body = check_request()
    body["lines"].append({"line_ref": "2", "sku": "NOPE", "qty": 1, "requested_date": "2026-11-01"})
    response = loaded.post("/v1/checks", json=body)
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/lines/1/sku", "/lines/1/requested_date"}


def test_malformed_json_is_422(loaded: TestClient) -> None:
    response = loaded.post(
        "/v1/checks", content=b'{"quote_ref": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["pointer"] == ""


def test_empty_body_is_422(loaded: TestClient) -> None:
    response = loaded.post("/v1/checks", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)


def test_unknown_check_is_404_problem(client: TestClient) -> None:
    response = client.get("/v1/checks/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


def test_check_is_stored_and_read_back(loaded: TestClient, session: Session) -> None:
    response = loaded.post("/v1/checks", json=check_request())
    assert response.status_code == 201, response.text
    created = response.json()

    assert loaded.get(f"/v1/checks/{created['id']}").json() == created
    row = session.get(CheckRow, created["id"])
    assert row is not None
    assert row.status == created["status"]
    assert row.request["lines"][0]["sku"] == "BIKE"


def test_as_of_defaults_to_today(loaded: TestClient) -> None:
    body = check_request()
    del body["as_of"]
    body["lines"][0]["requested_date"] = "2000-01-01"
    response = loaded.post("/v1/checks", json=body)
    assert response.status_code == 422
    assert "before as_of" in response.json()["errors"][0]["message"]


def _errors(response: Any) -> list[tuple[str, str]]:
    return [(e["pointer"], e["message"]) for e in response.json()["errors"]]


def test_type_errors_do_not_hide_plan_errors(loaded: TestClient, session: Session) -> None:
    body = {
        "quote_ref": "Q",
        "customer": "A",
        "lines": [{"line_ref": "1", "sku": "NOPE", "qty": 0, "requested_date": "2020-01-01"}],
    }
    response = loaded.post("/v1/checks", json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    errors = dict(_errors(response))
    assert sorted(errors) == ["/lines/0/qty", "/lines/0/requested_date", "/lines/0/sku"]
    assert errors["/lines/0/sku"] == "unknown sku NOPE"
    assert "is before as_of" in errors["/lines/0/requested_date"]  # today's: no as_of sent
    assert session.scalar(select(func.count()).select_from(CheckRow)) == 0


def test_a_malformed_field_has_its_own_error_only(loaded: TestClient, session: Session) -> None:
    body = check_request()
    body["lines"] = [
        {"line_ref": "1", "sku": "BIKE", "qty": "3", "requested_date": "2026-12-08"},
        {"line_ref": "1", "sku": 7, "qty": 1, "requested_date": "2027-12-01"},
        {"line_ref": 5, "sku": "NOPE", "qty": 1, "requested_date": "tomorrow"},
        {"line_ref": "x" * 201, "sku": "S" * 65, "qty": 1, "requested_date": "2026-12-31"},
        "not a line",
    ]
    response = loaded.post("/v1/checks", json=body, headers={"Idempotency-Key": "k-bad"})

    assert response.status_code == 422, response.text
    errors = _errors(response)
    pointers = [pointer for pointer, _ in errors]
    assert sorted(pointers) == sorted(
        [
            "/lines/0/qty",  # a type error: nothing else about line 0
            "/lines/1/sku",  # not a string: no unknown-sku error besides
            "/lines/1/line_ref",  # a duplicate of line 0's, which is well-formed
            "/lines/1/requested_date",  # past the horizon
            "/lines/2/line_ref",
            "/lines/2/sku",  # unknown, although other fields of the line are malformed
            "/lines/2/requested_date",  # not a date: its format error only
            "/lines/3/line_ref",  # too long: not counted as a duplicate or looked up
            "/lines/3/sku",
            "/lines/4",
        ]
    )
    messages = dict(errors)
    assert "already used by /lines/0" in messages["/lines/1/line_ref"]
    assert "beyond the horizon" in messages["/lines/1/requested_date"]
    assert messages["/lines/2/sku"] == "unknown sku NOPE"
    assert "ISO date" in messages["/lines/2/requested_date"]
    assert "unknown" not in messages["/lines/3/sku"]
    assert session.scalar(select(func.count()).select_from(CheckRow)) == 0
    # Nothing was kept under the key: the corrected body is checked with it.
    fixed = loaded.post("/v1/checks", json=check_request(), headers={"Idempotency-Key": "k-bad"})
    assert fixed.status_code == 201, fixed.text


def test_a_malformed_as_of_checks_the_dates_against_today(loaded: TestClient) -> None:
    body = check_request(as_of="soon", line={"requested_date": "2000-01-01"})
    response = loaded.post("/v1/checks", json=body)

    assert response.status_code == 422
    messages = dict(_errors(response))
    assert sorted(messages) == ["/as_of", "/lines/0/requested_date"]
    assert "before as_of" in messages["/lines/0/requested_date"]


@pytest.mark.parametrize("body", [b"[]", b"null", b'"quote"', b"42"])
def test_a_body_that_is_not_an_object_is_422(loaded: TestClient, body: bytes) -> None:
    response = loaded.post("/v1/checks", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert [e["pointer"] for e in response.json()["errors"]] == [""]


@pytest.mark.parametrize("depth", [500, 5000])
def test_a_deeply_nested_body_is_422(loaded: TestClient, depth: int) -> None:
    body = '{"quote_ref": "Q", "lines": ' + "[" * depth + "]" * depth + "}"
    response = loaded.post("/v1/checks", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
