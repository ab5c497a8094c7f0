"""Every case of shared/golden/bike_plant.json, played over HTTP on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import golden

GOLDEN = golden()


def _cases() -> list[Any]:
    return [pytest.param(case, id=case["title"]) for case in GOLDEN["cases"]]


def _assert_matches(answer: dict[str, Any], expect: dict[str, Any], where: str) -> None:
    for key, expected in expect.items():
        if key == "lines":
            assert len(answer["lines"]) == len(expected), where
            for i, (line, expected_line) in enumerate(zip(answer["lines"], expected, strict=True)):
                for field, value in expected_line.items():
                    if field == "constraints":
                        _assert_constraints(line[field], value, f"{where}: lines[{i}]")
                    else:
                        assert line[field] == value, f"{where}: lines[{i}].{field}"
        else:
            assert answer[key] == expected, f"{where}: {key}"


def _assert_constraints(got: list[Any], expected: list[Any], where: str) -> None:
    """Each expected entry fixes the fields it lists (a golden case may leave out the detail)."""
    assert len(got) == len(expected), f"{where}.constraints"
    for entry, wanted in zip(got, expected, strict=True):
        assert {k: entry.get(k) for k in wanted} == wanted, f"{where}.constraints"


@pytest.mark.parametrize("case", _cases())
def test_golden_case(client: TestClient, case: dict[str, Any]) -> None:
    # The service clock on the golden as_of: a hold cannot start in the past.
    as_of = datetime.combine(date.fromisoformat(case["steps"][0]["request"]["as_of"]), time(8))
    client.app.state.clock = lambda: as_of.replace(tzinfo=UTC)  # type: ignore[attr-defined]
    loaded = client.put("/v1/dataset", json=GOLDEN["dataset"])
    assert loaded.status_code == 200, loaded.text
    for number, step in enumerate(case["steps"]):
        if step["action"] == "check":
            response = client.post("/v1/checks", json=step["request"])
            assert response.status_code == 201, response.text
            answer = response.json()
        else:
            response = client.post("/v1/promises", json=step["request"])
            assert response.status_code == 201, response.text
            assert response.json()["status"] == "held"
            answer = response.json()["check"]
        _assert_matches(answer, step["expect"], f"{case['title']}, step {number}")


def test_capacity_case_names_assembly_and_the_shared_numbers_count_it(client: TestClient) -> None:
    """What binds on 10 Dec for 120 bikes includes the assembly cell, and "what bound most" in
    /v1/stats counts exactly the entries the answer names."""
    (case,) = [c for c in GOLDEN["cases"] if c["title"] == "capacity pushes the date out"]
    as_of = datetime.combine(date.fromisoformat(case["steps"][0]["request"]["as_of"]), time(8))
    client.app.state.clock = lambda: as_of.replace(tzinfo=UTC)  # type: ignore[attr-defined]
    assert client.put("/v1/dataset", json=GOLDEN["dataset"]).status_code == 200
    response = client.post("/v1/checks", json=case["steps"][0]["request"])
    assert response.status_code == 201, response.text
    (line,) = response.json()["lines"]
    named = [(c["kind"], c.get("resource") or c.get("sku")) for c in line["constraints"]]
    assert named == [
        ("capacity", "WELD"),
        ("capacity", "ASSY"),
        ("material", "FRAME"),
        ("material", "RIM"),
        ("material", "SADDLE"),
    ]
    assembly = line["constraints"][1]
    assert (assembly["from"], assembly["until"]) == ("2026-12-09", "2026-12-10")
    assert assembly["detail"].startswith("Assembly (ASSY) is full from 9 to 10 Dec 2026")

    day = as_of.date().isoformat()
    stats = client.get("/v1/stats", params={"since": day, "until": day}).json()
    assert stats["binding_resources"] == [
        {"resource": "ASSY", "lines": 1},
        {"resource": "WELD", "lines": 1},
    ]
    assert stats["binding_items"] == [
        {"sku": sku, "lines": 1} for sku in ("FRAME", "RIM", "SADDLE")
    ]
    assert stats["binding_kinds"] == [
        {"kind": "capacity", "lines": 1},
        {"kind": "material", "lines": 1},
    ]
