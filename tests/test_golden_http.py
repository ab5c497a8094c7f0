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
                    assert line[field] == value, f"{where}: lines[{i}].{field}"
        else:
            assert answer[key] == expected, f"{where}: {key}"


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
