"""Operations: request ids, JSON logs that never hold a key, Prometheus metrics."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.logs import JsonFormatter, redact
from tests.factories import GOLDEN_MORNING, check_request, golden_dataset
from tests.keys import BOOTSTRAP_KEY, bearer
from tests.support.clock import Clock


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything logged while the test runs, formatted as the server formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def entries(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_request_id_is_made_or_taken_and_sent_back(client: TestClient) -> None:
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != made
    taken = client.get("/healthz", headers={"X-Request-ID": "crm-7f3a.1"})
    assert taken.headers["X-Request-ID"] == "crm-7f3a.1"
    refused = client.get("/healthz", headers={"X-Request-ID": "has spaces\tand tabs"})
    assert refused.headers["X-Request-ID"] != "has spaces\tand tabs"
    problem = client.get("/v1/checks/nope", headers={"X-Request-ID": "r-404"})
    assert problem.status_code == 404
    assert problem.headers["X-Request-ID"] == "r-404"


def test_each_request_is_one_json_log_line_with_its_id(
    client: TestClient, log_lines: io.StringIO
) -> None:
    client.get("/v1/checks/some-id", headers={"X-Request-ID": "req-123"})

    [line] = [e for e in entries(log_lines) if e["logger"] == "orderpromise.access"]
    assert line["request_id"] == "req-123"
    assert line["route"] == "/v1/checks/{check_id}"
    assert line["path"] == "/v1/checks/some-id"
    assert line["status"] == 404
    assert line["level"] == "INFO"
    assert line["duration_ms"] >= 0
    assert line["time"].endswith("+00:00")


def test_keys_never_appear_in_the_logs(secure_client: TestClient, log_lines: io.StringIO) -> None:
    admin = bearer(BOOTSTRAP_KEY)
    created = secure_client.post("/v1/keys", json={"role": "crm", "name": "CRM"}, headers=admin)
    key = created.json()["key"]
    crm = bearer(key)
    assert secure_client.put("/v1/dataset", json=golden_dataset(), headers=admin).status_code == 200
    assert secure_client.post("/v1/checks", json=check_request(), headers=crm).status_code == 201
    assert secure_client.get("/v1/dataset", headers=crm).status_code == 403
    assert secure_client.get("/v1/keys", headers=bearer(key + "x")).status_code == 401
    secure_client.delete(f"/v1/keys/{created.json()['id']}", headers=admin)
    assert secure_client.get("/v1/checks", headers=crm).status_code == 401
    # Should a key ever reach a log message, the formatter masks it.
    logging.getLogger("careless").warning(
        "Authorization: Bearer %s, bootstrap %s", key, BOOTSTRAP_KEY
    )

    text = log_lines.getvalue()
    secret = key.split("_", 2)[2]
    assert secret not in text
    assert BOOTSTRAP_KEY not in text
    lines = entries(log_lines)
    access = [e for e in lines if e["logger"] == "orderpromise.access"]
    assert len(access) == 7
    assert {e.get("role") for e in access} >= {"admin", "crm"}
    assert any(e["key_id"] == created.json()["id"] for e in access)
    [careless] = [e for e in lines if e["logger"] == "careless"]
    assert "[redacted]" in careless["message"]


def test_redaction_masks_keys_and_bearer_credentials() -> None:
    key = "opk_0123456789ab_" + "x" * 43
    assert redact(f"key={key}") == "key=opk_0123456789ab_[redacted]"
    assert redact("authorization: bearer abc.def") == "authorization: bearer [redacted]"


def metrics(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_requests_checks_solver_time_and_promises(client: TestClient) -> None:
    # The golden plant's day 0: holds cannot start in the past, whatever the date is.
    client.app.state.clock = Clock(GOLDEN_MORNING)  # type: ignore[attr-defined]
    assert client.put("/v1/dataset", json=golden_dataset()).status_code == 200
    before = metrics(client)
    checks = ("orderpromise_checks_total", (("outcome", "feasible"),))
    solved = ("orderpromise_solver_seconds_count", ())
    posted = (
        "orderpromise_http_requests_total",
        (("method", "POST"), ("route", "/v1/checks"), ("status", "201")),
    )

    assert client.post("/v1/checks", json=check_request()).status_code == 201
    # Another quantity: the same request on the same state would be answered from the cache.
    held = client.post("/v1/promises", json=check_request(quote_ref="Q-hold", line={"qty": 9}))
    assert held.status_code == 201
    client.get("/v1/checks/no-such-check")
    client.get("/no/such/path")

    after = metrics(client)
    assert after[checks] - before.get(checks, 0) == 2  # the check and the hold's check
    assert after[solved] - before.get(solved, 0) == 2
    assert after[posted] - before.get(posted, 0) == 1
    latency = ("orderpromise_http_request_duration_seconds_count", posted[1][:2])
    assert after[latency] - before.get(latency, 0) == 1
    by_template = (
        "orderpromise_http_requests_total",
        (("method", "GET"), ("route", "/v1/checks/{check_id}"), ("status", "404")),
    )
    assert after[by_template] - before.get(by_template, 0) == 1
    unmatched = (
        "orderpromise_http_requests_total",
        (("method", "GET"), ("route", "unmatched"), ("status", "404")),
    )
    assert after[unmatched] - before.get(unmatched, 0) == 1
    assert after["orderpromise_promises", (("status", "held"),)] == 1
    assert after["orderpromise_promises", (("status", "confirmed"),)] == 0
    assert after["orderpromise_promises_at_risk", ()] == 0


def test_metrics_and_probes_need_no_key(secure_client: TestClient) -> None:
    assert secure_client.get("/metrics").status_code == 200
    assert secure_client.get("/healthz").status_code == 200
