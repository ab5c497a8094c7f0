"""/openapi.json: complete (models, errors, security, roles) and honest (examples that hold)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.schemas.check import CheckRequest, CheckResult
from app.schemas.examples import (
    CHECK_REQUEST,
    CHECK_RESULT,
    EXTRA_CAPACITY_OPTION,
    GOLDEN_DATASET,
    OPTIONS_OVERTIME,
    OPTIONS_REQUEST,
    SPLIT_OPTION,
)
from app.settings import Settings
from tests.factories import golden_dataset
from tests.test_auth import ROLE_TABLE

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(Settings(database_url="sqlite://", auth=True))
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_the_bearer_scheme_is_declared(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }


def test_every_operation_names_who_may_call_it(document: dict[str, Any]) -> None:
    table = {
        (m, p.replace("{ref:text}", "{ref}").replace("{customer:text}", "{customer}")): roles
        for (m, p), roles in ROLE_TABLE.items()
    }
    for method, path, operation in operations(document):
        roles = table.get((method, path))
        if roles is None:
            assert operation["security"] == [], (method, path)
            continue
        assert operation["security"] == [{"bearer": []}], (method, path)
        assert set(operation["x-roles"]) == roles, (method, path)
        assert "Roles: " in operation["description"]
        assert operation["responses"]["401"]["content"] == PROBLEM
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
        assert operation["responses"]["403"]["content"] == PROBLEM


def test_every_operation_has_models_and_problem_errors(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        responses = operation["responses"]
        ok = [s for s in responses if s.startswith("2")]
        assert ok, (method, path)
        for status in ok:
            content = responses[status]["content"]
            assert any(c.get("schema") for c in content.values()), (method, path, status)
        for status, response in responses.items():
            if status[0] in "45":
                assert response["content"] == PROBLEM, (method, path, status)
        if "requestBody" in operation:
            assert operation["requestBody"]["content"]["application/json"]["schema"]
        has_input = "requestBody" in operation or operation.get("parameters")
        assert ("422" in responses) == bool(has_input), (method, path)
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}


def test_errors_a_route_can_answer_are_declared(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert "404" in paths["/v1/checks/{check_id}"]["get"]["responses"]
    assert "404" in paths["/v1/supply/{ref}"]["delete"]["responses"]
    assert {"409", "503"} <= set(paths["/v1/promises"]["post"]["responses"])
    assert "503" in paths["/v1/checks"]["post"]["responses"]
    assert "503" in paths["/readyz"]["get"]["responses"]


def test_the_check_examples_come_from_the_golden_plant(document: dict[str, Any]) -> None:
    post = document["paths"]["/v1/checks"]["post"]
    request = post["requestBody"]["content"]["application/json"]["examples"]["golden"]["value"]
    result = post["responses"]["201"]["content"]["application/json"]["examples"]["golden"]["value"]
    assert request == CHECK_REQUEST
    assert result == CHECK_RESULT
    CheckRequest.model_validate(CHECK_REQUEST)
    CheckResult.model_validate(CHECK_RESULT)
    assert golden_dataset() == GOLDEN_DATASET


def test_the_example_result_is_a_snapshot_of_the_engine(client: TestClient) -> None:
    """A snapshot, not a proof: the example was pasted from the engine's own output, so this only
    keeps the published example in step with what the engine answers. The answer's correctness
    is shown against the golden file and the oracles (tests/solver/)."""
    assert client.put("/v1/dataset", json=GOLDEN_DATASET).status_code == 200
    response = client.post("/v1/checks", json=CHECK_REQUEST)
    assert response.status_code == 201
    answer = response.json()
    ignore = {"id", "created_at"}
    assert {k: v for k, v in answer.items() if k not in ignore} == {
        k: v for k, v in CHECK_RESULT.items() if k not in ignore
    }


def test_a_body_that_is_not_utf8_is_422(client: TestClient) -> None:
    response = client.post(
        "/v1/checks", content=b"\xff\xfe", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["pointer"] == ""


def test_the_engine_gives_the_option_examples(client: TestClient) -> None:
    dataset = copy.deepcopy(GOLDEN_DATASET)
    (assy,) = [r for r in dataset["resources"] if r["code"] == "ASSY"]
    assy["overtime"] = OPTIONS_OVERTIME
    assert client.put("/v1/dataset", json=dataset).status_code == 200
    response = client.post("/v1/checks", json=OPTIONS_REQUEST)
    assert response.status_code == 201, response.text
    assert response.json()["lines"][0]["options"] == [SPLIT_OPTION, EXTRA_CAPACITY_OPTION]


def test_the_option_model_carries_its_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["OptionOut"]["examples"] == [SPLIT_OPTION, EXTRA_CAPACITY_OPTION]
