"""The ERP feed over HTTP: PUT/DELETE supply, demand and load rows, PUT inventory."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import check_request, golden_dataset, sorted_document

PROBLEM = "application/problem+json"


@pytest.fixture
def api(client: TestClient) -> TestClient:
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return client


def document(api: TestClient) -> dict[str, Any]:
    response = api.get("/v1/dataset")
    assert response.status_code == 200
    return sorted_document(response.json())


def frame_line(api: TestClient, qty: int, requested: str = "2026-12-12") -> dict[str, Any]:
    body = check_request(line={"sku": "FRAME", "qty": qty, "requested_date": requested})
    response = api.post("/v1/checks", json=body)
    assert response.status_code == 201, response.text
    line: dict[str, Any] = response.json()["lines"][0]
    return line


def test_put_creates_then_replaces_and_the_next_check_sees_it(api: TestClient) -> None:
    # FRAME: 30 on hand, PO-1001 brings 50 on 2026-12-10; bought in 15 days otherwise.
    assert frame_line(api, 80)["feasible_on_requested_date"] is True

    created = api.put("/v1/supply/PO-9", json={"sku": "FRAME", "qty": 20, "date": "2026-12-11"})
    assert created.status_code == 201, created.text
    assert created.json() | {"data_version": 0} == {
        "ref": "PO-9",
        "sku": "FRAME",
        "qty": 20,
        "date": "2026-12-11",
        "data_version": 0,
        "promises_at_risk": [],
    }
    assert frame_line(api, 100)["feasible_on_requested_date"] is True

    replaced = api.put("/v1/supply/PO-1001", json={"sku": "FRAME", "qty": 10, "date": "2026-12-10"})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["data_version"] == created.json()["data_version"] + 1
    line = frame_line(api, 100)
    assert line["feasible_on_requested_date"] is False
    assert line["qty_on_requested_date"] == 60

    assert api.delete("/v1/supply/PO-9").status_code == 200
    assert frame_line(api, 100)["qty_on_requested_date"] == 40


def test_each_kind_of_row_round_trips_through_the_dataset(api: TestClient) -> None:
    expected = golden_dataset()
    responses = [
        api.put("/v1/demand/SO-900", json={"sku": "BIKE", "qty": 5, "date": "2026-12-20"}),
        api.put("/v1/load/WO-77", json={"resource": "WELD", "date": "2026-12-02", "minutes": 60}),
        api.put("/v1/inventory/FRAME", json={"on_hand": 12}),
        api.put("/v1/inventory/SADDLE", json={"sku": "SADDLE", "on_hand": 0}),
        api.delete("/v1/demand/SO-501"),
        api.delete("/v1/load/WO-2002-10"),
    ]
    assert [r.status_code for r in responses] == [201, 201, 200, 200, 200, 200], [
        r.text for r in responses
    ]
    expected["demand"] = [d for d in expected["demand"] if d["ref"] != "SO-501"]
    expected["demand"].append({"ref": "SO-900", "sku": "BIKE", "qty": 5, "date": "2026-12-20"})
    expected["load"] = [row for row in expected["load"] if row["ref"] != "WO-2002-10"]
    expected["load"].append(
        {"ref": "WO-77", "resource": "WELD", "date": "2026-12-02", "minutes": 60}
    )
    for row in expected["inventory"]:
        row["on_hand"] = {"FRAME": 12, "SADDLE": 0}.get(row["sku"], row["on_hand"])
    assert document(api) == sorted_document(expected)


def test_inventory_for_an_item_without_a_row_is_created(api: TestClient) -> None:
    doc = golden_dataset()
    doc["inventory"] = [row for row in doc["inventory"] if row["sku"] != "SPOKE"]
    assert api.put("/v1/dataset", json=doc).status_code == 200
    assert api.put("/v1/inventory/SPOKE", json={"on_hand": 7}).status_code == 201


SUPPLY = {"sku": "FRAME", "qty": 1, "date": "2026-12-11"}
LOAD = {"resource": "WELD", "date": "2026-12-02", "minutes": 5}
INVALID: list[tuple[str, str, str, Any, set[str]]] = [
    ("unknown sku", "PUT", "/v1/supply/PO-9", SUPPLY | {"sku": "GHOST"}, {"/sku"}),
    ("negative qty", "PUT", "/v1/supply/PO-9", SUPPLY | {"qty": -1}, {"/qty"}),
    ("qty as text", "PUT", "/v1/demand/SO-9", SUPPLY | {"qty": "1"}, {"/qty"}),
    ("qty too large", "PUT", "/v1/demand/SO-9", SUPPLY | {"qty": 2**31}, {"/qty"}),
    ("bad date", "PUT", "/v1/demand/SO-9", SUPPLY | {"date": "soon"}, {"/date"}),
    (
        "every error at once",
        "PUT",
        "/v1/supply/PO-9",
        SUPPLY | {"ref": "PO-8", "sku": "GHOST"},
        {"/ref", "/sku"},
    ),
    ("missing field", "PUT", "/v1/supply/PO-9", {"sku": "FRAME", "qty": 1}, {"/date"}),
    ("unknown field", "PUT", "/v1/supply/PO-9", SUPPLY | {"price": 3}, {"/price"}),
    ("unknown resource", "PUT", "/v1/load/WO-9", LOAD | {"resource": "LASER"}, {"/resource"}),
    ("negative minutes", "PUT", "/v1/load/WO-9", LOAD | {"minutes": -5}, {"/minutes"}),
    ("unknown inventory item", "PUT", "/v1/inventory/GHOST", {"on_hand": 1}, {"/path/sku"}),
    ("inventory sku differs", "PUT", "/v1/inventory/FRAME", {"sku": "RIM", "on_hand": 1}, {"/sku"}),
    ("unknown promise", "PUT", "/v1/demand/SO-9", SUPPLY | {"promise_id": "x"}, {"/promise_id"}),
    ("no body", "PUT", "/v1/supply/PO-9", None, {""}),
    (
        "unknown sku beside type errors",
        "PUT",
        "/v1/supply/PO-QA2",
        {"sku": "NOPE", "qty": -1, "date": "x"},
        {"/sku", "/qty", "/date"},
    ),
    (
        "unknown resource beside a type error",
        "PUT",
        "/v1/load/WO-9",
        LOAD | {"resource": "LASER", "minutes": "5"},
        {"/resource", "/minutes"},
    ),
    (
        "unknown promise beside a type error",
        "PUT",
        "/v1/demand/SO-9",
        SUPPLY | {"qty": "1", "promise_id": "x"},
        {"/qty", "/promise_id"},
    ),
    (
        "differing ref beside a type error",
        "PUT",
        "/v1/supply/PO-9",
        SUPPLY | {"ref": "PO-8", "date": "x"},
        {"/ref", "/date"},
    ),
    ("malformed sku is a type error only", "PUT", "/v1/supply/PO-9", SUPPLY | {"sku": 7}, {"/sku"}),
    ("body not an object", "PUT", "/v1/supply/PO-9", [1], {""}),
    ("ref too long", "PUT", "/v1/supply/" + "R" * 129, SUPPLY, {"/path/ref"}),
]


@pytest.mark.parametrize(
    ("method", "url", "body", "pointers"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_rows_are_422_and_change_nothing(
    api: TestClient, method: str, url: str, body: Any, pointers: set[str]
) -> None:
    before = document(api)

    response = api.request(method, url, json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert {e["pointer"] for e in response.json()["errors"]} == pointers
    assert document(api) == before


def test_an_unknown_sku_beside_type_errors_is_listed_once(api: TestClient) -> None:
    response = api.put("/v1/supply/PO-QA2", json={"sku": "NOPE", "qty": -1, "date": "x"})

    assert response.status_code == 422
    errors = [(e["pointer"], e["message"]) for e in response.json()["errors"]]
    assert ("/sku", "unknown item NOPE") in errors
    assert sorted(p for p, _ in errors) == ["/date", "/qty", "/sku"]


@pytest.mark.parametrize("kind", ["supply", "demand", "load"])
def test_delete_of_an_unknown_ref_is_404(api: TestClient, kind: str) -> None:
    before = document(api)
    response = api.delete(f"/v1/{kind}/NOPE")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
    assert document(api) == before


def test_a_ref_is_any_text(api: TestClient) -> None:
    """ERP refs may hold spaces, unicode and slashes; they travel percent-encoded or as is."""
    row = {"sku": "FRAME", "qty": 1, "date": "2026-12-11"}
    assert api.put("/v1/supply/PO%201001%2F10%20%C3%A4", json=row).json()["ref"] == "PO 1001/10 ä"
    assert api.put("/v1/supply/PO 1001/10 ä", json=row).status_code == 200
    assert api.delete("/v1/supply/PO 1001/10 ä").status_code == 200
    assert api.delete("/v1/supply/PO 1001/10 ä").status_code == 404
    # Whatever the dataset accepts as a ref, the feed can address.
    assert api.put("/v1/supply/PO%0A1", json=row).json()["ref"] == "PO\n1"
    assert api.delete("/v1/supply/PO%0A1").status_code == 200
