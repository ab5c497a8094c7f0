"""Text with NUL characters is refused with 422 and a pointer, on both databases alike
(PostgreSQL cannot store it; without this guard it would be a 500 there)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.factories import check_request, golden_dataset


@pytest.fixture
def api(client: TestClient) -> TestClient:
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    return client


def pointers(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["pointer"] for e in response.json()["errors"]]


def test_nul_in_a_json_body(api: TestClient) -> None:
    body = check_request(customer="AC\x00ME", line={"line_ref": "1\x00"})
    assert pointers(api.post("/v1/checks", json=body)) == ["/customer", "/lines/0/line_ref"]
    assert pointers(api.post("/v1/keys", json={"role": "crm", "name": "\x00"})) == ["/name"]
    doc = golden_dataset()
    doc["items"][1]["name"] = "Wheel\x00"
    assert pointers(api.put("/v1/dataset", json=doc)) == ["/items/1/name"]
    assert api.get("/v1/checks").json()["items"] == []


def test_nul_in_the_path_or_the_query(api: TestClient) -> None:
    row = {"sku": "FRAME", "qty": 1, "date": "2026-12-11"}
    assert pointers(api.put("/v1/supply/PO%00", json=row)) == ["/path"]
    assert pointers(api.get("/v1/checks?customer=A%00")) == ["/query/customer"]
    assert pointers(api.get("/v1/promises/x%00y")) == ["/path"]


def test_text_that_only_looks_like_a_nul_escape_is_fine(api: TestClient) -> None:
    body = check_request(customer="backslash \\u0000 text")
    response = api.post("/v1/checks", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["customer"] == "backslash \\u0000 text"
