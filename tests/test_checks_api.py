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
