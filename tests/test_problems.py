"""Problem details: rendering, pointers, and their place in OpenAPI."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.problems import request_errors
from app.solver.results import SolverTimeout
from tests.factories import check_request, golden_dataset


def test_body_locations_become_pointers() -> None:
    errors = request_errors(
        [
            {"loc": ("body", "lines", 0, "qty"), "msg": "bad", "type": "int_type"},
            {"loc": ("query", "limit"), "msg": "bad", "type": "int_type"},
            {"loc": ("body",), "msg": "Field required", "type": "missing"},
        ]
    )
    assert [e.pointer for e in errors] == ["/lines/0/qty", "/query/limit", ""]


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/v1/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    response = client.delete("/v1/dataset")
    assert response.status_code == 405
    assert response.json()["title"] == "Method not allowed"


def test_openapi_declares_problem_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post_checks = spec["paths"]["/v1/checks"]["post"]["responses"]
    assert "application/problem+json" in post_checks["422"]["content"]
    assert "404" in spec["paths"]["/v1/checks/{check_id}"]["get"]["responses"]
    put_dataset = spec["paths"]["/v1/dataset"]["put"]
    schema_ref = put_dataset["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_ref.rsplit("/", 1)[-1] in spec["components"]["schemas"]
    assert "503" in spec["paths"]["/readyz"]["get"]["responses"]


def test_solver_timeout_is_a_503_problem(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def timeout(*_args: object, **_kwargs: object) -> None:
        raise SolverTimeout("BIKE", "an earliest date")

    monkeypatch.setattr("app.services.checks.check_quote", timeout)
    client.put("/v1/dataset", json=golden_dataset())

    response = client.post("/v1/checks", json=check_request())

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "BIKE" in response.json()["detail"]
