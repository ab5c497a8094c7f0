"""PUT and GET /v1/dataset on both backends."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import golden_dataset, sorted_document

PROBLEM = "application/problem+json"


def test_round_trip_of_the_golden_plant(client: TestClient) -> None:
    doc = golden_dataset()
    response = client.put("/v1/dataset", json=doc)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["counts"]["items"] == len(doc["items"])
    assert summary["data_version"] >= 1

    exported = client.get("/v1/dataset").json()
    assert sorted_document(exported) == sorted_document(doc)


def test_round_trip_of_overtime_and_expedite(client: TestClient) -> None:
    doc = golden_dataset()
    doc["resources"][0]["overtime"] = {
        "weekly_minutes": [120, 120, 120, 120, 120, 60, 0],
        "exceptions": [{"date": "2026-12-24", "minutes": 0}],
        "cost_per_minute": 1.25,
    }
    doc["items"][2]["expedite"] = {"lead_time_days": 4, "cost_per_unit": 12}
    doc["items"][5]["expedite"] = {"lead_time_days": 10, "cost_per_unit": 0}
    assert client.put("/v1/dataset", json=doc).status_code == 200

    exported = client.get("/v1/dataset").json()
    assert sorted_document(exported) == sorted_document(doc)


def test_decimals_stay_exact_numbers(client: TestClient) -> None:
    doc = golden_dataset()
    doc["bom"][0]["qty_per"] = 0.1
    doc["routings"][0]["operations"][0]["run_minutes_per_unit"] = 1.25
    body = client.put("/v1/dataset", json=doc)
    assert body.status_code == 200, body.text

    raw = client.get("/v1/dataset").text
    assert '"qty_per": 0.1' in raw or '"qty_per":0.1' in raw
    exported = client.get("/v1/dataset").json()
    assert sorted_document(exported) == sorted_document(doc)


def test_import_replaces_everything_and_bumps_the_version(client: TestClient) -> None:
    first = client.put("/v1/dataset", json=golden_dataset()).json()["data_version"]
    smaller = golden_dataset()
    smaller["supply"] = []
    smaller["load"] = smaller["load"][:1]
    second = client.put("/v1/dataset", json=smaller).json()["data_version"]

    assert second == first + 1
    exported = client.get("/v1/dataset").json()
    assert exported["supply"] == []
    assert [row["ref"] for row in exported["load"]] == [smaller["load"][0]["ref"]]


def _faulty_dataset() -> dict[str, Any]:
    doc = golden_dataset()
    doc["items"][3]["lead_time_days"] = "soon"  # type error (RIM)
    doc["items"].append({"sku": "FRAME", "name": "Again", "kind": "purchased", "lead_time_days": 3})
    doc["bom"].append({"parent": "BIKE", "component": "BELL", "qty_per": 1})
    doc["routings"].append(
        {
            "sku": "SPOKE",
            "operations": [
                {"seq": 10, "resource": "LACE", "setup_minutes": 0, "run_minutes_per_unit": 1}
            ],
        }
    )
    doc["bom"].append({"parent": "WHEEL", "component": "BIKE", "qty_per": 1})
    doc["resources"][1]["calendar"]["weekly_minutes"] = [480, 480, 480, 480, 480, 0]
    doc["resources"][2]["calendar"]["exceptions"].append({"date": "2026-12-21", "minutes": 2000})
    return doc


def test_every_fault_is_listed_with_its_pointer(client: TestClient) -> None:
    before = client.put("/v1/dataset", json=golden_dataset())
    assert before.status_code == 200
    exported_before = client.get("/v1/dataset").json()

    response = client.put("/v1/dataset", json=_faulty_dataset())

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == 422
    assert {"type", "title", "detail"} <= problem.keys()
    errors = {(e["pointer"], e["message"]) for e in problem["errors"]}
    pointers = {pointer for pointer, _ in errors}
    assert "/items/3/lead_time_days" in pointers
    assert "/items/6/sku" in pointers  # duplicate FRAME
    assert "/bom/5/component" in pointers  # BELL is unknown
    assert "/routings/2/sku" in pointers  # purchased SPOKE with a routing
    assert "/resources/1/calendar/weekly_minutes" in pointers
    assert "/resources/2/calendar/exceptions/0/minutes" in pointers
    cycles = [message for _, message in errors if message.startswith("BOM cycle")]
    assert cycles, errors
    assert "BIKE -> WHEEL -> BIKE" in cycles[0] or "WHEEL -> BIKE -> WHEEL" in cycles[0]
    # The type error in RIM's row does not make the references to RIM look broken.
    assert not any("unknown item RIM" in message for _, message in errors)

    assert client.get("/v1/dataset").json() == exported_before


def test_malformed_json_is_a_problem(client: TestClient) -> None:
    response = client.put(
        "/v1/dataset", content=b'{"items": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["pointer"] == ""


def test_empty_body_is_a_problem(client: TestClient) -> None:
    response = client.put("/v1/dataset", content=b"")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)


def test_a_document_that_is_not_an_object_is_a_problem(client: TestClient) -> None:
    response = client.put("/v1/dataset", json=[1, 2])
    assert response.status_code == 422
    assert response.json()["errors"] == [{"pointer": "", "message": "must be a JSON object"}]


def test_empty_document_clears_the_plant(client: TestClient) -> None:
    client.put("/v1/dataset", json=golden_dataset())
    assert client.put("/v1/dataset", json={}).status_code == 200
    exported = client.get("/v1/dataset").json()
    assert all(rows == [] for rows in exported.values())


def test_failed_import_leaves_the_document_untouched(client: TestClient) -> None:
    doc = golden_dataset()
    client.put("/v1/dataset", json=doc)
    broken = copy.deepcopy(doc)
    broken["supply"][0]["qty"] = -1
    assert client.put("/v1/dataset", json=broken).status_code == 422
    assert sorted_document(client.get("/v1/dataset").json()) == sorted_document(doc)


def test_a_row_with_a_type_error_still_has_its_references_checked(client: TestClient) -> None:
    doc = golden_dataset()
    doc["bom"].append({"parent": "BIKE", "component": "NOPE", "qty_per": -1})
    doc["supply"].append({"ref": "PO-X", "sku": "NOPE3", "qty": -3, "date": "2026-12-01"})
    bom, supply = len(doc["bom"]) - 1, len(doc["supply"]) - 1

    response = client.put("/v1/dataset", json=doc)

    assert response.status_code == 422
    errors = {(e["pointer"], e["message"]) for e in response.json()["errors"]}
    assert {e[0] for e in errors} == {
        f"/bom/{bom}/qty_per",
        f"/bom/{bom}/component",
        f"/supply/{supply}/qty",
        f"/supply/{supply}/sku",
    }
    assert (f"/bom/{bom}/component", "unknown item NOPE") in errors
    assert (f"/supply/{supply}/sku", "unknown item NOPE3") in errors
