"""The contract as other tools see it: generated clients (operationIds), HTTP tooling (405 with
Allow, RFC 9110) and dates in query parameters (ISO, as in bodies, or 422 with the pointer)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

# The ids generated clients already use: they never change. A new route gets its id from its
# function's name (or `operation_id=`); add it here once it is published.
PUBLISHED_IDS = {
    ("GET", "/healthz"): "healthz",
    ("GET", "/readyz"): "readyz",
    ("GET", "/metrics"): "get_metrics",
    ("GET", "/v1/dataset"): "export_dataset",
    ("PUT", "/v1/dataset"): "import_dataset",
    ("PUT", "/v1/supply/{ref}"): "put_supply",
    ("DELETE", "/v1/supply/{ref}"): "delete_supply",
    ("PUT", "/v1/demand/{ref}"): "put_demand",
    ("DELETE", "/v1/demand/{ref}"): "delete_demand",
    ("PUT", "/v1/load/{ref}"): "put_load",
    ("DELETE", "/v1/load/{ref}"): "delete_load",
    ("PUT", "/v1/inventory/{sku}"): "put_inventory",
    ("PUT", "/v1/resources/{code}/exceptions/{date}"): "put_resource_exception",
    ("DELETE", "/v1/resources/{code}/exceptions/{date}"): "delete_resource_exception",
    ("POST", "/v1/checks"): "create_check",
    ("GET", "/v1/checks"): "list_checks",
    ("GET", "/v1/checks/{check_id}"): "get_check",
    ("POST", "/v1/promises"): "hold_promise",
    ("GET", "/v1/promises"): "list_promises",
    ("POST", "/v1/promises/{promise_id}/confirm"): "confirm_promise",
    ("POST", "/v1/promises/{promise_id}/release"): "release_promise",
    ("GET", "/v1/promises/{promise_id}"): "get_promise",
    ("GET", "/v1/keys"): "list_keys",
    ("POST", "/v1/keys"): "create_key",
    ("DELETE", "/v1/keys/{key_id}"): "revoke_key",
    ("GET", "/v1/stats"): "get_stats",
    ("GET", "/v1/capacity"): "get_capacity",
    ("PUT", "/v1/allocations/{ref}"): "put_allocation",
    ("DELETE", "/v1/allocations/{ref}"): "delete_allocation",
    ("PUT", "/v1/customers/{customer}"): "put_customer",
    ("DELETE", "/v1/customers/{customer}"): "delete_customer",
    ("GET", "/v1/allocations"): "list_allocations",
    ("POST", "/v1/webhooks"): "create_webhook",
    ("GET", "/v1/webhooks"): "list_webhooks",
    ("GET", "/v1/webhooks/{webhook_id}"): "get_webhook",
    ("DELETE", "/v1/webhooks/{webhook_id}"): "delete_webhook",
    ("POST", "/v1/webhooks/{webhook_id}/test"): "test_webhook",
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): "list_webhook_deliveries",
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): "retry_webhook_delivery",
    ("GET", "/v1/events"): "stream_events",
    ("POST", "/v1/promises/{promise_id}/repromise"): "repromise",
}
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with TestClient(create_app(Settings(database_url="sqlite://", auth=True))) as client:
        body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): item[method]
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    }


def _fastapi_default(method: str, path: str, operation_id: str) -> bool:
    """FastAPI's own pattern: the function name, then the path and method (create_check_v1_checks_post)."""
    tail = re.sub(r"\W", "_", path) + "_" + method.lower()
    return operation_id.endswith(tail)


def test_every_operation_id_is_clean_and_unique(document: dict[str, Any]) -> None:
    ids = {key: op.get("operationId", "") for key, op in _operations(document).items()}
    unclean = {
        key: op_id
        for key, op_id in ids.items()
        if not SNAKE_CASE.fullmatch(op_id) or _fastapi_default(*key, op_id)
    }
    assert unclean == {}, "give these routes a snake_case verb as their name or operation_id="
    repeated = sorted(op_id for op_id in set(ids.values()) if list(ids.values()).count(op_id) > 1)
    assert repeated == []


def test_published_operation_ids_stay_as_they_are(document: dict[str, Any]) -> None:
    ids = {key: op.get("operationId") for key, op in _operations(document).items()}
    assert {key: ids.get(key) for key in PUBLISHED_IDS} == PUBLISHED_IDS


def test_fastapis_default_ids_are_recognised() -> None:
    # The rule above must catch what FastAPI would generate without app.openapi.operation_id.
    assert _fastapi_default("POST", "/v1/checks", "create_check_v1_checks_post")
    assert _fastapi_default("GET", "/v1/checks/{check_id}", "get_check_v1_checks__check_id__get")
    assert not _fastapi_default("POST", "/v1/checks", "create_check")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_a_method_not_allowed_names_every_method_the_path_has(
    client: TestClient, document: dict[str, Any]
) -> None:
    """RFC 9110 section 15.5.6: a 405 carries Allow with the methods the resource supports."""
    answers = {}
    for path, item in document["paths"].items():
        documented = {m.upper() for m in METHODS if m in item}
        missing = next(m for m in ("PATCH", "DELETE", "PUT", "POST") if m not in documented)
        response = client.request(missing, _concrete(path))
        answers[path] = (response.status_code, response.headers.get("allow"))
        assert answers[path] == (405, ", ".join(sorted(documented))), path
    assert answers["/v1/checks"] == (405, "GET, POST")


def _date_query_parameters(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(path, parameter, format) of every query parameter that is a date or a date-time."""
    found = []
    for path, item in document["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            schema = parameter.get("schema", {})
            formats = {s.get("format") for s in schema.get("anyOf", [schema])}
            for fmt in formats & {"date", "date-time"}:
                if parameter["in"] == "query":
                    found.append((path, parameter["name"], fmt))
    return found


def test_the_date_query_parameters_are_found(document: dict[str, Any]) -> None:
    assert {
        ("/v1/capacity", "from", "date"),
        ("/v1/stats", "since", "date"),
        ("/v1/stats", "until", "date"),
        ("/v1/checks", "since", "date-time"),
        ("/v1/checks", "until", "date-time"),
    } <= set(_date_query_parameters(document))


@pytest.mark.parametrize("bad", ["0", "1764547200", "20261201", "2026-12-1", "1.5"])
def test_dates_in_queries_are_iso_dates_or_422_with_the_parameters_pointer(
    client: TestClient, document: dict[str, Any], bad: str
) -> None:
    for path, name, _ in _date_query_parameters(document):
        response = client.get(path, params={name: bad})
        assert response.status_code == 422, (path, name, response.text)
        assert [e["pointer"] for e in response.json()["errors"]] == [f"/query/{name}"]


def test_iso_dates_in_queries_are_taken(client: TestClient, document: dict[str, Any]) -> None:
    for path, name, fmt in _date_query_parameters(document):
        good = "2026-12-01" if fmt == "date" else "2026-12-01T08:30:00"
        assert client.get(path, params={name: good}).status_code == 200, (path, name)
    assert client.get("/v1/checks", params={"since": "2026-12-01"}).status_code == 200
